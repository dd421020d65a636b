/** Per-layer gradient norms of one run, before and after clipping, on axes shared with the other run. */
import { useCallback, useMemo } from 'react';
import type { RunSide } from '../experiment/config.ts';
import { gradNormChartWords, layerInWords } from '../present/chartWords.ts';
import { describeClip } from '../present/describe.ts';
import type { RunView } from '../store/labStore.ts';
import { layerColumn, type RunSeries } from '../store/series.ts';
import { ChartFrame } from './ChartFrame.tsx';
import {
  VIEW_INTERVAL_MS,
  linesKey,
  mapLive,
  useLiveModel,
  useLiveView,
  useStable,
  yKey,
  type SeriesList,
} from './live.ts';
import { breakNote, clipActedSteps, divergenceMarkers, focusValues, latestInWords } from './markers.ts';
import { lookTextColor, useChartLook } from './chartLook.ts';
import { layerColor, runColor, runLabel } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX, StepChart, type LineSpec } from './StepChart.tsx';
import { linesHavePoints } from './useLogLines.ts';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

const CLIP_COLOR = '#f0a500';

export function GradNormChart({ side }: { side: RunSide }) {
  const runs = useChartRuns();
  const run = runs[side];
  const stepWindow = useStepWindow();
  // Only per-tensor clipping holds a layer's tensors to c; the global modes' c is on the global-norm chart.
  const words = run ? gradNormChartWords(run.clip) : null;
  const build = useCallback(
    (series: SeriesList) => {
      const options = { positiveOnly: true };
      const linesOf = (s: RunSide, r: RunSeries): LineSpec[] => {
        const out: LineSpec[] = [];
        const diverged = Boolean(runs[s]?.divergence);
        r.layout.layers.forEach((layer, l) => {
          const color = layerColor(l);
          const pre = r.points(layerColumn('layerNormPre', layer), stepWindow, MAX_POINTS / 2, options);
          out.push({
            key: `${layer}-pre`,
            side: s,
            name: layerInWords(layer),
            color,
            points: pre,
            ...(diverged ? { lastLabel: '' } : {}),
          });
          if (runs[s]?.clip.mode !== 'none') {
            const post = r.points(layerColumn('layerNormPost', layer), stepWindow, MAX_POINTS / 2, options);
            out.push({
              key: `${layer}-post`,
              side: s,
              name: `${layerInWords(layer)}, clipped`,
              color,
              dashed: true,
              points: post,
            });
          }
        });
        return out;
      };
      // One axis for both runs' charts, so they compare at a glance: every line of both, and the thresholds.
      const all: LineSpec[] = series.flatMap(([s, r]) => linesOf(s, r));
      const thresholds = (Object.values(runs) as RunView[]).flatMap((r) =>
        gradNormChartWords(r.clip).lines.map((l) => l.value),
      );
      const values = [...all.flatMap((l) => l.points.map((p) => p.y)), ...thresholds];
      const focus = focusValues(all, runs);
      const axis = logAxis(values, PLOT_PX, focus.length > 0 ? [...focus, ...thresholds] : undefined);
      const mine = series.find(([s]) => s === side)?.[1];
      const clipSteps = mine ? clipActedSteps(mine.points('clipFraction', stepWindow, 600), 300) : [];
      return {
        lines: all.filter((l) => l.side === side),
        y: { kind: 'log', axis } as const,
        clipSteps,
        divergences: divergenceMarkers(runs),
      };
    },
    [runs, side, stepWindow],
  );
  const live = useLiveModel(build);
  // The clip ticks are on the canvas: the plot only needs to know whether there are any (for the legend).
  const view = useLiveView(
    live,
    (m) => `${linesKey(m.lines)}\n${yKey(m.y)}\n${m.clipSteps.length > 0}\n${JSON.stringify(m.divergences)}`,
    VIEW_INTERVAL_MS,
    linesHavePoints,
  );
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m.lines, m.divergences)), [live]);
  const clipMode = run?.clip.mode;
  const look = useChartLook();
  const clipMarks = useMemo(
    () =>
      clipMode === undefined || clipMode === 'none'
        ? undefined
        : { color: CLIP_COLOR, name: 'clipping acted', steps: view.clipSteps },
    [clipMode, view.clipSteps],
  );
  const thresholds = useStable(words?.lines ?? [], JSON.stringify(words?.lines ?? []));
  if (!run) return null;
  const clip = run.clip;
  const title = `${runLabel(runs, side)}: gradient norm per layer`;
  return (
    <ChartFrame
      id={`grad-norm-${side}`}
      title={title}
      summary={
        <>
          <span style={{ color: lookTextColor(look, runColor(runs, side)), fontWeight: 600 }}>
            {describeClip(clip)}.
          </span>{' '}
          {words?.summary}
        </>
      }
      note={breakNote(view.y.axis, runs)}
      description={description}
      help={words?.help ?? ''}
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="||g_layer||"
        thresholds={thresholds}
        divergences={view.divergences}
        clipMarks={clipMarks}
        live={live}
      />
    </ChartFrame>
  );
}
