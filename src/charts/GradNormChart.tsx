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
import { logAxis, type LogAxis } from './scales.ts';
import { PLOT_PX, StepChart, type LineSpec } from './StepChart.tsx';
import { linesHavePoints } from './useLogLines.ts';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

const CLIP_COLOR = '#f0a500';

type Runs = Partial<Record<RunSide, RunView>>;

/** A run's per-layer lines: each layer's norm before clipping and, where the run clips, after. */
function linesOf(s: RunSide, r: RunSeries, runs: Runs, stepWindow: [number, number]): LineSpec[] {
  const options = { positiveOnly: true };
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
}

/**
 * Every run's lines and the axis they share, so the runs' charts compare at a glance. Each run's chart needs the
 * same: worked out once per change of the series, runs or step window, not once
 * per chart (a race of four's four charts spent a tenth of the page's time building it four times over).
 */
let shared: { key: readonly unknown[]; all: LineSpec[]; axis: LogAxis } | null = null;

function everyRunsLines(series: SeriesList, runs: Runs, stepWindow: [number, number]) {
  // The series themselves and how many steps each holds: what the lines are drawn from.
  const key = [runs, stepWindow[0], stepWindow[1], ...series.flatMap(([s, r]) => [s, r, r.count])];
  if (shared && shared.key.length === key.length && shared.key.every((k, i) => k === key[i])) return shared;
  const all: LineSpec[] = series.flatMap(([s, r]) => linesOf(s, r, runs, stepWindow));
  const thresholds = (Object.values(runs) as RunView[]).flatMap((r) =>
    gradNormChartWords(r.clip).lines.map((l) => l.value),
  );
  const values = [...all.flatMap((l) => l.points.map((p) => p.y)), ...thresholds];
  const focus = focusValues(all, runs);
  const axis = logAxis(values, PLOT_PX, focus.length > 0 ? [...focus, ...thresholds] : undefined);
  shared = { key, all, axis };
  return shared;
}

export function GradNormChart({ side }: { side: RunSide }) {
  const runs = useChartRuns();
  const run = runs[side];
  const stepWindow = useStepWindow();
  // Only per-tensor clipping holds a layer's tensors to c; the global modes' c is on the global-norm chart.
  const words = run ? gradNormChartWords(run.clip) : null;
  const build = useCallback(
    (series: SeriesList) => {
      const { all, axis } = everyRunsLines(series, runs, stepWindow);
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
