/**
 * What a log-scale chart of whole-run lines needs, shared by the loss and global-norm charts: the live
 * model the canvas repaints from, the view React renders (again only when the legend, the axis or the
 * markers change), the latest values in words, and the narrated events to mark.
 */
import { useCallback, useMemo } from 'react';
import type { RunSide } from '../experiment/config.ts';
import type { RunView } from '../store/labStore.ts';
import {
  linesKey,
  mapLive,
  useLiveModel,
  useLiveView,
  useStable,
  VIEW_INTERVAL_MS,
  yKey,
  type SeriesList,
} from './live.ts';
import { divergenceMarkers, focusValues, latestInWords, numberedEvents } from './markers.ts';
import { runColors } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX, type LineSpec } from './StepChart.tsx';
import { usePlotPx } from './chartHeight.ts';
import { AXIS_LABEL_PX, useChartLook } from './chartLook.ts';

const NO_MARKS: readonly number[] = [];

/** Whether some line has a point: the chart's first view with one is rendered at once (live.ts). */
export const linesHavePoints = (m: { lines: readonly LineSpec[] }) => m.lines.some((l) => l.points.length > 0);

/** `makeLines` must keep its identity while its inputs do (useCallback): a new one rebuilds the model. */
/** `marks`: values the axis must show besides the lines (a threshold line), the same array while they do not change. */
export function useLogLines(
  runs: Partial<Record<RunSide, RunView>>,
  makeLines: (series: SeriesList) => LineSpec[],
  marks: readonly number[] = NO_MARKS,
) {
  // The decades are labelled as far apart as the labels need: presenter mode's 20 px labels need more room, so the
  // axis is laid out as for a plot that much shorter (scales.ts spaces labels for 11-12 px text).
  const fontPx = useChartLook().fontPx;
  const plotPx = Math.round(usePlotPx(PLOT_PX) * (fontPx ? AXIS_LABEL_PX / fontPx : 1));
  const build = useCallback(
    (series: SeriesList) => {
      const lines = makeLines(series);
      const focus = focusValues(lines, runs);
      const axis = logAxis(
        [
          ...lines.flatMap((l) => l.points.map((p) => p.y)),
          // A band's edges are on the axis too, so the highest seed is not cut off.
          ...lines.flatMap((l) => (l.band ? [...l.band.lo, ...l.band.hi].map((p) => p.y) : [])),
          ...marks,
        ],
        plotPx,
        focus.length > 0 && marks.length > 0 ? [...focus, ...marks] : focus,
      );
      return { lines, y: { kind: 'log', axis } as const, divergences: divergenceMarkers(runs) };
    },
    [runs, makeLines, marks, plotPx],
  );
  const live = useLiveModel(build);
  const view = useLiveView(
    live,
    (m) => `${linesKey(m.lines)}\n${yKey(m.y)}\n${JSON.stringify(m.divergences)}`,
    VIEW_INTERVAL_MS,
    linesHavePoints,
  );
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m.lines, m.divergences)), [live]);
  // Each narrated event in its run's colour, the colour its clipping gives it (palette.ts).
  const colors = runColors(runs);
  const eventList = numberedEvents(runs).map((e) => ({
    step: e.step,
    label: String(e.n),
    color: colors[e.side] ?? '#5b6572',
  }));
  const events = useStable(eventList, JSON.stringify(eventList));
  return { live, view, description, events };
}
