import { useMemo } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import { divergenceMarkers, latestInWords } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { StepChart, type LineSpec, type YAxisSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useSeries, useStepWindow } from './useSeries.ts';

/** The same object on every redraw (recharts compares axis settings by reference). */
const ACCURACY_AXIS = { kind: 'linear', domain: [0, 1] } as const satisfies YAxisSpec;

export function AccuracyChart() {
  const { series } = useSeries();
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const divergences = useMemo(() => divergenceMarkers(runs), [runs]);
  const lines = useMemo(() => {
    const out: LineSpec[] = [];
    for (const [side, s] of series) {
      out.push({
        key: `${side}-batch`,
        name: `${runLabel(runs, side)} batch accuracy`,
        color: SIDE_COLOR[side],
        dashed: true,
        points: s.points('accuracy', stepWindow, MAX_POINTS / 2),
      });
      out.push({
        key: `${side}-test`,
        name: `${runLabel(runs, side)} test accuracy`,
        color: SIDE_COLOR[side],
        points: s.evals
          .filter((e) => e.step >= stepWindow[0] && e.step <= stepWindow[1])
          .map((e) => ({ x: e.step, y: e.testAccuracy })),
      });
    }
    return out;
  }, [series, runs, stepWindow]);
  return (
    <ChartFrame
      id="accuracy"
      title="Accuracy"
      summary="How often each run reads the digit right. Chance is 10%."
      description={latestInWords(lines, divergences)}
      help="Dashed: accuracy on each training batch. Solid: accuracy on the held-out test digits, measured every few hundred steps. Chance is 10%."
    >
      <StepChart lines={lines} xDomain={stepWindow} y={ACCURACY_AXIS} yLabel="accuracy" divergences={divergences} />
    </ChartFrame>
  );
}
