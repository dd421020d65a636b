import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../cli/nodeBackend.ts';
import { fusedCells } from './kernels/recurrentKernels.ts';
import { packedValues, packStep, sliceOf, unpackStep } from './stepPacking.ts';

describe('packing a step into one tensor', () => {
  it('gives every figure back under its own name, each a different number, in the registry order', async () => {
    const before = tf.memory().numTensors;
    const packed = tf.tidy(() =>
      packStep({
        loss: tf.scalar(1.5),
        accuracy: tf.scalar(7),
        clipFraction: tf.scalar(0.25),
        clipScale: tf.tensor1d([0.5]), // rank 1 is reshaped
        clipCosine: tf.scalar(0.75),
        gradNormPre: [tf.scalar(3), tf.scalar(4)],
        gradNormPost: [tf.scalar(30), tf.scalar(40)],
        weightNorm: [tf.scalar(10), tf.scalar(20)],
        updateRatio: [tf.scalar(100), tf.scalar(200)],
        spectralNorm: tf.tensor1d([1.5, 2.5]),
        saturation: tf.tensor1d([0.125, 0.375]),
        hiddenGradNorms: tf.tensor1d([5, 6, 7]),
      }),
    );
    const values = await packedValues(packed);
    expect(tf.memory().numTensors).toBe(before);
    // The layout, by hand: 5 scalars, then each per-parameter metric for both parameters, then the tails.
    expect(Array.from(values)).toEqual([
      1.5, 7, 0.25, 0.5, 0.75, 3, 4, 30, 40, 10, 20, 100, 200, 1.5, 2.5, 0.125, 0.375, 5, 6, 7,
    ]);
    const step = unpackStep(values, { params: 2, spectralNorm: 2, saturation: 2, hiddenGradNorms: 3 });
    expect(step).toEqual({
      loss: 1.5,
      accuracy: 7,
      clipFraction: 0.25,
      clipScale: 0.5,
      clipCosine: 0.75,
      gradNormPre: [3, 4],
      gradNormPost: [30, 40],
      weightNorm: [10, 20],
      updateRatio: [100, 200],
      spectralNorm: [1.5, 2.5],
      saturation: [0.125, 0.375],
      hiddenGradNorms: [5, 6, 7],
    });
  });

  it('has null for a tail not packed, and refuses a tensor of the wrong length', () => {
    const counts = { params: 2, spectralNorm: 0, saturation: 0, hiddenGradNorms: 0 };
    // Five scalars (loss, correct count, clip fraction, scale and cosine) and four per parameter.
    const step = unpackStep(new Float32Array(5 + 4 * 2), counts);
    expect([step.hiddenGradNorms, step.spectralNorm, step.saturation]).toEqual([null, null, null]);
    expect(() => unpackStep(new Float32Array(12), counts)).toThrow(/holds 12 numbers; .* make 13/);
    // A tail present after an absent one starts right after the head.
    const withHidden = unpackStep(Float32Array.from([...new Array<number>(13).fill(0), 8, 9]), {
      ...counts,
      hiddenGradNorms: 2,
    });
    expect(withHidden.hiddenGradNorms).toEqual([8, 9]);
  });
});

describe.each(['cpu', 'wasm'] as const)('packing slices and the update ratio on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    fusedCells.on = onByDefault;
    await tf.setBackend('cpu');
  });

  /** A step's parts as the trainer hands them: the norms as one block sliced in place, the ratio of two blocks. */
  function packed(): { values: number[]; made: number } {
    return tf.tidy(() => {
      // ||g|| (2), ||c|| (2), ||w|| (2), cos: the second weight is 0, so its ratio divides by the floor.
      const norms = tf.tensor1d([3, 4, 30, 40, 0.1, 0, 0.75]);
      const updates = tf.tensor1d([0.3, 2e-9]);
      const before = tf.memory().numTensors;
      const out = packStep({
        loss: tf.scalar(1.5),
        accuracy: tf.scalar(-1),
        clipFraction: tf.scalar(0.25),
        clipScale: tf.scalar(0.5),
        clipCosine: sliceOf(norms, 6, 1),
        gradNormPre: sliceOf(norms, 0, 2),
        gradNormPost: sliceOf(norms, 2, 2),
        weightNorm: sliceOf(norms, 4, 2),
        updateRatio: { numerator: updates, denominator: sliceOf(norms, 4, 2), floor: 1e-8 },
        spectralNorm: null,
        saturation: tf.tensor1d([NaN]),
        hiddenGradNorms: tf.tensor1d([5, 6]),
      });
      return { values: [...(out instanceof tf.Tensor ? out.dataSync() : out)], made: tf.memory().numTensors - before };
    });
  }
  const onByDefault = fusedCells.on;

  it('gives the ops’ values (0.3 / 0.1, 2e-9 over the floor 1e-8, a NaN kept), laid out on the host without a kernel', async () => {
    fusedCells.on = () => false;
    const ops = packed();
    fusedCells.on = onByDefault;
    const fused = packed();
    expect(fused.values).toEqual(ops.values);
    expect(fused.values).toEqual([
      1.5,
      -1,
      0.25,
      0.5,
      0.75,
      3,
      4,
      30,
      40,
      Math.fround(0.1),
      0,
      Math.fround(Math.fround(0.3) / Math.fround(0.1)),
      Math.fround(Math.fround(2e-9) / Math.fround(1e-8)),
      NaN,
      5,
      6,
    ]);
    // The four scalars and the two tails are made by the test; the packing makes no tensor (the values stay on the
    // host) and runs no kernel.
    expect(fused.made).toBe(4 + 2);
    expect((await tf.profile(() => packed().values)).kernels).toEqual([]);
    expect(ops.made).toBeGreaterThan(fused.made);
  });
});
