import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../cli/nodeBackend.ts';
import { exactSpectralNorm } from '../../test/support/exactSvd.ts';
import { fusedCells } from './kernels/recurrentKernels.ts';
import { Rng } from './rng.ts';
import { powerIterate } from './spectralNorm.ts';

function randomMatrix(rows: number, cols: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
}

async function estimate(
  w: number[][],
  iterations: number,
  start?: tf.Tensor2D,
): Promise<{ sigma: number; v: tf.Tensor2D }> {
  const n = w[0]?.length ?? 0;
  const result = tf.tidy(() => {
    const v0 = start ?? tf.div(tf.ones([n, 1]), Math.sqrt(n));
    const r = powerIterate(tf.tensor2d(w), v0 as tf.Tensor2D, iterations);
    return { sigma: r.sigma, v: r.v };
  });
  const sigma = (await result.sigma.data())[0] ?? NaN;
  result.sigma.dispose();
  return { sigma, v: result.v };
}

const onByDefault = fusedCells.on;
afterEach(() => {
  fusedCells.on = onByDefault;
});

// The same figures from the fused kernel (cpu and wasm: one kernel, float64) and from the ops (WebGL's path).
describe.each(['fused', 'ops'] as const)('%s', (path) => {
  beforeEach(() => {
    if (path === 'ops') fusedCells.on = () => false;
  });

  describe('spectral norm by power iteration', () => {
    it('the exact method is right on a hand-worked matrix: [[3, 0], [4, 5]] has singular values sqrt(45) and sqrt(5)', () => {
      // W^T W = [[25, 20], [20, 25]], eigenvalues 45 and 5.
      expect(
        exactSpectralNorm([
          [3, 0],
          [4, 5],
        ]),
      ).toBeCloseTo(Math.sqrt(45), 12);
    });

    it.each([
      [6, 6, 1],
      [5, 12, 2],
      [12, 5, 3],
      [16, 64, 4],
    ])('converges to the exact largest singular value of a random %ix%i matrix', async (rows, cols, seed) => {
      const w = randomMatrix(rows, cols, seed);
      const { sigma, v } = await estimate(w, 300);
      v.dispose();
      expect(Math.abs(sigma - exactSpectralNorm(w)) / exactSpectralNorm(w)).toBeLessThan(1e-4);
    });

    it('warm-started from the last vector, one round a step tracks a slowly moving matrix', async () => {
      const w = randomMatrix(8, 8, 7);
      const first = await estimate(w, 300);
      const moved = w.map((row) => row.map((x) => x * 1.01 + 0.001));
      const next = await estimate(moved, 1, first.v);
      first.v.dispose();
      next.v.dispose();
      expect(Math.abs(next.sigma - exactSpectralNorm(moved)) / exactSpectralNorm(moved)).toBeLessThan(1e-3);
    });

    it('a scaled orthogonal matrix has spectral norm equal to its scale; a zero matrix has 0; no tensor is left behind', async () => {
      const before = tf.memory().numTensors;
      const c = Math.cos(0.3);
      const s = Math.sin(0.3);
      const { sigma, v } = await estimate(
        [
          [2 * c, -2 * s],
          [2 * s, 2 * c],
        ],
        50,
      );
      v.dispose();
      expect(sigma).toBeCloseTo(2, 5);
      const zero = await estimate(
        [
          [0, 0],
          [0, 0],
        ],
        3,
      );
      zero.v.dispose();
      expect(zero.sigma).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('spectral norm far from 1', () => {
    it.each([1e20, 1e30, 1e-20])(
      'is finite and right for a random matrix scaled by %s (float32 squares overflow above 1.8e19)',
      async (scale) => {
        const unscaled = randomMatrix(16, 64, 11);
        const { sigma, v } = await estimate(
          unscaled.map((row) => row.map((x) => x * scale)),
          300,
        );
        v.dispose();
        // The exact method's tolerances are absolute: scale its answer for the unit matrix instead.
        const exact = exactSpectralNorm(unscaled) * scale;
        expect(Number.isFinite(sigma)).toBe(true);
        expect(Math.abs(sigma - exact) / exact).toBeLessThan(1e-4);
      },
    );

    it('is NaN, never 0, for a matrix that is no longer finite; Infinity past float32', async () => {
      const before = tf.memory().numTensors;
      const withInfinity = await estimate(
        [
          [Infinity, 1],
          [1, 1],
        ],
        5,
      );
      withInfinity.v.dispose();
      expect(withInfinity.sigma).toBeNaN();
      const withNaN = await estimate(
        [
          [NaN, 1],
          [1, 1],
        ],
        5,
      );
      withNaN.v.dispose();
      expect(withNaN.sigma).toBeNaN();
      // Each entry fits float32 (max 3.4e38); the largest singular value, 2 x 3e38, does not.
      const huge = await estimate(
        [
          [3e38, 3e38],
          [3e38, 3e38],
        ],
        5,
      );
      huge.v.dispose();
      expect(huge.sigma).toBe(Infinity);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe.each(['cpu', 'wasm'] as const)('the power-iteration kernel on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the ops’ estimate and vector to float32 rounding, round by round, in one kernel', async () => {
    for (const [rows, cols, seed, rounds] of [
      [32, 128, 21, 2],
      [128, 512, 22, 30],
      [1, 4, 23, 1],
    ] as const) {
      const w = randomMatrix(rows, cols, seed);
      fusedCells.on = () => false;
      const ops = await estimate(w, rounds);
      fusedCells.on = onByDefault;
      const before = tf.memory().numTensors;
      const fused = await estimate(w, rounds);
      // Only the vector returned outlives the call.
      expect(tf.memory().numTensors - before).toBe(1);
      expect(Math.abs(fused.sigma - ops.sigma) / ops.sigma).toBeLessThan(1e-5);
      const [a, b] = [await fused.v.data(), await ops.v.data()];
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(1e-5);
      fused.v.dispose();
      ops.v.dispose();
    }
  });
});
