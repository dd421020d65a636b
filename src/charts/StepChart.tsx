/**
 * A chart of values against the training step: min-max downsampled lines,
 * log or linear y, and markers for divergence and clipping. It only draws
 * what it is given; every chart of the lab is one of these or the
 * per-time-step chart.
 */
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatNumber } from '../present/describe.ts';
import type { Point } from '../store/downsample.ts';
import { DIVERGED_COLOR } from './palette.ts';
import { decadeTicks } from './scales.ts';

export interface LineSpec {
  key: string;
  name: string;
  color: string;
  dashed?: boolean;
  points: Point[];
}

export interface StepMarker {
  step: number;
  label: string;
}

export interface StepChartProps {
  lines: LineSpec[];
  xDomain: [number, number];
  yDomain: [number, number] | ['auto', 'auto'];
  yLog: boolean;
  yLabel: string;
  /** Where runs diverged: a red vertical line each. */
  divergences?: StepMarker[];
  /** Horizontal threshold lines (e.g. the clip norm). */
  thresholds?: { value: number; label: string }[];
  /** Steps at which clipping acted, drawn as ticks along the top. */
  clipMarks?: { color: string; name: string; steps: number[] } | undefined;
  height?: number;
}

export function StepChart({
  lines,
  xDomain,
  yDomain,
  yLog,
  yLabel,
  divergences = [],
  thresholds = [],
  clipMarks,
  height = 220,
}: StepChartProps) {
  const top = yDomain[1] === 'auto' ? undefined : yDomain[1];
  // Decade ticks on a log axis with a known domain; otherwise recharts picks them.
  const yTicks = yLog && yDomain[0] !== 'auto' ? { ticks: decadeTicks(yDomain as [number, number]) } : {};
  return (
    <ResponsiveContainer width="100%" height={height}>
      <ComposedChart margin={{ top: 14, right: 16, bottom: 4, left: 4 }}>
        <CartesianGrid stroke="#e3e6ea" />
        <XAxis
          dataKey="x"
          type="number"
          domain={xDomain}
          allowDataOverflow
          tickFormatter={(v: number) => formatNumber(v)}
          label={{ value: 'step', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
        />
        <YAxis
          type="number"
          scale={yLog ? 'log' : 'linear'}
          domain={yDomain}
          allowDataOverflow
          {...yTicks}
          tickFormatter={(v: number) => formatNumber(v, 2)}
          width={58}
          label={{ value: yLabel, angle: -90, position: 'insideLeft', fontSize: 11, dy: 40 }}
        />
        <Tooltip
          formatter={(v) => formatNumber(Number(v), 4)}
          labelFormatter={(v) => `step ${v}`}
          isAnimationActive={false}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {lines.map((line) => (
          <Line
            key={line.key}
            data={line.points}
            dataKey="y"
            name={line.name}
            stroke={line.color}
            {...(line.dashed ? { strokeDasharray: '5 3' } : {})}
            dot={false}
            strokeWidth={1.6}
            isAnimationActive={false}
            connectNulls
          />
        ))}
        {clipMarks && clipMarks.steps.length > 0 && top !== undefined && (
          <Scatter
            data={clipMarks.steps.map((x) => ({ x, y: top }))}
            dataKey="y"
            name={clipMarks.name}
            fill={clipMarks.color}
            shape={(props: { cx?: number | undefined; cy?: number | undefined }) => (
              <rect x={(props.cx ?? 0) - 0.75} y={(props.cy ?? 0) - 1} width={1.5} height={8} fill={clipMarks.color} />
            )}
            isAnimationActive={false}
            legendType="rect"
          />
        )}
        {thresholds.map((t) => (
          <ReferenceLine
            key={`t-${t.label}`}
            y={t.value}
            stroke="#555"
            strokeDasharray="2 3"
            label={{ value: t.label, position: 'insideTopRight', fontSize: 11, fill: '#444' }}
            ifOverflow="extendDomain"
          />
        ))}
        {divergences.map((d) => (
          <ReferenceLine
            key={`d-${d.label}`}
            x={d.step}
            stroke={DIVERGED_COLOR}
            strokeWidth={2}
            label={{ value: d.label, position: 'insideTopLeft', fontSize: 11, fill: DIVERGED_COLOR }}
          />
        ))}
      </ComposedChart>
    </ResponsiveContainer>
  );
}
