/**
 * From a loss grid to marks: colours on a logarithmic scale, contour lines
 * (d3-contour's marching squares) and the window <-> picture mapping.
 * No React, no DOM beyond ImageData-shaped arrays, so it is tested in Node.
 */
import { contours } from 'd3-contour';
import { interpolateTurbo } from 'd3-scale-chromatic';
import type { PlaneWindow } from '../train/cliff.ts';

/**
 * The colour scale spans loss 1e-5 (dark blue, the valley) to 0.5 (dark red); the loss never exceeds 0.49.
 * Turbo's strong hue changes at the top keep the two plateaus (0.09 and 0.49), and so the wall between them, apart.
 */
export const LOG_LOSS_MIN = -5;
export const LOG_LOSS_MAX = Math.log10(0.5);
/** Contour levels, as log10(loss). */
export const CONTOUR_LEVELS = [-4, -3, -2, -1.5, -1, -0.6];

export function logLoss(loss: number): number {
  return Math.log10(Math.max(loss, 10 ** LOG_LOSS_MIN));
}

/** 0 at the colour scale's low end, 1 at its high end. */
export function colourPosition(loss: number): number {
  return Math.min(1, Math.max(0, (logLoss(loss) - LOG_LOSS_MIN) / (LOG_LOSS_MAX - LOG_LOSS_MIN)));
}

function rgbOf(css: string): [number, number, number] {
  // d3's interpolators answer "#rrggbb" or "rgb(r, g, b)".
  if (css.startsWith('#')) return [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16)) as [number, number, number];
  const [r = 0, g = 0, b = 0] = css.match(/\d+/g)?.map(Number) ?? [];
  return [r, g, b];
}

const PALETTE: [number, number, number][] = Array.from({ length: 256 }, (_, i) => rgbOf(interpolateTurbo(i / 255)));
/** Magenta: a cell whose loss is not a finite number. */
const NOT_FINITE_RGB: [number, number, number] = [255, 0, 255];

function rgbOfLoss(loss: number | undefined): [number, number, number] {
  if (loss === undefined || !Number.isFinite(loss)) return NOT_FINITE_RGB;
  // colourPosition is within [0, 1], so the palette always has the entry.
  return PALETTE[Math.round(colourPosition(loss) * 255)] ?? NOT_FINITE_RGB;
}

export function colourOf(loss: number): string {
  return interpolateTurbo(colourPosition(loss));
}

/** RGBA pixels, one per grid cell, for a canvas ImageData of cols x rows. */
export function surfacePixels(loss: Float32Array, cols: number, rows: number): Uint8ClampedArray {
  const pixels = new Uint8ClampedArray(cols * rows * 4);
  for (let i = 0; i < cols * rows; i++) {
    const [r, g, b] = rgbOfLoss(loss[i]);
    pixels.set([r, g, b, 255], i * 4);
  }
  return pixels;
}

/** SVG path data of each contour level, in picture units (width x height). */
export function contourPaths(
  loss: Float32Array,
  cols: number,
  rows: number,
  width: number,
  height: number,
): { level: number; d: string }[] {
  const values = Array.from(loss, logLoss);
  const sx = width / cols;
  const sy = height / rows;
  const pointText = ([x, y]: [number, number]) => `${(x * sx).toFixed(1)},${(y * sy).toFixed(1)}`;
  return contours()
    .size([cols, rows])
    .thresholds(CONTOUR_LEVELS)(values)
    .map((polygon) => ({
      level: polygon.value,
      d: polygon.coordinates
        // GeoJSON types a point as number[]; d3-contour's points are always [x, y].
        .flatMap((rings) => rings.map((ring) => `M${(ring as [number, number][]).map(pointText).join('L')}Z`))
        .join(''),
    }))
    .filter((p) => p.d !== '');
}

/** Window coordinates to picture coordinates (y grows downward: bMax at the top). */
export function toPicture(window: PlaneWindow, width: number, height: number, w: number, b: number): [number, number] {
  return [
    ((w - window.wMin) / (window.wMax - window.wMin)) * width,
    ((window.bMax - b) / (window.bMax - window.bMin)) * height,
  ];
}

export function fromPicture(
  window: PlaneWindow,
  width: number,
  height: number,
  x: number,
  y: number,
): [number, number] {
  return [
    window.wMin + (x / width) * (window.wMax - window.wMin),
    window.bMax - (y / height) * (window.bMax - window.bMin),
  ];
}

/** The window zoomed by `factor` (< 1 zooms in) about the point (w, b), which stays where it is on screen. */
export function zoomWindow(window: PlaneWindow, factor: number, w: number, b: number): PlaneWindow {
  return {
    wMin: w - (w - window.wMin) * factor,
    wMax: w + (window.wMax - w) * factor,
    bMin: b - (b - window.bMin) * factor,
    bMax: b + (window.bMax - b) * factor,
  };
}

export function panWindow(window: PlaneWindow, dw: number, db: number): PlaneWindow {
  return { wMin: window.wMin + dw, wMax: window.wMax + dw, bMin: window.bMin + db, bMax: window.bMax + db };
}

/** A number short enough for a link and precise to a thousandth of the window. */
export function roundForLink(value: number, span: number): number {
  const digits = Math.max(0, Math.min(8, 3 - Math.floor(Math.log10(span))));
  return Number(value.toFixed(digits));
}
