/**
 * ||dL/dh_t|| across every time step (28 for MNIST, T for the adding problem), one line per measurement (lighter =
 * earlier in training): the BPTT picture. Lines that fall toward t = 1 show a
 * vanishing gradient; lines that rise toward t = 1 show it exploding.
 */
import { useCallback, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunSide } from '../experiment/config.ts';
import { hiddenGradChartWords } from '../present/chartWords.ts';
import { modelOf } from '../present/claims.ts';
import { formatNumber } from '../present/describe.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { useLiveModel, useLiveView, type SeriesList } from './live.ts';
import { runLabel } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX } from './StepChart.tsx';
import { useChartRuns } from './useSeries.ts';
import { useLegendGrowth } from './legendGrowth.ts';

const MAX_LINES = 7;
/** A new measurement comes every few steps: redrawn at most once a second while training. */
const HIDDEN_VIEW_INTERVAL_MS = 1000;

/** Five x ticks from t = 1 to t = T: 1, 7, 14, 21, 28 for MNIST's 28 steps. */
export function timeTicks(steps: number): number[] {
  const ticks = [1, ...[1, 2, 3].map((q) => Math.round((q * steps) / 4)), steps];
  return ticks.filter((t, i) => t >= 1 && ticks.indexOf(t) === i);
}

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
        <ResponsiveContainer width="100%" height={height}>
          <LineChart margin={{ top: 10, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
            <CartesianGrid stroke="#e3e6ea" />
            <XAxis
              dataKey="x"
              type="number"
              domain={[1, steps]}
              ticks={timeTicks(steps)}
              label={{ value: 'time step t', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
            />
            <YAxis
              type="number"
              domain={[0, 1]}
              allowDataOverflow
              ticks={axis.ticks.map((t) => t.unit)}
              interval={0}
              tickFormatter={(v: number) => axis.ticks.find((t) => t.unit === v)?.label ?? ''}
              width={58}
            />
            <Tooltip
              formatter={(v) => formatNumber(axis.fromUnit(Number(v)), 3)}
              labelFormatter={(v) => `t = ${v}`}
              isAnimationActive={false}
            />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {lines.map((line) => (
              <Line
                key={line.key}
                data={line.points}
                dataKey="y"
                name={line.name}
                stroke={line.color}
                dot={false}
                strokeWidth={1.6}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </ChartFrame>
  );
}
