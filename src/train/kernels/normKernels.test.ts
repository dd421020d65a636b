/** The fused L2 norm: hand-worked values, float32 overflow and NaN as the ops give them, one kernel, the ops when off. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { Rng } from '../rng.ts';
import { l2Norm } from '../clipping.ts';
import { fusedCells } from './recurrentKernels.ts';

const onByDefault = fusedCells.on;
afterEach(() => {
  fusedCells.on = onByDefault;
});

const normOf = (values: number[], shape = [values.length]): number =>
  tf.tidy(() => l2Norm(tf.tensor(values, shape)).dataSync()[0] ?? NaN);

describe.each(['cpu', 'wasm'] as const)('l2Norm on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('hand-worked: ||(3, 4)|| = 5, ||[[1, 2], [2, 4]]|| = 5, ||0|| = 0, of a scalar -2 is 2', () => {
    expect(normOf([3, 4])).toBe(5);
    expect(normOf([1, 2, 2, 4], [2, 2])).toBe(5);
    expect(normOf([0, 0, 0])).toBe(0);
    expect(normOf([-2], [])).toBe(2);
  });

  it('a square past float32 (1e20^2) is Infinity, as tf.square makes it; NaN stays NaN', () => {
    expect(normOf([1e20, 1])).toBe(Infinity);
    expect(normOf([1, NaN, 2])).toBeNaN();
    expect(normOf([Infinity, 1])).toBe(Infinity);
  });

  it('equals Square-Sum-Sqrt to float32 rounding, in one kernel instead of three, with nothing left', async () => {
    const rng = new Rng(5);
    const values = Array.from({ length: 3000 }, () => rng.uniformIn(-3, 3));
    const x = tf.tensor2d(values, [60, 50]);
    const before = tf.memory().numTensors;
    const fused = normOf(values, [60, 50]);
    // In a tidy, as clipping.ts's functions run (the ops' intermediates are freed by it).
    const profile = await tf.profile(() => tf.tidy(() => void l2Norm(x)));
    expect(profile.kernelNames).toEqual(['GradLabL2Norm']);
    fusedCells.on = () => false;
    const ops = normOf(values, [60, 50]);
    const opsProfile = await tf.profile(() => tf.tidy(() => void l2Norm(x)));
    expect(opsProfile.kernelNames).toEqual(['Square', 'Sum', 'Sqrt']);
    expect(Math.abs(fused - ops) / ops).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
