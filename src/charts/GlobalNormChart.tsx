import { useMemo } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import { divergenceMarkers } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { logDomain } from './scales.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useSeries, useStepWindow } from './useSeries.ts';

export function GlobalNormChart() {
  const { series } = useSeries();
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const { lines, domain } = useMemo(() => {
    const lines: LineSpec[] = [];
    for (const [side, s] of series) {
      lines.push({
        key: `${side}-pre`,
        name: `${runLabel(runs, side)}: before clipping`,
        color: SIDE_COLOR[side],
        points: s.points('globalNormPre', stepWindow, MAX_POINTS, { positiveOnly: true }),
      });
      if (runs[side]?.clip.mode !== 'none') {
        lines.push({
          key: `${side}-post`,
          name: `${runLabel(runs, side)}: after clipping`,
          color: SIDE_COLOR[side],
          dashed: true,
          points: s.points('globalNormPost', stepWindow, MAX_POINTS, { positiveOnly: true }),
        });
      }
    }
    return { lines, domain: logDomain(lines.flatMap((l) => l.points.map((p) => p.y))) };
  }, [series, runs, stepWindow]);
  return (
    <ChartFrame
      id="global-norm"
      title="Global gradient norm (log scale)"
      help="The length of the whole gradient, ||g|| = sqrt of the sum of every squared partial derivative. Solid: as backpropagation computed it. Dashed: what the optimiser actually applied after clipping."
    >
      <StepChart
        lines={lines}
        xDomain={stepWindow}
        yDomain={domain}
        yLog
        yLabel="||g||"
        divergences={divergenceMarkers(runs)}
      />
    </ChartFrame>
  );
}
