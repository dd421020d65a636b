/**
 * The cliff's net in plain float64 arithmetic, without tfjs: x_t = w * sigmoid(x_{t-1}) + b, E = (sigmoid(x_T)
 * - 0.7)^2, its gradient carried forward with the state (dx_t/dw, dx_t/db), so one (w, b) costs T steps. Fast
 * enough for the page itself to draw a first, coarse surface and both descents at once, before the worker
 * (which loads tfjs and starts a backend) has answered: the lesson is drawn and clickable from the first second.
 */
import { CLIFF_PAPER } from '../experiment/cliff.ts';
import type { CliffClip, DescentOptions, DescentStep, PlaneWindow } from './cliff.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** E(w, b) and its gradient, exactly (forward-mode differentiation through the T steps). */
export function cliffPoint(w: number, b: number, T: number): { loss: number; gradW: number; gradB: number } {
  let x = CLIFF_PAPER.x0;
  let dw = 0;
  let db = 0;
  for (let t = 0; t < T; t++) {
    const s = sigmoid(x);
    const slope = w * s * (1 - s); // d(w sigmoid(x) + b)/dx
    dw = s + slope * dw;
    db = 1 + slope * db;
    x = w * s + b;
  }
  const s = sigmoid(x);
  const error = s - CLIFF_PAPER.target;
  const dx = 2 * error * s * (1 - s);
  return { loss: error * error, gradW: dx * dw, gradB: dx * db };
}

/** The loss at the centre of every cell of a cols x rows grid, row 0 at bMax: the layout of cliffSurface. */
export function cliffSurfacePlain(window: PlaneWindow, cols: number, rows: number, T: number): Float32Array {
  const out = new Float32Array(cols * rows);
  const dw = (window.wMax - window.wMin) / cols;
  const db = (window.bMax - window.bMin) / rows;
  for (let r = 0; r < rows; r++) {
    const b = window.bMax - (r + 0.5) * db;
    for (let c = 0; c < cols; c++) out[r * cols + c] = cliffPoint(window.wMin + (c + 0.5) * dw, b, T).loss;
  }
  return out;
}

/** The gradient as applied, and whether clipping changed it: the formulas of clipping.ts for one 2-vector. */
function clipped(clip: CliffClip, gw: number, gb: number): { w: number; b: number; acted: boolean } {
  if (clip.mode === 'norm') {
    const norm = Math.hypot(gw, gb);
    const factor = clip.threshold / Math.max(norm, clip.threshold);
    return { w: gw * factor, b: gb * factor, acted: norm > clip.threshold };
  }
  if (clip.mode === 'value') {
    const c = clip.threshold;
    const at = (g: number) => Math.min(c, Math.max(-c, g));
    return { w: at(gw), b: at(gb), acted: Math.abs(gw) > c || Math.abs(gb) > c };
  }
  return { w: gw, b: gb, acted: false };
}

/** Plain gradient descent from the start, once per clipping: each path's steps and its final point (zero update). */
export function descendPlain(
  start: { w: number; b: number },
  clips: readonly CliffClip[],
  options: DescentOptions,
): DescentStep[][] {
  return clips.map((clip) => {
    const path: DescentStep[] = [];
    let { w, b } = start;
    for (let k = 0; k <= options.steps; k++) {
      const last = k === options.steps;
      const { loss, gradW, gradB } = cliffPoint(w, b, options.T);
      const used = last ? { w: 0, b: 0, acted: false } : clipped(clip, gradW, gradB);
      const stepW = -options.lr * used.w;
      const stepB = -options.lr * used.b;
      path.push({ w, b, loss, gradW, gradB, gradNorm: Math.hypot(gradW, gradB), stepW, stepB, clipped: used.acted });
      w += stepW;
      b += stepB;
    }
    return path;
  });
}
