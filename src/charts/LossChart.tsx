import { useMemo } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import { divergenceMarkers } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { logDomain } from './scales.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useSeries, useStepWindow } from './useSeries.ts';

export function LossChart() {
  const { series } = useSeries();
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const { lines, domain } = useMemo(() => {
    const lines: LineSpec[] = series.map(([side, s]) => ({
      key: side,
      name: `${runLabel(runs, side)} loss`,
      color: SIDE_COLOR[side],
      points: s.points('loss', stepWindow, MAX_POINTS, { positiveOnly: true }),
    }));
    return { lines, domain: logDomain(lines.flatMap((l) => l.points.map((p) => p.y))) };
  }, [series, runs, stepWindow]);
  return (
    <ChartFrame
      id="loss"
      title="Loss (log scale)"
      help="The training loss of each run on its batch. Both runs start from the same weights and see the same batches, so any gap between them comes from clipping alone."
    >
      <StepChart
        lines={lines}
        xDomain={stepWindow}
        yDomain={domain}
        yLog
        yLabel="loss"
        divergences={divergenceMarkers(runs)}
      />
    </ChartFrame>
  );
}
