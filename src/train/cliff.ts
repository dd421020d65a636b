/**
 * The cliff: the loss surface and gradient descent of the paper's one-unit
 * recurrent net, x_t = w * sigmoid(x_{t-1}) + b (see experiment/cliff.ts).
 * Pure tfjs: the worker draws the surface with it, the tests check it in Node.
 *
 * Many (w, b) points run as one batch: every point is an element of the same
 * vectors, so a whole grid is T elementwise steps, not T x points kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CLIFF_PAPER, type CliffClipMode } from '../experiment/cliff.ts';
import { clipByNorm, clipByValue } from './clipping.ts';

/** E(w, b) = (sigmoid(x_T) - 0.7)^2 for each pair (w[i], b[i]). Call inside a tidy. */
export function cliffLoss(w: tf.Tensor1D, b: tf.Tensor1D, T: number): tf.Tensor1D {
  let x: tf.Tensor = tf.fill([w.shape[0]], CLIFF_PAPER.x0);
  for (let t = 0; t < T; t++) x = tf.add(tf.mul(w, tf.sigmoid(x)), b);
  return tf.square(tf.sub(tf.sigmoid(x), CLIFF_PAPER.target)) as tf.Tensor1D;
}

export interface PlaneWindow {
  wMin: number;
  wMax: number;
  bMin: number;
  bMax: number;
}

/**
 * The loss at the centre of every cell of a cols x rows grid over the window,
 * row-major with row 0 at bMax (the top of the picture).
 */
export async function cliffSurface(window: PlaneWindow, cols: number, rows: number, T: number): Promise<Float32Array> {
  const loss = tf.tidy(() => {
    const w = tf.linspace(
      window.wMin + (window.wMax - window.wMin) / (2 * cols),
      window.wMax - (window.wMax - window.wMin) / (2 * cols),
      cols,
    );
    const b = tf.linspace(
      window.bMax - (window.bMax - window.bMin) / (2 * rows),
      window.bMin + (window.bMax - window.bMin) / (2 * rows),
      rows,
    );
    const wGrid = tf.tile(w, [rows]) as tf.Tensor1D;
    const bGrid = tf.reshape(tf.tile(tf.reshape(b, [rows, 1]), [1, cols]), [rows * cols]) as tf.Tensor1D;
    return cliffLoss(wGrid, bGrid, T);
  });
  const values = (await loss.data()) as Float32Array;
  loss.dispose();
  return values;
}

export interface CliffClip {
  mode: 'none' | CliffClipMode;
  threshold: number;
}

export interface DescentStep {
  /** Parameters before this step's update. */
  w: number;
  b: number;
  loss: number;
  /** The raw gradient at (w, b). */
  gradW: number;
  gradB: number;
  gradNorm: number;
  /** The update actually applied: -lr x (clipped) gradient. */
  stepW: number;
  stepB: number;
  clipped: boolean;
}

export interface DescentOptions {
  T: number;
  lr: number;
  steps: number;
}

function clipGradient(grad: tf.Tensor1D, clip: CliffClip): tf.Tensor1D {
  // The gradient is one 2-vector (dw, db): clipping its norm is the paper's rescaling of the whole gradient.
  if (clip.mode === 'norm') return clipByNorm(grad, clip.threshold).grad as tf.Tensor1D;
  if (clip.mode === 'value') return clipByValue([grad], -clip.threshold, clip.threshold).grads[0] as tf.Tensor1D;
  return grad;
}

/** Whether clipping changes this gradient (decided on the raw values, not on float rounding of g * c / c). */
function clipActs(clip: CliffClip, gradW: number, gradB: number): boolean {
  if (clip.mode === 'norm') return Math.hypot(gradW, gradB) > clip.threshold;
  if (clip.mode === 'value') return Math.abs(gradW) > clip.threshold || Math.abs(gradB) > clip.threshold;
  return false;
}

/**
 * Plain gradient descent from (w0, b0), once per clipping setting, all
 * trajectories batched through the same kernels. Returns each trajectory's
 * steps plus its final point (as a last entry with a zero update).
 */
export function descend(start: { w: number; b: number }, clips: CliffClip[], options: DescentOptions): DescentStep[][] {
  const n = clips.length;
  const ws = new Array<number>(n).fill(start.w);
  const bs = new Array<number>(n).fill(start.b);
  const paths: DescentStep[][] = clips.map(() => []);
  const gradOf = tf.valueAndGrads((w: tf.Tensor, b: tf.Tensor) =>
    tf.sum(cliffLoss(w as tf.Tensor1D, b as tf.Tensor1D, options.T)),
  );
  for (let k = 0; k <= options.steps; k++) {
    const last = k === options.steps;
    const packed = tf.tidy(() => {
      const w = tf.tensor1d(ws);
      const b = tf.tensor1d(bs);
      // The loss of the sum is the sum of independent losses: each point's gradient is its own.
      const {
        grads: [gw, gb],
      } = gradOf([w, b]);
      if (!gw || !gb) throw new Error('cliff descent: the loss has no gradient for w or b');
      const losses = cliffLoss(w, b, options.T);
      const rows: tf.Tensor[] = [losses, gw, gb];
      if (!last) {
        clips.forEach((clip, i) => {
          const g = tf.reshape(tf.stack([tf.slice(gw, i, 1), tf.slice(gb, i, 1)]), [2]) as tf.Tensor1D;
          rows.push(clipGradient(g, clip));
        });
      }
      return tf.concat(rows.map((r) => tf.reshape(r, [-1])));
    });
    const v = packed.dataSync();
    packed.dispose();
    // v is [loss x n, dE/dw x n, dE/db x n, (clipped w, clipped b) x n], so every index below is in range.
    clips.forEach((clip, i) => {
      const gradW = v[n + i]!;
      const gradB = v[2 * n + i]!;
      const usedW = last ? 0 : v[3 * n + 2 * i]!;
      const usedB = last ? 0 : v[3 * n + 2 * i + 1]!;
      const stepW = -options.lr * usedW;
      const stepB = -options.lr * usedB;
      const [w, b] = [ws[i]!, bs[i]!];
      paths[i]!.push({
        w,
        b,
        loss: v[i]!,
        gradW,
        gradB,
        gradNorm: Math.hypot(gradW, gradB),
        stepW,
        stepB,
        clipped: !last && clipActs(clip, gradW, gradB),
      });
      ws[i] = w + stepW;
      bs[i] = b + stepB;
    });
  }
  return paths;
}
