/**
 * The per-time-step chart's plot (HiddenGradChart.tsx), drawn with recharts: loaded apart from the page's first
 * JavaScript.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '../present/describe.ts';
import type { Point } from '../store/downsample.ts';
import type { LogAxis } from './scales.ts';

/** Five x ticks from t = 1 to t = T: 1, 7, 14, 21, 28 for MNIST's 28 steps. */
export function timeTicks(steps: number): number[] {
  const ticks = [1, ...[1, 2, 3].map((q) => Math.round((q * steps) / 4)), steps];
  return ticks.filter((t, i) => t >= 1 && ticks.indexOf(t) === i);
}

export interface HiddenGradLine {
  key: string;
  name: string;
  color: string;
  /** On the axis's unit scale (LogAxis.toUnit). */
  points: Point[];
}

export function HiddenGradPlot({
  lines,
  axis,
  steps,
  height,
  initialWidth,
}: {
  lines: HiddenGradLine[];
  axis: LogAxis;
  steps: number;
  height: number;
  /** The plot's width when it first draws, if known (0: recharts measures it). */
  initialWidth: number;
}) {
  return (
    <ResponsiveContainer
      width="100%"
      height={height}
      {...(initialWidth > 0 ? { initialDimension: { width: initialWidth, height } } : {})}
    >
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
  );
}
