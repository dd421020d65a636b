/**
 * A chart of values against the training step: min-max downsampled lines,
 * log or linear y, and markers for divergence and clipping. It only draws
 * what it is given; every chart of the lab is one of these or the
 * per-time-step chart.
 */
import { useCallback, useMemo } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  usePlotArea,
  useXAxisScale,
} from 'recharts';
import { formatNumber } from '../present/describe.ts';
import type { Point } from '../store/downsample.ts';
import { DIVERGED_COLOR } from './palette.ts';
import { logAxis, type LogAxis } from './scales.ts';
import type { RunSide } from '../experiment/config.ts';

export interface LineSpec {
  key: string;
  name: string;
  color: string;
  dashed?: boolean;
  points: Point[];
  /** Whose line it is: a diverged run's lines may go above an axis break. */
  side?: RunSide;
  /** A run that diverged: its few finite points stay visible as dots, its last one labelled with this. */
  lastLabel?: string;
}

export interface StepMarker {
  step: number;
  label: string;
}

/** The y axis: linear over a domain, or log (decade ticks, perhaps a break) as scales.ts's logAxis made it. */
export type YAxisSpec = { kind: 'linear'; domain: [number, number] } | { kind: 'log'; axis: LogAxis };

/** About how many pixels tall the plotting area of a 220 px step chart is (legend and x axis taken off). */
export const PLOT_PX = 140;

export interface StepChartProps {
  lines: LineSpec[];
  xDomain: [number, number];
  /** The y axis; without it, `yDomain` and `yLog` (the older form, still used by the cliff lesson). */
  y?: YAxisSpec;
  yDomain?: [number, number];
  yLog?: boolean;
  yLabel: string;
  /** Where runs diverged: a thin red vertical line each, at the first step that was not finite. */
  divergences?: StepMarker[];
  /** Narrated events: a faint line in the run's colour with the event's number, told in "What happened". */
  events?: (StepMarker & { color: string })[];
  /** Horizontal threshold lines (e.g. the clip norm). */
  thresholds?: { value: number; label: string }[];
  /** Steps at which clipping acted, drawn as ticks along the top. */
  clipMarks?: { color: string; name: string; steps: number[] } | undefined;
  height?: number;
}

/**
 * The steps where clipping acted, as ticks along the top of the plot: one <path>. (A recharts Scatter of
 * up to 300 points was a component with event handlers per point, the costliest part of a redraw.)
 */
function ClipTicks({ steps, color }: { steps: number[]; color: string }) {
  const x = useXAxisScale();
  const area = usePlotArea();
  if (!x || !area) return null;
  let d = '';
  for (const step of steps) {
    const px = x(step);
    if (px === undefined || !(px >= area.x && px <= area.x + area.width)) continue;
    d += `M${px.toFixed(1)} ${area.y}v8`;
  }
  return <path className="clip-ticks" d={d} stroke={color} strokeWidth={1.5} fill="none" />;
}

/*
 * Props recharts 3 compares by reference: a new object or function on every redraw makes it store the
 * setting again and recompute the chart's layout. Constants live here; the rest is memoised below.
 */
const MARGIN = { top: 14, right: 16, bottom: 4, left: 4 };
const X_LABEL = { value: 'step', position: 'insideBottomRight', offset: -2, fontSize: 11 } as const;
const LEGEND_STYLE = { fontSize: 12 };
const BREAK_LABEL = { value: '≈ axis break', position: 'insideTopRight', fontSize: 10, fill: '#5b6572' } as const;
const formatStep = (v: number) => formatNumber(v);
const stepLabel = (v: unknown) => `step ${String(v)}`;
const LABELS = new Map<string, { value: string; position: LabelPosition; fontSize: number; fill: string }>();

type LabelPosition = 'insideTopRight' | 'insideBottomLeft' | 'insideTopLeft';
const NO_EVENTS: (StepMarker & { color: string })[] = [];

/** One label object per text and place, the same on every redraw. */
function referenceLabel(value: string, position: LabelPosition, fill: string) {
  const key = `${position}|${fill}|${value}`;
  let label = LABELS.get(key);
  if (!label) {
    if (LABELS.size > 512) LABELS.clear();
    label = { value, position, fontSize: 11, fill };
    LABELS.set(key, label);
  }
  return label;
}

/** Few enough points to draw each as a dot: a diverged run's handful of finite steps. */
const DOTS_UP_TO = 60;

