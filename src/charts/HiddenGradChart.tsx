/**
 * ||dL/dh_t|| across every time step (28 for MNIST, T for the adding problem), one line per measurement (lighter =
 * earlier in training): the BPTT picture. Lines that fall toward t = 1 show a
 * vanishing gradient; lines that rise toward t = 1 show it exploding.
 */
import { useCallback, useRef, useState } from 'react';
import type { RunSide } from '../experiment/config.ts';
import { hiddenGradChartWords } from '../present/chartWords.ts';
import { modelOf } from '../present/claims.ts';
import { formatNumber } from '../present/describe.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { DeferredPlot, fetchPlotCode } from './DeferredPlot.tsx';
import type { HiddenGradPlot } from './HiddenGradPlot.tsx';
import { useLiveModel, useLiveView, type SeriesList } from './live.ts';
import { runLabel } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX } from './StepChart.tsx';
import { useChartRuns } from './useSeries.ts';
import { useLegendGrowth } from './legendGrowth.ts';

/** recharts comes in its own chunk, fetched when a recurrent run's chart first draws (see DeferredPlot.tsx). */
let Plot: typeof HiddenGradPlot | null = null;
const plotCode = fetchPlotCode(
  () =>
    import('./HiddenGradPlot.tsx').then((m) => {
      Plot = m.HiddenGradPlot;
    }),
  'asked',
);

const MAX_LINES = 7;
/** A new measurement comes every few steps: redrawn at most once a second while training. */
const HIDDEN_VIEW_INTERVAL_MS = 1000;

function shade(fraction: number): string {
  // From light to dark blue-violet as training goes on.
  const lightness = 78 - 50 * fraction;
  return `hsl(250, 60%, ${lightness}%)`;
}

export function HiddenGradChart({ side }: { side: RunSide }) {
  const runs = useChartRuns();
  const [layer, setLayer] = useState(0);
  const build = useCallback(
    (series: SeriesList) => {
      const run = series.find(([s]) => s === side)?.[1];
      const snapshots = run?.hidden ?? [];
      const timeSteps = run?.layout.timeSteps ?? 28;
      const pick: typeof snapshots = [];
      if (snapshots.length <= MAX_LINES) pick.push(...snapshots);
      else {
        // MAX_LINES snapshots spread evenly from the first to the last.
        for (let k = 0; k < MAX_LINES; k++) {
          const snapshot = snapshots[Math.round((k * (snapshots.length - 1)) / (MAX_LINES - 1))];
          if (snapshot) pick.push(snapshot);
        }
      }
      const lines = pick.map((snap, k) => ({
        key: `s${snap.step}`,
        name: `step ${snap.step}`,
        color: shade(pick.length === 1 ? 1 : k / (pick.length - 1)),
        points: snap.norms
          .slice(layer * timeSteps, (layer + 1) * timeSteps)
          .map((y, t) => ({ x: t + 1, y }))
          .filter((p) => Number.isFinite(p.y) && p.y > 0),
      }));
      // One axis for both runs' charts (every layer of every measurement), so the pair compares at a glance.
      const all: number[] = [];
      for (const [, r] of series) for (const snap of r.hidden) for (const v of snap.norms) all.push(v);
      const axis = logAxis(all, PLOT_PX);
      const plotted = lines.map((l) => ({ ...l, points: l.points.map((p) => ({ x: p.x, y: axis.toUnit(p.y) })) }));
      const latest = lines[lines.length - 1];
      const description = latest
        ? `Latest measurement, ${latest.name}: ||dL/dh_t|| is ${formatNumber(latest.points[0]?.y ?? NaN)} at t = 1 and ${formatNumber(latest.points[latest.points.length - 1]?.y ?? NaN)} at t = ${timeSteps}.`
        : 'No measurement yet.';
      return {
        lines: plotted,
        axis,
        count: snapshots.length,
        description,
        layers: run?.layout.hiddenLayers ?? 0,
        steps: timeSteps,
        model: run ? modelOf(run.layout) : ('dense' as const),
        // What this chart draws changes only with a new measurement (or a new axis), not with every step.
        key: `${layer} ${run ? 1 : 0} ${snapshots.length} ${pick.map((p) => p.step).join()} ${axis.lo} ${axis.hi}`,
      };
    },
    [side, layer],
  );
  const live = useLiveModel(build);
  const { lines, axis, count, description, layers, steps, model } = useLiveView(
    live,
    (m) => m.key,
    HIDDEN_VIEW_INTERVAL_MS,
  );
  const words = hiddenGradChartWords(model, steps, count);
  // The plot keeps its height when the legend of measurements wraps (on a phone).
  const wrapperRef = useRef<HTMLDivElement>(null);
  const height = 220 + useLegendGrowth(wrapperRef, lines.map((l) => l.name).join('\n'));
  if (layers === 0 || !words) return null;
  return (
    <ChartFrame
      id={`hidden-${side}`}
      title={`${runLabel(runs, side)} run: ${words.title}`}
      summary={words.summary}
      description={description}
      help={words.help}
    >
      {layers > 1 && (
        <label className="inline">
          Layer{' '}
          <select value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
            {Array.from({ length: layers }, (_, l) => (
              <option key={l} value={l}>
                {l + 1}
              </option>
            ))}
          </select>
        </label>
      )}
      <div ref={wrapperRef}>
        <DeferredPlot
          height={height}
          code={plotCode}
          draw={(width) =>
            Plot && <Plot lines={lines} axis={axis} steps={steps} height={height} initialWidth={width} />
          }
        />
      </div>
    </ChartFrame>
  );
}
