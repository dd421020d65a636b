/** A step's norms and cosine in one kernel: hand-worked values, overflow and NaN as the ops give them, the ops when off. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { stepNorms } from '../clipping.ts';
import { Rng } from '../rng.ts';
import { fusedCells } from './recurrentKernels.ts';

const onByDefault = fusedCells.on;
afterEach(() => {
  fusedCells.on = onByDefault;
});

/** stepNorms of plain arrays; `same` passes the raw gradients themselves as the clipped ones. */
function normsOf(g: number[][], c: number[][] | 'same', w: number[][]): number[] {
  return tf.tidy(() => {
    const grads = g.map((v) => tf.tensor1d(v));
    const clipped = c === 'same' ? grads : c.map((v) => tf.tensor1d(v));
    return [
      ...stepNorms(
        grads,
        clipped,
        w.map((v) => tf.tensor1d(v)),
      ).dataSync(),
    ];
  });
}

describe.each(['cpu', 'wasm'] as const)('stepNorms on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const path of ['fused', 'ops'] as const) {
    describe(path, () => {
      const setPath = () => {
        if (path === 'ops') fusedCells.on = () => false;
      };

      it('hand-worked: g = (3, -4), (12) clipped by value 1 to (1, -1), (1); w = (1, 2, 2), (0)', () => {
        setPath();
        const out = normsOf([[3, -4], [12]], [[1, -1], [1]], [[1, 2, 2], [0]]);
        // ||g_i|| = 5, 12; ||c_i|| = sqrt 2, 1; ||w_i|| = 3, 0; cos = (3 + 4 + 12) / (13 sqrt 3) = 0.843816.
        expect(out.slice(0, 6)).toEqual([5, 12, Math.fround(Math.SQRT2), 1, 3, 0]);
        expect(out[6]).toBeCloseTo(19 / (13 * Math.sqrt(3)), 6);
      });

      it('the very same tensors give a cosine of exactly 1; a zero gradient gives 1, not NaN', () => {
        setPath();
        expect(normsOf([[3, 4]], 'same', [[1]])).toEqual([5, 5, 1, 1]);
        expect(normsOf([[0, 0]], [[0, 0]], [[2]])).toEqual([0, 0, 2, 1]);
      });

      it('a square past float32 (1e20^2) is Infinity and the cosine 0, as the ops make them; NaN stays NaN', () => {
        setPath();
        expect(normsOf([[1e20]], [[1]], [[1]])).toEqual([Infinity, 1, 1, 0]);
        const withNaN = normsOf([[1, NaN]], [[1, 1]], [[1]]);
        expect(withNaN[0]).toBeNaN();
        // The kernel keeps a NaN cosine; tfjs-wasm's ClipByValue, at the end of the ops' chain, makes it -1.
        if (path === 'fused' || backend === 'cpu') expect(withNaN[3]).toBeNaN();
      });
    });
  }

  it('equals the ops to float32 rounding, in one kernel instead of 47, with nothing left', async () => {
    const rng = new Rng(7);
    const shapes = [[20, 25], [25], [25, 1], [1]];
    const values = (scale: number) =>
      shapes.map((s) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(-scale, scale)));
    const [g, w] = [values(3), values(1)];
    const make = (v: number[][]) => v.map((x, i) => tf.tensor(x, shapes[i]));
    const [grads, weights] = [make(g), make(w)];
    const clipped = grads.map((t) => tf.clipByValue(t, -1, 1));
    const before = tf.memory().numTensors;
    const read = () => tf.tidy(() => [...stepNorms(grads, clipped, weights).dataSync()]);
    const fused = read();
    const profile = await tf.profile(() => tf.tidy(() => void stepNorms(grads, clipped, weights)));
    expect(profile.kernels.map((k) => k.name)).toEqual(['GradLabStepNorms']);
    fusedCells.on = () => false;
    const ops = read();
    const opsProfile = await tf.profile(() => tf.tidy(() => void stepNorms(grads, clipped, weights)));
    expect(opsProfile.kernels.length).toBeGreaterThan(40);
    expect(fused.length).toBe(13);
    fused.forEach((v, i) =>
      expect(Math.abs(v - (ops[i] ?? NaN)) / Math.abs(ops[i] ?? NaN), `entry ${i}`).toBeLessThan(1e-6),
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...grads, ...weights, ...clipped]);
  });
});