export function StepChart({
  lines,
  xDomain,
  y: ySpec,
  yDomain,
  yLog = false,
  yLabel,
  divergences = [],
  events = NO_EVENTS,
  thresholds = [],
  clipMarks,
  height = 220,
}: StepChartProps) {
  const y = useMemo(
    (): YAxisSpec =>
      ySpec ??
      (yLog ? { kind: 'log', axis: logAxis(yDomain ?? [], PLOT_PX) } : { kind: 'linear', domain: yDomain ?? [0, 1] }),
    [ySpec, yDomain, yLog],
  );
  const axis = y.kind === 'log' ? y.axis : null;
  const plotted = useMemo(
    () =>
      axis
        ? lines.map((line) => ({ ...line, points: line.points.map((p) => ({ x: p.x, y: axis.toUnit(p.y) })) }))
        : lines,
    [lines, axis],
  );
  const linearDomain = y.kind === 'linear' ? y.domain : null;
  const domain = useMemo((): [number, number] => linearDomain ?? [0, 1], [linearDomain]);
  const toY = (v: number) => (axis ? axis.toUnit(v) : v);
  const yAxisProps = useMemo(() => {
    if (!axis) return { tickFormatter: (v: number) => formatNumber(v, 2) };
    const labels = new Map(axis.ticks.map((t) => [t.unit, t.label]));
    return {
      ticks: axis.ticks.map((t) => t.unit),
      interval: 0 as const,
      tickFormatter: (v: number) => labels.get(v) ?? '',
    };
  }, [axis]);
  const gridValues = useMemo(
    () => (axis ? { horizontalValues: axis.ticks.filter((t) => t.label !== '').map((t) => t.unit) } : {}),
    [axis],
  );
  const yAxisLabel = useMemo(
    () => ({ value: yLabel, angle: -90, position: 'insideLeft', fontSize: 11, dy: 40 }) as const,
    [yLabel],
  );
  const tooltipValue = useCallback(
    (v: unknown) => formatNumber(axis ? axis.fromUnit(Number(v)) : Number(v), 4),
    [axis],
  );
  return (
    <ResponsiveContainer width="100%" height={height}>
      <ComposedChart margin={MARGIN} accessibilityLayer={false}>
        {/* Grid lines at the labelled decades only: a squeezed segment would otherwise be a hatch of lines. */}
        <CartesianGrid stroke="#e3e6ea" {...gridValues} />
        <XAxis
          dataKey="x"
          type="number"
          domain={xDomain}
          allowDataOverflow
          tickFormatter={formatStep}
          label={X_LABEL}
        />
        <YAxis type="number" domain={domain} allowDataOverflow {...yAxisProps} width={58} label={yAxisLabel} />
        <Tooltip formatter={tooltipValue} labelFormatter={stepLabel} isAnimationActive={false} />
        <Legend wrapperStyle={LEGEND_STYLE} />
        {axis?.breakValue != null && (
          <ReferenceLine
            y={toY(axis.breakValue)}
            stroke="#8a94a3"
            strokeDasharray="6 2 1 2"
            strokeWidth={1.5}
            label={BREAK_LABEL}
          />
        )}
        {plotted.map((line) => {
          const dots = line.lastLabel !== undefined && line.points.length <= DOTS_UP_TO;
          return (
            <Line
              key={line.key}
              data={line.points}
              dataKey="y"
              name={line.name}
              stroke={line.color}
              {...(line.dashed ? { strokeDasharray: '5 3' } : {})}
              dot={dots ? { r: 2.5, fill: line.color, stroke: line.color } : false}
              strokeWidth={1.6}
              isAnimationActive={false}
              connectNulls
            />
          );
        })}
        {plotted.map((line) => {
          const last = line.points[line.points.length - 1];
          if (line.lastLabel === undefined || !last) return null;
          return (
            <ReferenceDot
              key={`last-${line.key}`}
              x={last.x}
              y={last.y}
              r={4}
              fill={line.color}
              stroke="#fff"
              {...(line.lastLabel
                ? {
                    label: {
                      value: line.lastLabel,
                      position: 'right',
                      fontSize: 11,
                      fill: line.color,
                      fontWeight: 600,
                    },
                  }
                : {})}
            />
          );
        })}
        {clipMarks && clipMarks.steps.length > 0 && (
          // No points: this only puts "clipping acted" in the legend; ClipTicks draws the marks.
          <Scatter data={[]} dataKey="y" name={clipMarks.name} fill={clipMarks.color} legendType="rect" />
        )}
        {clipMarks && clipMarks.steps.length > 0 && <ClipTicks steps={clipMarks.steps} color={clipMarks.color} />}
        {thresholds.map((t) => (
          <ReferenceLine
            key={`t-${t.label}`}
            y={toY(t.value)}
            stroke="#555"
            strokeDasharray="2 3"
            label={referenceLabel(t.label, 'insideTopRight', '#444')}
            ifOverflow="extendDomain"
          />
        ))}
        {events.map((e) => (
          <ReferenceLine
            key={`e-${e.label}`}
            x={e.step}
            stroke={e.color}
            strokeOpacity={0.45}
            strokeWidth={1}
            label={referenceLabel(e.label, 'insideTopLeft', e.color)}
          />
        ))}
        {divergences.map((d) => (
          <ReferenceLine
            key={`d-${d.label}`}
            x={d.step}
            stroke={DIVERGED_COLOR}
            strokeWidth={1}
            strokeDasharray="4 3"
            label={referenceLabel(d.label, 'insideBottomLeft', DIVERGED_COLOR)}
          />
        ))}
      </ComposedChart>
    </ResponsiveContainer>
  );
}
