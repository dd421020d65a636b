/**
 * StepChart's plot, drawn with recharts (axes, grid, legend, tooltip, reference lines) and a canvas of its own for
 * the lines. Loaded apart from the page's first JavaScript (StepChart.tsx), since recharts is most of it.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  type LegendPayload,
  Line,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  usePlotArea,
  useXAxisDomain,
  useXAxisScale,
  useYAxisDomain,
  useYAxisScale,
} from 'recharts';
import { formatNumber } from '../present/describe.ts';
import type { Point } from '../store/downsample.ts';
import { isPrinting } from './printing.ts';
import { paint, registerPainter, type CanvasPicture, type PlotGeometry } from './lineCanvas.ts';
import { useLiveWhile } from './live.ts';
import { useChartHeight } from './chartHeight.ts';
import { lookColor, lookTextColor, useChartLook, type ChartLook } from './chartLook.ts';
import { useLegendGrowth } from './legendGrowth.ts';
import { LineLegend, type LegendLook } from './LineLegend.tsx';
import { DIVERGED_COLOR, KNOB_COLOR } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX, type LineSpec, type StepChartProps, type StepMarker, type YAxisSpec } from './StepChart.tsx';

/**
 * Paints a chart's lines on its canvas on an animation frame, at most once a frame, and not while the
 * chart is off screen (it catches up when it comes back).
 */
class LinePainter {
  private canvas: HTMLCanvasElement | null = null;
  private geometry: PlotGeometry | null = null;
  private picture: () => CanvasPicture | null = () => null;
  private onScreen = true;
  private stale = false;
  private frame = 0;
  private placed = '';

  request = (): void => {
    // While printing, every chart paints, on screen or not, and at once: the page is laid out for paper next.
    if (isPrinting()) {
      this.draw();
      return;
    }
    if (!this.onScreen) {
      this.stale = true;
      return;
    }
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  };

  setOnScreen(onScreen: boolean): void {
    this.onScreen = onScreen;
    if (onScreen && this.stale) {
      this.stale = false;
      this.request();
    }
  }

  /**
   * Printing shows every chart, the ones scrolled out of view too, which have not painted since: paint now
   * (printing lays the page out before it prints, after this event).
   */
  private readonly paintForPrint = (): void => {
    this.stale = false;
    this.draw();
  };

  /** The canvas to paint (null: none now). */
  attach(canvas: HTMLCanvasElement | null): void {
    this.canvas = canvas;
    if (canvas) registerPainter(canvas, this.render);
    window.addEventListener('beforeprint', this.paintForPrint);
    this.request();
  }

  /** What to paint, read at paint time. */
  follow(picture: () => CanvasPicture | null): void {
    this.picture = picture;
    this.request();
  }

  setGeometry(geometry: PlotGeometry): void {
    this.geometry = geometry;
    this.request();
  }

  private draw(): void {
    const { canvas, geometry: g } = this;
    const picture = this.picture();
    if (!canvas || !g || !picture) return;
    const place = `${g.x},${g.y},${g.width},${g.height}`;
    if (place !== this.placed) {
      this.placed = place;
      canvas.style.left = `${g.x}px`;
      canvas.style.top = `${g.y}px`;
      canvas.style.width = `${g.width}px`;
      canvas.style.height = `${g.height}px`;
    }
    paint(canvas, g, picture, window.devicePixelRatio || 1);
  }

  /** The current picture on a new canvas at `scale` (for a saved image). */
  render = (scale: number): HTMLCanvasElement | null => {
    const picture = this.picture();
    if (!this.geometry || !picture) return null;
    const canvas = document.createElement('canvas');
    paint(canvas, this.geometry, picture, scale);
    return canvas;
  };

  dispose(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    window.removeEventListener('beforeprint', this.paintForPrint);
  }
}

