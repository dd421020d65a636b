/**
 * Where a step chart's plot lies in its SVG and how it maps steps and values to pixels, and what its tooltip
 * names for a pointer at a step: the arithmetic of StepChartPlot.tsx, apart from React and the DOM.
 */
import type { Point } from '../store/downsample.ts';
import type { PlotGeometry } from './lineCanvas.ts';
import type { LineSpec } from './StepChart.tsx';

/** Around the plot area: room for the top labels, the right end's step label, and the y axis's own width. */
export const MARGIN = { top: 14, right: 16, bottom: 4, left: 4 };
/**
 * The plot area in a chart `width` by `height` (the SVG's own size) and its scales, px = a * value + b, for the
 * step range `x` and the y range `y` (values on a linear axis, a log axis's 0..1 unit otherwise); null if it has
 * no room.
 */
export function plotGeometry(
  width: number,
  height: number,
  yAxisPx: number,
  xAxisPx: number,
  x: readonly [number, number],
  y: readonly [number, number],
): PlotGeometry | null {
  const left = MARGIN.left + yAxisPx;
  const plotWidth = width - left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom - xAxisPx;
  if (!(plotWidth > 0 && plotHeight > 0 && x[1] > x[0] && y[1] > y[0])) return null;
  const ax = plotWidth / (x[1] - x[0]);
  const ay = -plotHeight / (y[1] - y[0]);
  return {
    x: left,
    y: MARGIN.top,
    width: plotWidth,
    height: plotHeight,
    ax,
    bx: left - ax * x[0],
    ay,
    by: MARGIN.top + plotHeight - ay * y[0],
  };
}

/** The index of the point whose x is nearest `x` in points sorted by x (-1 for none). */
export function nearestIndex(points: readonly Point[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((points[mid] as Point).x < x) lo = mid;
    else hi = mid;
  }
  const a = points[lo] as Point;
  const b = points[hi] as Point;
  return Math.abs(a.x - x) <= Math.abs(b.x - x) ? lo : hi;
}

/** What the tooltip says for the pointer at step `x`: the nearest step any line has, and each line's value there. */
export function tooltipAt(
  lines: readonly LineSpec[],
  x: number,
): { step: number; rows: { name: string; color: string; value: number }[] } | null {
  let step: number | null = null;
  for (const line of lines) {
    const i = nearestIndex(line.points, x);
    const p = line.points[i];
    if (p && (step === null || Math.abs(p.x - x) < Math.abs(step - x))) step = p.x;
  }
  if (step === null) return null;
  const at = step;
  const rows = lines.flatMap((line) => {
    const p = line.points[nearestIndex(line.points, at)];
    return p && p.x === at ? [{ name: line.name, color: line.color, value: p.y }] : [];
  });
  return { step: at, rows };
}
