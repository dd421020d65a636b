/**
 * The lines of a step chart, painted on a <canvas> over its plot area. Its SVG (StepChartPlot.tsx) draws the axes,
 * grid, legend, markers and tooltip; repainting a few hundred points per line on a canvas costs a fraction
 * of re-rendering its SVG, and needs no React render at all.
 */
import type { Point } from '../store/downsample.ts';
import type { LineMarker, MarkerShape } from './palette.ts';

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
  /** Whose run it is, besides its colour: a shape drawn every MARKER_EVERY_PX along the line. */
  marker?: LineMarker | undefined;
  points: readonly Point[];
  /**
   * A run over several seeds: the lowest and highest seed at each step, painted as a translucent band in the line's
   * colour under every line (`points` is then the median).
   */
  band?: { lo: readonly Point[]; hi: readonly Point[] } | undefined;
}

export interface CanvasPicture {
  lines: readonly PaintedLine[];
  /** Where y values are plotted: identity on a linear axis, the log axis's 0..1 unit otherwise. */
  toY: (value: number) => number;
  /** Steps where clipping acted, as ticks along the top. */
  clipTicks?: { color: string; steps: readonly number[] } | undefined;
  /** The lines' width (presenter mode draws them thicker: chartLook.ts); LINE_WIDTH without it. */
  lineWidth?: number;
  /** The chart's background, for markers' rims and hollow insides; white without it. */
  rim?: string;
}

export const LINE_WIDTH = 1.6;
/** How opaque a seed band is: light enough that the median lines and other runs' bands show through. */
export const BAND_ALPHA = 0.18;
export const DASH = [5, 3];
/** Markers along a line: this many pixels apart in x, each about MARKER_PX across. */
export const MARKER_EVERY_PX = 84;
export const MARKER_PX = 8;
/**
 * Where along x each kind of marker starts, so markers of lines lying on top of each other fall side by side,
 * not on one spot: a run's filled and hollow markers too.
 */
const MARKER_OFFSETS: Record<MarkerShape, number> = { square: 6, triangle: 27, circle: 48, diamond: 69 };
const HOLLOW_OFFSET_PX = 10;
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

/**
 * Where a line's markers go: on the thinned line `xy` (x, y pairs in order of x), every MARKER_EVERY_PX in
 * x from the plot's left edge plus the marker's offset, where the line first reaches that x.
 */
export function markerPositions(xy: readonly number[], left: number, marker: LineMarker): number[] {
  const out: number[] = [];
  let target = left + MARKER_OFFSETS[marker.shape] + (marker.hollow ? HOLLOW_OFFSET_PX : 0);
  for (let i = 0; i + 3 < xy.length; i += 2) {
    const x0 = xy[i] ?? 0;
    const y0 = xy[i + 1] ?? 0;
    const x1 = xy[i + 2] ?? 0;
    const y1 = xy[i + 3] ?? 0;
    if (x0 > target) target += Math.ceil((x0 - target) / MARKER_EVERY_PX) * MARKER_EVERY_PX;
    while (target >= x0 && target <= x1) {
      const t = x1 === x0 ? 0 : (target - x0) / (x1 - x0);
      out.push(target, y0 + t * (y1 - y0));
      target += MARKER_EVERY_PX;
    }
  }
  return out;
}

/** The outline of a marker of `size` px centred on (x, y), as a path on `context` (also used for the legend). */
export function markerPath(
  context: Pick<CanvasRenderingContext2D, 'moveTo' | 'lineTo' | 'arc' | 'rect' | 'closePath'>,
  shape: MarkerShape,
  x: number,
  y: number,
  size: number,
): void {
  const r = size / 2;
  switch (shape) {
    case 'circle':
      context.moveTo(x + r, y);
      context.arc(x, y, r, 0, 2 * Math.PI);
      break;
    case 'square':
      // A square looks bigger than a circle of the same width: a little smaller, for the same weight.
      context.rect(x - r * 0.88, y - r * 0.88, r * 1.76, r * 1.76);
      break;
    case 'triangle':
      context.moveTo(x, y - r * 1.1);
      context.lineTo(x + r * 1.05, y + r * 0.75);
      context.lineTo(x - r * 1.05, y + r * 0.75);
      context.closePath();
      break;
    case 'diamond':
      context.moveTo(x, y - r * 1.15);
      context.lineTo(x + r * 1.15, y);
      context.lineTo(x, y + r * 1.15);
      context.lineTo(x - r * 1.15, y);
      context.closePath();
      break;
    default: {
      const never: never = shape;
      throw new Error(`unknown marker shape ${String(never)}`);
    }
  }
}