/** The two ends of a numeric axis domain, or null. */
function domainEnds(domain: readonly unknown[] | undefined): [number, number] | null {
  if (!domain || domain.length < 2) return null;
  const lo = Number(domain[0]);
  const hi = Number(domain[domain.length - 1]);
  return Number.isFinite(lo) && Number.isFinite(hi) && hi !== lo ? [lo, hi] : null;
}

/** px = a * value + b for a linear scale, from its values at the domain's ends. */
function affine(scale: ((v: unknown) => number | undefined) | undefined, ends: [number, number] | null) {
  if (!scale || !ends) return null;
  const p0 = scale(ends[0]);
  const p1 = scale(ends[1]);
  if (p0 === undefined || p1 === undefined || !Number.isFinite(p0) || !Number.isFinite(p1)) return null;
  const a = (p1 - p0) / (ends[1] - ends[0]);
  return { a, b: p0 - a * ends[0] };
}

/** Inside the chart: hands the plot area and the chart's own scales to the painter whenever they change. */
function PlotProbe({ painter }: { painter: LinePainter }) {
  const area = usePlotArea();
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const xEnds = domainEnds(useXAxisDomain());
  const yEnds = domainEnds(useYAxisDomain());
  const x = affine(xScale, xEnds);
  const y = affine(yScale, yEnds);
  const key =
    area && x && y ? [area.x, area.y, area.width, area.height, x.a, x.b, y.a, y.b].map((v) => v.toFixed(3)).join() : '';
  useLayoutEffect(() => {
    if (!area || !x || !y || key === '') return;
    painter.setGeometry({
      x: area.x,
      y: area.y,
      width: area.width,
      height: area.height,
      ax: x.a,
      bx: x.b,
      ay: y.a,
      by: y.b,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is everything the geometry is made of
  }, [painter, key]);
  return null;
}

/*
 * Props recharts 3 compares by reference: a new object or function on every redraw makes it store the
 * setting again and recompute the chart's layout. Constants live here; the rest is memoised below.
 */
const MARGIN = { top: 14, right: 16, bottom: 4, left: 4 };
/** The look's text sizes and colours as recharts props, one object per look (chartLook.ts). */
const LOOK_PROPS = new Map<ChartLook, ReturnType<typeof lookProps>>();
function lookProps(look: ChartLook) {
  const big = look.fontPx;
  return {
    xLabel: { value: 'step', position: 'insideBottomRight', offset: -2, fontSize: big ?? 11 } as const,
    legend: { fontSize: big ?? 12 },
    breakLabel: { value: '≈ axis break', position: 'insideTopRight', fontSize: big ?? 10, fill: look.faint } as const,
    // recharts' own tick size unless presenting (a prop left out, so the normal look's layout is as it was).
    tick: big ? { fontSize: big } : undefined,
    xAxisPx: big ? Math.round(big * 1.9) : 30,
  };
}
function propsOf(look: ChartLook) {
  let props = LOOK_PROPS.get(look);
  if (!props) LOOK_PROPS.set(look, (props = lookProps(look)));
  return props;
}

/** The lines in the look's colours (the same array in the light theme). */
function lookLines<T extends { color: string }>(lines: readonly T[], look: ChartLook): readonly T[] {
  if (look.theme === 'light') return lines;
  return lines.map((l) => ({ ...l, color: lookColor(look, l.color) }));
}
const formatStep = (v: number) => formatNumber(v);
const stepLabel = (v: unknown) => `step ${String(v)}`;
const LABELS = new Map<string, { value: string; position: LabelPosition; fontSize: number; fill: string }>();

type LabelPosition = 'insideTopRight' | 'insideBottomLeft' | 'insideTopLeft';
const NO_EVENTS: (StepMarker & { color: string })[] = [];

/** One label object per text and place, the same on every redraw. */
function referenceLabel(value: string, position: LabelPosition, fill: string, fontSize = 11) {
  const key = `${position}|${fill}|${fontSize}|${value}`;
  let label = LABELS.get(key);
  if (!label) {
    if (LABELS.size > 512) LABELS.clear();
    label = { value, position, fontSize, fill };
    LABELS.set(key, label);
  }
  return label;
}

/** What of a line its legend entry shows. */
function legendLookKey(line: LineSpec): string {
  const marker = line.marker ? `${line.marker.shape}${line.marker.hollow ? '-hollow' : ''}` : '';
  return `${line.name}|${line.color}|${line.dashed ? 1 : 0}|${marker}`;
}

/** Few enough points to draw each as a dot: a diverged run's handful of finite steps. */
const DOTS_UP_TO = 60;
const NO_POINTS: Point[] = [];

/** Memoised: a chart whose inputs kept their identity is not rendered again (its canvas follows `live`). */
export const StepChartPlot = memo(function StepChartPlot({
  lines: givenLines,
  xDomain,
  y: ySpec,
  yDomain,
  yLog = false,
  yLabel,
  divergences = [],
  events = NO_EVENTS,
  thresholds = [],
  clipMarks,
  height: ownHeight = 220,
  live,
  initialWidth = 0,
}: StepChartProps) {
  // A layout may size every chart (the embedded view fits them to its frame): chartHeight.ts.
  const height = useChartHeight(ownHeight);
  // The theme's colours and presenter mode's sizes (chartLook.ts).
  const look = useChartLook();
  const sizes = propsOf(look);
  const lines = useMemo(() => lookLines(givenLines, look) as LineSpec[], [givenLines, look]);
  // The tooltip reads the points recharts was given: keep them current while the pointer is on the chart;
  // otherwise they are those of the last render, drawn invisibly. (Not with `playing`: Pause would then
  // re-render every chart in its click.)
  const [hovered, setHovered] = useState(false);
  const following = useLiveWhile(live, hovered);
  const followedLines = following?.lines;
  const dataLines = useMemo(
    () => (followedLines ? (lookLines(followedLines, look) as LineSpec[]) : lines),
    [followedLines, lines, look],
  );
  const y = useMemo(
    (): YAxisSpec =>
      ySpec ??
      (yLog ? { kind: 'log', axis: logAxis(yDomain ?? [], PLOT_PX) } : { kind: 'linear', domain: yDomain ?? [0, 1] }),
    [ySpec, yDomain, yLog],
  );
  const axis = y.kind === 'log' ? y.axis : null;
  // recharts draws no line (the canvas does): it needs a line's points only for the tooltip (while hovered)
  // and a diverged run's dots. Hundreds of invisible points made each of its re-renders a long task.
  const plotted = useMemo(
    () =>
      dataLines.map((line) => {
        const dots = line.lastLabel !== undefined && line.points.length <= DOTS_UP_TO;
        const last = line.points[line.points.length - 1];
        const toUnit = (p: Point) => (axis ? { x: p.x, y: axis.toUnit(p.y) } : p);
        return {
          ...line,
          points: following || dots ? line.points.map(toUnit) : NO_POINTS,
          last: last && toUnit(last),
          dots,
        };
      }),
    [dataLines, axis, following],
  );
  const [painter] = useState(() => new LinePainter());
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapperRef = useRef<HTMLDivElement>(null);
  // The plot keeps its height however many rows the legend wraps to: the chart grows by the legend's extra rows.
  const legendExtra = useLegendGrowth(wrapperRef, dataLines.map((l) => l.name).join('\n'));
  // The legend draws each line as the canvas paints it; a new function only when an entry's look changes
  // (recharts lays the chart out again for a new `content`).
  const looksKey = dataLines.map((l) => legendLookKey(l)).join('\n');
  const legendContent = useMemo(() => {
    const looks = new Map<string, LegendLook>(dataLines.map((l) => [l.name, l]));
    return (props: { payload?: readonly LegendPayload[] }) => <LineLegend payload={props.payload} looks={looks} />;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `looksKey` is all of the lines the legend reads
  }, [looksKey]);
  const chartHeight = height + legendExtra;
  // What the canvas paints: the live lines when there are some, else these props.
  useLayoutEffect(() => {
    painter.follow(() => {
      const now = live?.get();
      // The axis recharts shows (the live one may be a render ahead): the lines agree with its labels. But a
      // run's first point is painted on the live axis before React renders the axis for it, so Play shows the
      // first step a frame after it arrives; the chart had no line then, so no label disagrees with it.
      const shownY = now && !lines.some((l) => l.points.length > 0) ? now.y : y;
      const toY = shownY.kind === 'log' ? shownY.axis.toUnit : (v: number) => v;
      const steps = now ? now.clipSteps : clipMarks?.steps;
      return {
        lines: now ? lookLines(now.lines, look) : lines,
        toY,
        clipTicks: clipMarks && steps ? { color: clipMarks.color, steps } : undefined,
        lineWidth: look.lineWidthPx,
        rim: look.surface,
      };
    });
  }, [painter, live, lines, y, clipMarks, look]);
  useEffect(() => live?.subscribe(painter.request), [live, painter]);
  useEffect(() => {
    const wrapper = wrapperRef.current;
    painter.attach(canvasRef.current);
    let observer: IntersectionObserver | null = null;
    if (wrapper && typeof IntersectionObserver !== 'undefined') {
      observer = new IntersectionObserver(([entry]) => painter.setOnScreen(entry?.isIntersecting ?? true), {
        rootMargin: '200px 0px',
      });
      observer.observe(wrapper);
    }
    return () => {
      observer?.disconnect();
      painter.dispose();
    };
  }, [painter]);
  const linearDomain = y.kind === 'linear' ? y.domain : null;
  const domain = useMemo((): [number, number] => linearDomain ?? [0, 1], [linearDomain]);
  const toY = (v: number) => (axis ? axis.toUnit(v) : v);
  const linearTicks = y.kind === 'linear' ? y.ticks : undefined;
  const yAxisProps = useMemo(() => {
    if (!axis)
      return {
        tickFormatter: (v: number) => formatNumber(v, 2),
        ...(linearTicks ? { ticks: linearTicks, interval: 0 as const } : {}),
      };
    const labels = new Map(axis.ticks.map((t) => [t.unit, t.label]));
    return {
      ticks: axis.ticks.map((t) => t.unit),
      interval: 0 as const,
      tickFormatter: (v: number) => labels.get(v) ?? '',
    };
  }, [axis, linearTicks]);
  const gridValues = useMemo(
    () => (axis ? { horizontalValues: axis.ticks.filter((t) => t.label !== '').map((t) => t.unit) } : {}),
    [axis],
  );
  const yAxisLabel = useMemo(
    () => ({ value: yLabel, angle: -90, position: 'insideLeft', fontSize: look.fontPx ?? 11, dy: 40 }) as const,
    [yLabel, look],
  );
  const tooltipValue = useCallback(
    (v: unknown) => formatNumber(axis ? axis.fromUnit(Number(v)) : Number(v), 4),
    [axis],
  );
  return (
    <div
      ref={wrapperRef}
      className="step-chart"
      style={{ height: chartHeight }}
      onPointerEnter={() => setHovered(true)}
      onPointerLeave={() => setHovered(false)}
    >
      <ResponsiveContainer
        width="100%"
        height={chartHeight}
        {...(initialWidth > 0 ? { initialDimension: { width: initialWidth, height: chartHeight } } : {})}
      >
        <ComposedChart margin={MARGIN} accessibilityLayer={false}>
          {/* Grid lines at the labelled decades only: a squeezed segment would otherwise be a hatch of lines. */}
          <CartesianGrid stroke="#e3e6ea" {...gridValues} />
          <XAxis
            dataKey="x"
            type="number"
            domain={xDomain}
            allowDataOverflow
            tickFormatter={formatStep}
            label={sizes.xLabel}
            height={sizes.xAxisPx}
            {...(sizes.tick ? { tick: sizes.tick } : {})}
          />
          <YAxis
            type="number"
            domain={domain}
            allowDataOverflow
            {...yAxisProps}
            width={look.yAxisPx}
            label={yAxisLabel}
            {...(sizes.tick ? { tick: sizes.tick } : {})}
          />
          {hovered && (
            <Tooltip
              formatter={tooltipValue}
              labelFormatter={stepLabel}
              isAnimationActive={false}
              // In the chart's look: presenter mode's text size, and the dark theme's paper and ink.
              contentStyle={{
                background: look.surface,
                borderColor: look.faint,
                ...(look.fontPx ? { fontSize: look.fontPx } : {}),
              }}
              labelStyle={{ color: look.ink }}
            />
          )}
          <Legend wrapperStyle={sizes.legend} content={legendContent} />
          {axis?.breakValue != null && (
            <ReferenceLine
              y={toY(axis.breakValue)}
              stroke="#8a94a3"
              strokeDasharray="6 2 1 2"
              strokeWidth={1.5}
              label={sizes.breakLabel}
            />
          )}
          {plotted.map((line) => {
            const dots = line.dots;
            return (
              <Line
                key={line.key}
                data={line.points}
                dataKey="y"
                name={line.name}
                stroke={line.color}
                // The canvas draws the line; recharts keeps it for the legend, the tooltip and a diverged run's dots.
                strokeOpacity={0}
                {...(line.dashed ? { strokeDasharray: '5 3' } : {})}
                // LineLegend draws the icon (dash and marker) from the line itself.
                legendType="plainline"
                dot={dots ? { r: 2.5, fill: line.color, stroke: line.color, strokeOpacity: 1 } : false}
                strokeWidth={1.6}
                isAnimationActive={false}
                connectNulls
              />
            );
          })}
          {plotted.map((line) => {
            const last = line.last;
            if (line.lastLabel === undefined || !last) return null;
            return (
              <ReferenceDot
                key={`last-${line.key}`}
                x={last.x}
                y={last.y}
                r={4}
                fill={line.color}
                stroke={look.surface}
                {...(line.lastLabel
                  ? {
                      label: {
                        value: line.lastLabel,
                        position: 'right',
                        fontSize: look.labelPx,
                        fill: lookTextColor(look, line.color),
                        fontWeight: 600,
                      },
                    }
                  : {})}
              />
            );
          })}
          {clipMarks && clipMarks.steps.length > 0 && (
            // No points: this only puts "clipping acted" in the legend; the line canvas draws the marks.
            <Scatter data={[]} dataKey="y" name={clipMarks.name} fill={clipMarks.color} legendType="rect" />
          )}
          <PlotProbe painter={painter} />
          {thresholds.map((t) => (
            <ReferenceLine
              key={`t-${t.label}`}
              y={toY(t.value)}
              stroke={look.ink}
              strokeDasharray="2 3"
              label={referenceLabel(t.label, 'insideTopRight', look.ink, look.labelPx)}
              ifOverflow="extendDomain"
            />
          ))}
          {events.map((e) => (
            <ReferenceLine
              key={`e-${e.label}`}
              x={e.step}
              stroke={lookColor(look, e.color)}
              strokeOpacity={0.45}
              strokeWidth={1}
              label={referenceLabel(e.label, 'insideTopLeft', lookTextColor(look, e.color), look.labelPx)}
            />
          ))}
          {divergences.map((d) => (
            <ReferenceLine
              key={`d-${d.label}`}
              x={d.step}
              stroke={lookColor(look, d.kind === 'knob' ? KNOB_COLOR : DIVERGED_COLOR)}
              strokeWidth={look.present ? 2 : 1}
              strokeDasharray={d.kind === 'knob' ? '1 2' : '4 3'}
              label={
                d.kind === 'knob'
                  ? referenceLabel(d.label, 'insideTopRight', lookTextColor(look, KNOB_COLOR), look.labelPx)
                  : referenceLabel(d.label, 'insideBottomLeft', lookTextColor(look, DIVERGED_COLOR), look.labelPx)
              }
            />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
      <canvas ref={canvasRef} className="chart-lines" aria-hidden="true" />
    </div>
  );
});
