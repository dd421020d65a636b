/**
 * The lines of a step chart, painted on a <canvas> over recharts' plot area. recharts still draws the axes,
 * grid, legend, markers and tooltip; repainting a few hundred points per line on a canvas costs a fraction
 * of re-rendering its SVG, and needs no React render at all.
 */
import type { Point } from '../store/downsample.ts';

/** Where the plot area is in the chart's SVG, and the chart's own scales there: px = a * value + b. */
export interface PlotGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
  ax: number;
  bx: number;
  ay: number;
  by: number;
}

export interface PaintedLine {
  color: string;
  dashed?: boolean | undefined;
  points: readonly Point[];
}

export interface CanvasPicture {
  lines: readonly PaintedLine[];
  /** Where y values are plotted: identity on a linear axis, the log axis's 0..1 unit otherwise. */
  toY: (value: number) => number;
  /** Steps where clipping acted, as ticks along the top. */
  clipTicks?: { color: string; steps: readonly number[] } | undefined;
}

export const LINE_WIDTH = 1.6;
export const DASH = [5, 3];
/** Pixels per column when thinning a line to the canvas's width: each keeps its lowest and highest point. */
const COLUMN_PX = 2;

/** The line's points in pixels, at most one per pixel of width: per COLUMN_PX column, its min and max in order. */
export function linePixels(points: readonly Point[], toY: (v: number) => number, g: PlotGeometry): number[] {
  const out: number[] = [];
  let column = NaN;
  let minX = 0;
  let minY = 0;
  let maxX = 0;
  let maxY = 0;
  let minFirst = true;
  const flush = () => {
    if (Number.isNaN(column)) return;
    if (minX === maxX && minY === maxY) out.push(minX, minY);
    else if (minFirst) out.push(minX, minY, maxX, maxY);
    else out.push(maxX, maxY, minX, minY);
  };
  for (const p of points) {
    const px = g.ax * p.x + g.bx;
    const py = g.ay * toY(p.y) + g.by;
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const c = Math.floor((px - g.x) / COLUMN_PX);
    if (c !== column) {
      flush();
      column = c;
      minX = maxX = px;
      minY = maxY = py;
      minFirst = true;
      continue;
    }
    // Screen y grows downwards: the lowest value is the largest py.
    if (py > minY) {
      minY = py;
      minX = px;
      minFirst = false;
    }
    if (py < maxY) {
      maxY = py;
      maxX = px;
      minFirst = true;
    }
  }
  flush();
  return out;
}

/** Paints the picture on `canvas`, sized to the plot area at `scale` device pixels per CSS pixel. */
export function paint(canvas: HTMLCanvasElement, g: PlotGeometry, picture: CanvasPicture, scale: number): void {
  const w = Math.max(1, Math.round(g.width * scale));
  const h = Math.max(1, Math.round(g.height * scale));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, w, h);
  // Chart coordinates from here on, as the SVG has them.
  context.setTransform(scale, 0, 0, scale, -g.x * scale, -g.y * scale);
  context.lineWidth = LINE_WIDTH;
  context.lineJoin = 'miter';
  context.lineCap = 'butt';
  for (const line of picture.lines) {
    const xy = linePixels(line.points, picture.toY, g);
    if (xy.length < 4) continue;
    context.beginPath();
    context.moveTo(xy[0] ?? 0, xy[1] ?? 0);
    for (let i = 2; i < xy.length; i += 2) context.lineTo(xy[i] ?? 0, xy[i + 1] ?? 0);
    context.strokeStyle = line.color;
    context.setLineDash(line.dashed ? DASH : []);
    context.stroke();
  }
  const ticks = picture.clipTicks;
  if (ticks && ticks.steps.length > 0) {
    context.setLineDash([]);
    context.lineWidth = 1.5;
    context.strokeStyle = ticks.color;
    context.beginPath();
    for (const step of ticks.steps) {
      const px = g.ax * step + g.bx;
      if (!(px >= g.x && px <= g.x + g.width)) continue;
      context.moveTo(px, g.y);
      context.lineTo(px, g.y + 8);
    }
    context.stroke();
  }
}

/** The canvases' current pictures, so a chart saved as a file gets its lines at the file's resolution. */
const PAINTERS = new WeakMap<HTMLCanvasElement, (scale: number) => HTMLCanvasElement | null>();

export function registerPainter(canvas: HTMLCanvasElement, render: (scale: number) => HTMLCanvasElement | null) {
  PAINTERS.set(canvas, render);
}

/** A picture of the lines in a chart body, for its saved image: where it sits on the chart, and a PNG data URL. */
export interface LineImage {
  x: number;
  y: number;
  width: number;
  height: number;
  href: string;
}

/** The lines of every line canvas under `root`, placed relative to `surface` (the chart's SVG), at `scale`. */
export function lineImages(root: Element, surface: Element, scale: number): LineImage[] {
  const origin = surface.getBoundingClientRect();
  const out: LineImage[] = [];
  for (const canvas of root.querySelectorAll('canvas.chart-lines')) {
    if (!(canvas instanceof HTMLCanvasElement)) continue;
    const box = canvas.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const rendered = PAINTERS.get(canvas)?.(scale) ?? canvas;
    out.push({
      x: box.left - origin.left,
      y: box.top - origin.top,
      width: box.width,
      height: box.height,
      href: rendered.toDataURL('image/png'),
    });
  }
  return out;
}
