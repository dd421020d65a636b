import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { packStep, unpackStep } from './stepPacking.ts';

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
    const values = await packed.data();
    packed.dispose();
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
