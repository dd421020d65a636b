/**
 * StepChart's plot: the axes, grid, markers and tooltip as a small SVG of its own, the lines on a canvas over it
 * (lineCanvas.ts), the legend under it (LineLegend.tsx). recharts drew these until stop 34: mounting one of its
 * charts was one task of 150-600 ms (its own store, selectors and layout passes), most of the page's blocking time
 * as it opened, and each new axis while training re-rendered it again. This draws what the lab needs and no more,
 * in one render. Loaded apart from the page's first JavaScript (StepChart.tsx).
 */
import { memo, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { RUN_SIDES } from '../experiment/config.ts';
import { formatNumber } from '../present/describe.ts';
import { isPrinting } from './printing.ts';
import { paint, registerPainter, type CanvasPicture, type PlotGeometry } from './lineCanvas.ts';
import { useLiveWhile } from './live.ts';
import { useChartHeight } from './chartHeight.ts';
import { lookColor, lookTextColor, useChartLook, type ChartLook } from './chartLook.ts';
import { ONE_LEGEND_ROW_PX } from './legendGrowth.ts';
import { LineLegend, OwnLegendContext, type LegendEntry } from './LineLegend.tsx';
import { DIVERGED_COLOR, KNOB_COLOR, textBackground, textColor } from './palette.ts';
import { logAxis, niceTicks, type LogAxis } from './scales.ts';
import { PLOT_PX, type LineSpec, type StepChartProps, type StepMarker, type YAxisSpec } from './StepChart.tsx';
import { MARGIN, plotGeometry, tooltipAt } from './plotLayout.ts';
import { labelRows } from './markers.ts';

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

/** A tick mark's length, and the gap between it and its label. */
const TICK_PX = 6;
const TICK_GAP_PX = 2;
/** Reference labels sit this far inside the plot from their line. */
const LABEL_INSET_PX = 5;

/** The lines in the look's colours (the same array in the light theme). */
function lookLines<T extends { color: string }>(lines: readonly T[], look: ChartLook): readonly T[] {
  if (look.theme === 'light') return lines;
  return lines.map((l) => ({ ...l, color: lookColor(look, l.color) }));
}

/** Few enough points to draw each as a dot: a diverged run's handful of finite steps. */
const DOTS_UP_TO = 60;
const NO_EVENTS: (StepMarker & { color: string })[] = [];

/** A label beside a reference line, inside the plot: at its top or bottom, left or right of a vertical line. */
function MarkLabel({
  x,
  y,
  text,
  anchor,
  hanging,
  fill,
  px,
}: {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'end';
  hanging: boolean;
  fill: string;
  px: number;
}) {
  return (
    <text
      className="plot-mark-label"
      x={x}
      y={y}
      textAnchor={anchor}
      dominantBaseline={hanging ? 'hanging' : 'auto'}
      fontSize={px}
      fill={fill}
    >
      {text}
    </text>
  );
}

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
  const ownLegend = useContext(OwnLegendContext);
  // The theme's colours and presenter mode's sizes (chartLook.ts).
  const look = useChartLook();
  const lines = useMemo(() => lookLines(givenLines, look) as LineSpec[], [givenLines, look]);
  // The tooltip reads the lines as they are now while the pointer is on the chart; otherwise those of the last
  // render. (Not with `playing`: Pause would then re-render every chart in its click.)
  const [pointer, setPointer] = useState<{ x: number; y: number } | null>(null);
  const following = useLiveWhile(live, pointer !== null);
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
  const axis: LogAxis | null = y.kind === 'log' ? y.axis : null;
  const toY = (v: number) => (axis ? axis.toUnit(v) : v);
  const [painter] = useState(() => new LinePainter());
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapperRef = useRef<HTMLDivElement>(null);
  // The chart's width: as DeferredPlot saw its box, then as its box is (a resized window, a phone turned).
  const [width, setWidth] = useState(initialWidth);
  useLayoutEffect(() => {
    const wrapper = wrapperRef.current;
    if (!wrapper) return;
    const measure = () => {
      const now = Math.round(wrapper.getBoundingClientRect().width);
      setWidth((previous) => (Math.abs(now - previous) >= 1 ? now : previous));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(wrapper);
    return () => observer.disconnect();
  }, []);
  // One row of legend is part of the chart's height; more rows make the chart taller, not the plot shorter.
  const svgHeight = Math.max(60, height - (ownLegend ? ONE_LEGEND_ROW_PX : 0));
  const fontPx = look.fontPx ?? 12;
  const xAxisPx = look.fontPx ? Math.round(look.fontPx * 1.9) : 30;
  const [x0, x1] = xDomain[1] > xDomain[0] ? xDomain : [xDomain[0], xDomain[0] + 1];
  // The y range: the axis's, widened to show every threshold line (a limit drawn where the lines are not).
  const thresholdUnits = thresholds.map((t) => toY(t.value)).filter((v) => Number.isFinite(v));
  const [yBase0, yBase1] = y.kind === 'linear' ? y.domain : [0, 1];
  const y0 = Math.min(yBase0, ...thresholdUnits);
  const y1 = Math.max(yBase1, ...thresholdUnits);
  const g = plotGeometry(width, svgHeight, look.yAxisPx, xAxisPx, [x0, x1], [y0, y1]);
  const geometryKey = g ? [g.x, g.y, g.width, g.height, g.ax, g.bx, g.ay, g.by].map((v) => v.toFixed(3)).join() : '';
  useLayoutEffect(() => {
    if (g) painter.setGeometry(g);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `geometryKey` is everything the geometry is made of
  }, [painter, geometryKey]);
  // What the canvas paints: the live lines when there are some, else these props.
  useLayoutEffect(() => {
    painter.follow(() => {
      const now = live?.get();
      // The axis drawn (the live one may be a render ahead): the lines agree with its labels. But a run's first
      // point is painted on the live axis before React renders the axis for it, so Play shows the first step a
      // frame after it arrives; the chart had no line then, so no label disagrees with it.
      const shownY = now && !lines.some((l) => l.points.length > 0) ? now.y : y;
      const toUnit = shownY.kind === 'log' ? shownY.axis.toUnit : (v: number) => v;
      const steps = now ? now.clipSteps : clipMarks?.steps;
      return {
        lines: now ? lookLines(now.lines, look) : lines,
        toY: toUnit,
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
  const legend = useMemo((): LegendEntry[] => {
    // In the runs' own order (baseline, clipped, third, fourth), whichever run's worker reported first.
    const side = (l: LineSpec) => (l.side ? RUN_SIDES.indexOf(l.side) : RUN_SIDES.length);
    const ordered = dataLines.map((l, i) => ({ l, i })).sort((a, b) => side(a.l) - side(b.l) || a.i - b.i);
    const entries: LegendEntry[] = ordered.map(({ l }) => ({
      name: l.name,
      line: { color: l.color, dashed: l.dashed, marker: l.marker },
    }));
    if (clipMarks && clipMarks.steps.length > 0) entries.push({ name: clipMarks.name, block: clipMarks.color });
    return entries;
  }, [dataLines, clipMarks]);
  const tip = g && pointer ? tooltipAt(dataLines, (pointer.x - g.bx) / g.ax) : null;
  const px = (v: number) => (g ? g.ax * v + g.bx : 0);
  const py = (v: number) => (g ? g.ay * v + g.by : 0);
  const inX = (step: number) => step >= x0 && step <= x1;
  const shownEvents = events.filter((e) => inX(e.step));
  // Events a step or two apart are a pixel apart on the chart: their numbers go in rows, not over each other.
  const eventRows = labelRows(
    shownEvents.map((e) => ({ x: px(e.step), width: e.label.length * look.labelPx * 0.62 + LABEL_INSET_PX })),
  );
  const xTicks = niceTicks(x0, x1);
  const yTicks: { at: number; label: string; grid: boolean }[] = axis
    ? axis.ticks.map((t) => ({ at: t.unit, label: t.label, grid: t.label !== '' }))
    : (y.kind === 'linear' && y.ticks ? y.ticks : niceTicks(y0, y1)).map((v) => ({
        at: v,
        label: formatNumber(v, 2),
        grid: true,
      }));
  const bottom = g ? g.y + g.height : 0;
  const right = g ? g.x + g.width : 0;
  return (
    <div className="step-chart">
      <div
        ref={wrapperRef}
        className="plot-wrapper"
        style={{ height: svgHeight }}
        onPointerMove={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          setPointer({ x: e.clientX - box.left, y: e.clientY - box.top });
        }}
        onPointerLeave={() => setPointer(null)}
      >
        {g && (
          <svg className="plot-surface" width={width} height={svgHeight} aria-hidden="true">
            {/* The plot area itself (where the canvas lies): what tests and the saved picture measure. */}
            <rect className="plot-area" x={g.x} y={g.y} width={g.width} height={g.height} fill="none" />
            {/* Ticks and grid lines keyed by place, not value: while the steps grow the values change at every redraw,
                and keyed by value each redraw removed and made the axes' SVG elements anew (a race's longest layouts). */}
            <g className="plot-grid">
              {xTicks.map((v, i) => (
                <line key={i} x1={px(v)} x2={px(v)} y1={g.y} y2={bottom} />
              ))}
              {yTicks
                .filter((t) => t.grid && t.at >= y0 && t.at <= y1)
                .map((t, i) => (
                  <line key={i} x1={g.x} x2={right} y1={py(t.at)} y2={py(t.at)} />
                ))}
            </g>
            <g className="plot-axis plot-x-axis" fontSize={fontPx}>
              <line className="plot-axis-line" x1={g.x} x2={right} y1={bottom} y2={bottom} />
              {xTicks.map((v, i) => (
                <g key={i}>
                  <line className="plot-tick-line" x1={px(v)} x2={px(v)} y1={bottom} y2={bottom + TICK_PX} />
                  <text
                    className="plot-tick-label"
                    x={px(v)}
                    y={bottom + TICK_PX + TICK_GAP_PX}
                    dy="0.71em"
                    textAnchor="middle"
                  >
                    {formatNumber(v)}
                  </text>
                </g>
              ))}
              <text className="plot-axis-label" x={right + 2} y={bottom + xAxisPx + 2} textAnchor="end">
                step
              </text>
            </g>
            <g className="plot-axis plot-y-axis" fontSize={fontPx}>
              <line className="plot-axis-line" x1={g.x} x2={g.x} y1={g.y} y2={bottom} />
              {yTicks
                .filter((t) => t.at >= y0 && t.at <= y1)
                .map((t, i) => (
                  <g key={i}>
                    <line className="plot-tick-line" x1={g.x - TICK_PX} x2={g.x} y1={py(t.at)} y2={py(t.at)} />
                    {t.label !== '' && (
                      <text
                        className="plot-tick-label"
                        x={g.x - TICK_PX - TICK_GAP_PX}
                        y={py(t.at)}
                        dy="0.355em"
                        textAnchor="end"
                      >
                        {t.label}
                      </text>
                    )}
                  </g>
                ))}
              <text
                className="plot-axis-label"
                transform={`translate(${MARGIN.left + fontPx} ${g.y + g.height / 2}) rotate(-90)`}
                textAnchor="middle"
              >
                {yLabel}
              </text>
            </g>
            {axis?.breakValue != null && (
              <g className="plot-reference-line plot-break">
                <line
                  x1={g.x}
                  x2={right}
                  y1={py(toY(axis.breakValue))}
                  y2={py(toY(axis.breakValue))}
                  stroke="#8a94a3"
                  strokeDasharray="6 2 1 2"
                  strokeWidth={1.5}
                />
                <MarkLabel
                  x={right - LABEL_INSET_PX}
                  y={py(toY(axis.breakValue)) - LABEL_INSET_PX}
                  text="≈ axis break"
                  anchor="end"
                  hanging={false}
                  fill={look.faint}
                  px={look.fontPx ?? 10}
                />
              </g>
            )}
            {thresholds.map((t) => (
              <g key={`t-${t.label}`} className="plot-reference-line">
                <line
                  x1={g.x}
                  x2={right}
                  y1={py(toY(t.value))}
                  y2={py(toY(t.value))}
                  stroke={look.ink}
                  strokeDasharray="2 3"
                />
                <MarkLabel
                  x={right - LABEL_INSET_PX}
                  y={py(toY(t.value)) - LABEL_INSET_PX}
                  text={t.label}
                  anchor="end"
                  hanging={false}
                  fill={look.ink}
                  px={look.labelPx}
                />
              </g>
            ))}
            {shownEvents.map((e, i) => (
              <g key={`e-${e.label}`} className="plot-reference-line">
                <line
                  x1={px(e.step)}
                  x2={px(e.step)}
                  y1={g.y}
                  y2={bottom}
                  stroke={lookColor(look, e.color)}
                  strokeOpacity={0.45}
                  strokeWidth={1}
                />
                <MarkLabel
                  x={px(e.step) + LABEL_INSET_PX}
                  y={g.y + LABEL_INSET_PX + (eventRows[i] ?? 0) * (look.labelPx + 2)}
                  text={e.label}
                  anchor="start"
                  hanging
                  fill={lookTextColor(look, e.color)}
                  px={look.labelPx}
                />
              </g>
            ))}
            {divergences
              .filter((d) => inX(d.step))
              .map((d) => {
                const knob = d.kind === 'knob';
                return (
                  <g key={`d-${d.label}`} className="plot-reference-line">
                    <line
                      x1={px(d.step)}
                      x2={px(d.step)}
                      y1={g.y}
                      y2={bottom}
                      stroke={lookColor(look, knob ? KNOB_COLOR : DIVERGED_COLOR)}
                      strokeWidth={look.present ? 2 : 1}
                      strokeDasharray={knob ? '1 2' : '4 3'}
                    />
                    <MarkLabel
                      x={px(d.step) + (knob ? -LABEL_INSET_PX : LABEL_INSET_PX)}
                      y={knob ? g.y + LABEL_INSET_PX : bottom - LABEL_INSET_PX}
                      text={d.label}
                      anchor={knob ? 'end' : 'start'}
                      hanging={knob}
                      fill={lookTextColor(look, knob ? KNOB_COLOR : DIVERGED_COLOR)}
                      px={look.labelPx}
                    />
                  </g>
                );
              })}
            {dataLines.map((line) => {
              // A diverged run: its few finite steps as dots, its last one marked and labelled.
              if (line.lastLabel === undefined) return null;
              const last = line.points[line.points.length - 1];
              const dots = line.points.length <= DOTS_UP_TO ? line.points.filter((p) => inX(p.x)) : [];
              return (
                <g key={`dots-${line.key}`} className="plot-dots">
                  {dots.map((p, i) => (
                    <circle key={i} cx={px(p.x)} cy={py(toY(p.y))} r={2.5} fill={line.color} />
                  ))}
                  {last && inX(last.x) && (
                    <>
                      <circle
                        className="plot-last-dot"
                        cx={px(last.x)}
                        cy={py(toY(last.y))}
                        r={4}
                        fill={line.color}
                        stroke={look.surface}
                      />
                      {line.lastLabel !== '' && (
                        <text
                          className="plot-last-label"
                          x={px(last.x) + 4 + LABEL_INSET_PX}
                          y={py(toY(last.y))}
                          dy="0.355em"
                          fontSize={look.labelPx}
                          fontWeight={600}
                          fill={lookTextColor(look, line.color)}
                        >
                          {line.lastLabel}
                        </text>
                      )}
                    </>
                  )}
                </g>
              );
            })}
            {tip && inX(tip.step) && (
              <line className="plot-cursor" x1={px(tip.step)} x2={px(tip.step)} y1={g.y} y2={bottom} />
            )}
          </svg>
        )}
        <canvas ref={canvasRef} className="chart-lines" aria-hidden="true" />
        {tip && pointer && g && tip.rows.length > 0 && (
          <div
            className="plot-tooltip"
            role="presentation"
            style={{
              // Beside the pointer, on its left once past the plot's middle, so it stays inside the chart.
              ...(pointer.x > g.x + g.width / 2 ? { right: width - pointer.x + 12 } : { left: pointer.x + 12 }),
              top: Math.max(0, Math.min(pointer.y, svgHeight - 40) - 10),
              background: look.surface,
              borderColor: look.faint,
              ...(look.fontPx ? { fontSize: look.fontPx } : {}),
            }}
          >
            <p className="plot-tooltip-label" style={{ color: look.ink }}>
              step {tip.step}
            </p>
            <ul>
              {tip.rows.map((row) => (
                <li key={row.name} style={{ color: textColor(row.color, textBackground(look.theme)) }}>
                  {row.name} : {formatNumber(row.value, 4)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      {ownLegend && (
        <div className="plot-legend" style={{ fontSize: look.fontPx ?? 12 }}>
          <LineLegend entries={legend} />
        </div>
      )}
    </div>
  );
});
