import { useCallback, useMemo } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import {
  linesKey,
  mapLive,
  useLiveModel,
  useLiveView,
  VIEW_INTERVAL_MS,
  useStable,
  yKey,
  type SeriesList,
} from './live.ts';
import { breakNote, divergenceMarkers, eventMarkers, focusValues, latestInWords } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX, StepChart, type LineSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

export function GlobalNormChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const build = useCallback(
    (series: SeriesList) => {
      const lines: LineSpec[] = [];
      for (const [side, s] of series) {
        lines.push({
          key: `${side}-pre`,
          side,
          ...(runs[side]?.divergence ? { lastLabel: '' } : {}),
          name: `${runLabel(runs, side)}: before clipping`,
          color: SIDE_COLOR[side],
          points: s.points('globalNormPre', stepWindow, MAX_POINTS, { positiveOnly: true }),
        });
        if (runs[side]?.clip.mode !== 'none') {
          lines.push({
            key: `${side}-post`,
            side,
            name: `${runLabel(runs, side)}: after clipping`,
            color: SIDE_COLOR[side],
            dashed: true,
            points: s.points('globalNormPost', stepWindow, MAX_POINTS, { positiveOnly: true }),
          });
        }
      }
      const axis = logAxis(
        lines.flatMap((l) => l.points.map((p) => p.y)),
        PLOT_PX,
        focusValues(lines, runs),
      );
      return { lines, y: { kind: 'log', axis } as const, divergences: divergenceMarkers(runs) };
    },
    [runs, stepWindow],
  );
  const live = useLiveModel(build);
  const view = useLiveView(
    live,
    (m) => `${linesKey(m.lines)}\n${yKey(m.y)}\n${JSON.stringify(m.divergences)}`,
    VIEW_INTERVAL_MS,
  );
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m.lines, m.divergences)), [live]);
  const eventList = eventMarkers(runs);
  const events = useStable(eventList, JSON.stringify(eventList));
  return (
    <ChartFrame
      id="global-norm"
      title="Global gradient norm (log scale)"
      summary="The size of the whole gradient: solid as computed, dashed after clipping."
      note={breakNote(view.y.axis, runs)}
      description={description}
      help="The length of the whole gradient, ||g|| = sqrt of the sum of every squared partial derivative. Solid: as backpropagation computed it. Dashed: what the optimiser actually applied after clipping."
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="||g||"
        divergences={view.divergences}
        events={events}
        live={live}
      />
    </ChartFrame>
  );
}
