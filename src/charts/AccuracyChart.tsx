import { useCallback, useMemo } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import { linesKey, mapLive, useLiveModel, useLiveView, VIEW_INTERVAL_MS, useStable, type SeriesList } from './live.ts';
import { divergenceMarkers, latestInWords } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { StepChart, type LineSpec, type YAxisSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

/** The same object on every redraw (recharts compares axis settings by reference). */
const ACCURACY_AXIS = { kind: 'linear', domain: [0, 1] } as const satisfies YAxisSpec;

export function AccuracyChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const diverged = divergenceMarkers(runs);
  const divergences = useStable(diverged, JSON.stringify(diverged));
  const build = useCallback(
    (series: SeriesList) => {
      const lines: LineSpec[] = [];
      for (const [side, s] of series) {
        lines.push({
          key: `${side}-batch`,
          name: `${runLabel(runs, side)} batch accuracy`,
          color: SIDE_COLOR[side],
          dashed: true,
          points: s.points('accuracy', stepWindow, MAX_POINTS / 2),
        });
        lines.push({
          key: `${side}-test`,
          name: `${runLabel(runs, side)} test accuracy`,
          color: SIDE_COLOR[side],
          points: s.evals
            .filter((e) => e.step >= stepWindow[0] && e.step <= stepWindow[1])
            .map((e) => ({ x: e.step, y: e.testAccuracy })),
        });
      }
      return { lines, y: ACCURACY_AXIS };
    },
    [runs, stepWindow],
  );
  const live = useLiveModel(build);
  const view = useLiveView(live, (m) => linesKey(m.lines), VIEW_INTERVAL_MS);
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m.lines, divergences)), [live, divergences]);
  return (
    <ChartFrame
      id="accuracy"
      title="Accuracy"
      summary="How often each run reads the digit right. Chance is 10%."
      description={description}
      help="Dashed: accuracy on each training batch. Solid: accuracy on the held-out test digits, measured every few hundred steps. Chance is 10%."
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={ACCURACY_AXIS}
        yLabel="accuracy"
        divergences={divergences}
        live={live}
      />
    </ChartFrame>
  );
}
