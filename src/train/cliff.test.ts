import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIFF } from '../experiment/cliff.ts';
import { cliffLoss, cliffSurface, descend, type CliffClip } from './cliff.ts';

/** The paper's model in float64, written out by hand: an independent check of the tfjs version. */
function lossF64(w: number, b: number, T: number): number {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  let x = 0.5;
  for (let t = 0; t < T; t++) x = w * sigmoid(x) + b;
  return (sigmoid(x) - 0.7) ** 2;
}

function autodiff(w: number, b: number, T: number): [number, number] {
  const grads = tf.tidy(() => {
    const g = tf.grads((wt: tf.Tensor, bt: tf.Tensor) => tf.sum(cliffLoss(wt as tf.Tensor1D, bt as tf.Tensor1D, T)));
    return tf.concat(g([tf.tensor1d([w]), tf.tensor1d([b])]));
  });
  const [gw = NaN, gb = NaN] = grads.dataSync();
  grads.dispose();
  return [gw, gb];
}

const T = DEFAULT_CLIFF.T;
const NORM: CliffClip = { mode: 'norm', threshold: DEFAULT_CLIFF.threshold };
const NONE: CliffClip = { mode: 'none', threshold: 1 };

describe('the cliff (Pascanu et al. 2013, one-unit recurrent net)', () => {
  it('computes the same loss as a float64 loop, for a whole grid in one batch', async () => {
    const window = { wMin: -2, wMax: 10, bMin: -8, bMax: 3 };
    const cols = 7;
    const rows = 5;
    const grid = await cliffSurface(window, cols, rows, T);
    expect(grid).toHaveLength(cols * rows);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const w = window.wMin + ((c + 0.5) * (window.wMax - window.wMin)) / cols;
        const b = window.bMax - ((r + 0.5) * (window.bMax - window.bMin)) / rows;
        expect(grid[r * cols + c]).toBeCloseTo(lossF64(w, b, T), 4);
      }
    }
  });

  // (w, b) points: in the valley, on the plateaus, and within 0.01 of the wall where the gradient is in the tens.
  const POINTS: [number, number][] = [
    [1, 0],
    [-1, 1.5],
    [3, -1],
    [8, -6],
    [4.289, -2.181],
    [4.3, -2.2],
  ];
  it.each(POINTS)('autodiff gradients agree with central finite differences at (w=%s, b=%s)', (w, b) => {
    const [gw, gb] = autodiff(w, b, T);
    // Float64 differences with a step small enough for the wall, large enough for rounding.
    const h = 1e-6;
    const fw = (lossF64(w + h, b, T) - lossF64(w - h, b, T)) / (2 * h);
    const fb = (lossF64(w, b + h, T) - lossF64(w, b - h, T)) / (2 * h);
    const scale = Math.max(Math.hypot(fw, fb), 1e-6);
    expect(Math.abs(gw - fw) / scale).toBeLessThan(2e-3);
    expect(Math.abs(gb - fb) / scale).toBeLessThan(2e-3);
  });

  it('the wall is real: the gradient next to it is hundreds of times the gradient in the valley', () => {
    const wall = Math.hypot(...autodiff(4.289, -2.181, T));
    const valley = Math.hypot(...autodiff(3, -1, T));
    expect(wall).toBeGreaterThan(1);
    expect(wall / valley).toBeGreaterThan(100);
  });

  it('next to the wall, the unclipped step is catapulted far away and ends higher; the clipped one stays near the solution', () => {
    const [raw = [], clipped = []] = descend({ w: DEFAULT_CLIFF.w0, b: DEFAULT_CLIFF.b0 }, [NONE, NORM], {
      T,
      lr: DEFAULT_CLIFF.lr,
      steps: DEFAULT_CLIFF.descentSteps,
    });
    expect(raw).toHaveLength(DEFAULT_CLIFF.descentSteps + 1);
    const longest = (path: typeof raw) => Math.max(...path.map((s) => Math.hypot(s.stepW, s.stepB)));
    // The raw gradient's one big step moves the parameters far; clipping caps every move at lr x c.
    expect(longest(raw)).toBeGreaterThan(5);
    expect(longest(clipped)).toBeLessThanOrEqual(DEFAULT_CLIFF.lr * NORM.threshold * (1 + 1e-6));
    expect(longest(raw) / longest(clipped)).toBeGreaterThan(10);
    expect(clipped.some((s) => s.clipped)).toBe(true);
    const rawEnd = raw.at(-1)!;
    const clippedEnd = clipped.at(-1)!;
    expect(rawEnd.loss).toBeGreaterThan(10 * clippedEnd.loss);
    // Thrown onto the plateau, where the gradient is all but zero, the unclipped run stays stuck.
    expect(rawEnd.gradNorm).toBeLessThan(1e-3);
    expect(Math.hypot(clippedEnd.w - DEFAULT_CLIFF.w0, clippedEnd.b - DEFAULT_CLIFF.b0)).toBeLessThan(2);
  });

  it('far from the wall the two trajectories coincide: clipping never acts', () => {
    const [raw = [], clipped = []] = descend({ w: 0, b: 2 }, [NONE, NORM], { T, lr: 1, steps: 40 });
    expect(clipped.every((s) => !s.clipped)).toBe(true);
    for (let k = 0; k < raw.length; k++) {
      expect(clipped[k]?.w).toBe(raw[k]?.w);
      expect(clipped[k]?.b).toBe(raw[k]?.b);
    }
    // And descent does descend there.
    expect(raw.at(-1)!.loss).toBeLessThan(raw[0]!.loss);
  });

  it('clipping by value bounds each component on its own', () => {
    const [path = []] = descend({ w: 4.289, b: -2.181 }, [{ mode: 'value', threshold: 0.1 }], { T, lr: 1, steps: 1 });
    expect(path[0]?.clipped).toBe(true);
    expect(Math.abs(path[0]!.stepW)).toBeLessThanOrEqual(0.1 + 1e-7);
    expect(Math.abs(path[0]!.stepB)).toBeLessThanOrEqual(0.1 + 1e-7);
  });

  it('leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    await cliffSurface({ wMin: 0, wMax: 1, bMin: 0, bMax: 1 }, 4, 4, 10);
    descend({ w: 1, b: 1 }, [NONE, NORM], { T: 10, lr: 0.5, steps: 5 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