/** The SVG path of a marker (the legend icons draw the same shapes as the canvas). */
export function markerSvgPath(shape: MarkerShape, x: number, y: number, size: number): string {
  const parts: string[] = [];
  const fmt = (v: number) => String(Math.round(v * 100) / 100);
  markerPath(
    {
      moveTo: (px, py) => parts.push(`M${fmt(px)},${fmt(py)}`),
      lineTo: (px, py) => parts.push(`L${fmt(px)},${fmt(py)}`),
      closePath: () => parts.push('Z'),
      rect: (px, py, w, h) => parts.push(`M${fmt(px)},${fmt(py)}h${fmt(w)}v${fmt(h)}h${fmt(-w)}Z`),
      // Only full circles: two half arcs.
      arc: (cx, cy, r) =>
        parts.push(
          `M${fmt(cx + r)},${fmt(cy)}A${fmt(r)},${fmt(r)} 0 1 1 ${fmt(cx - r)},${fmt(cy)}A${fmt(r)},${fmt(r)} 0 1 1 ${fmt(cx + r)},${fmt(cy)}Z`,
        ),
    },
    shape,
    x,
    y,
    size,
  );
  // The circle's own moveTo is covered by the arc's.
  return parts.filter((_p, i) => !(shape === 'circle' && i === 0)).join('');
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
  context.lineWidth = picture.lineWidth ?? LINE_WIDTH;
  context.lineJoin = 'miter';
  context.lineCap = 'butt';
  // Bands first, under every line.
  for (const line of picture.lines) if (line.band) paintBand(context, line.band, line.color, picture.toY, g);
  const marked: { at: number[]; marker: LineMarker; color: string }[] = [];
  for (const line of picture.lines) {
    const xy = linePixels(line.points, picture.toY, g);
    if (xy.length === 2) {
      // A run's first step, before there is a line: a dot, so Play shows the step at once.
      paintFirstPoint(context, xy[0] ?? 0, xy[1] ?? 0, line.color);
      continue;
    }
    if (xy.length < 4) continue;
    context.beginPath();
    context.moveTo(xy[0] ?? 0, xy[1] ?? 0);
    for (let i = 2; i < xy.length; i += 2) context.lineTo(xy[i] ?? 0, xy[i + 1] ?? 0);
    context.strokeStyle = line.color;
    context.setLineDash(line.dashed ? DASH : []);
    context.stroke();
    if (line.marker) marked.push({ at: markerPositions(xy, g.x, line.marker), marker: line.marker, color: line.color });
  }
  // Markers over every line, so a later line's noise does not hide an earlier run's markers.
  for (const m of marked) paintMarkers(context, m.at, m.marker, m.color, picture.rim);
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

/**
 * The outline of a band, in pixels: its lower edge left to right, then its upper edge right to left. Each edge is
 * thinned as a line is (linePixels keeps each column's extremes), so a one-step spike of the highest seed survives.
 */
export function bandPolygon(
  band: { lo: readonly Point[]; hi: readonly Point[] },
  toY: (v: number) => number,
  g: PlotGeometry,
): number[] {
  const lo = linePixels(band.lo, toY, g);
  const hi = linePixels(band.hi, toY, g);
  if (lo.length < 4 || hi.length < 4) return [];
  const out = [...lo];
  for (let i = hi.length - 2; i >= 0; i -= 2) out.push(hi[i] ?? 0, hi[i + 1] ?? 0);
  return out;
}

function paintBand(
  context: CanvasRenderingContext2D,
  band: { lo: readonly Point[]; hi: readonly Point[] },
  color: string,
  toY: (v: number) => number,
  g: PlotGeometry,
): void {
  const xy = bandPolygon(band, toY, g);
  if (xy.length < 6) return;
  context.save();
  context.globalAlpha = BAND_ALPHA;
  context.fillStyle = color;
  context.beginPath();
  context.moveTo(xy[0] ?? 0, xy[1] ?? 0);
  for (let i = 2; i < xy.length; i += 2) context.lineTo(xy[i] ?? 0, xy[i + 1] ?? 0);
  context.closePath();
  context.fill();
  context.restore();
}

/** The dot of a line's only point: as wide as a marker, so it reads as a point, not a speck. */
export const FIRST_POINT_PX = 5;

function paintFirstPoint(context: CanvasRenderingContext2D, x: number, y: number, color: string) {
  context.save();
  context.setLineDash([]);
  context.beginPath();
  context.arc(x, y, FIRST_POINT_PX / 2, 0, 2 * Math.PI);
  context.fillStyle = color;
  context.fill();
  context.lineWidth = 1;
  context.strokeStyle = color;
  context.stroke();
  context.restore();
}

/** Filled markers get a thin white rim, so they stand out where lines cross; hollow ones are white inside. */
function paintMarkers(
  context: CanvasRenderingContext2D,
  at: readonly number[],
  marker: LineMarker,
  color: string,
  rim = '#ffffff',
) {
  if (at.length === 0) return;
  context.save();
  context.setLineDash([]);
  context.beginPath();
  for (let i = 0; i + 1 < at.length; i += 2) markerPath(context, marker.shape, at[i] ?? 0, at[i + 1] ?? 0, MARKER_PX);
  context.fillStyle = marker.hollow ? rim : color;
  context.fill();
  context.lineWidth = marker.hollow ? 1.5 : 1;
  context.strokeStyle = marker.hollow ? color : rim;
  context.stroke();
  context.restore();
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
