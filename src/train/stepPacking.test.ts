import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { packStep, unpackStep } from './stepPacking.ts';

describe('packing a step into one tensor', () => {
  it('gives every figure back under its own name', async () => {
    const before = tf.memory().numTensors;
    const packed = tf.tidy(() =>
      packStep({
        loss: tf.scalar(1.5),
        correctCount: tf.scalar(7),
        clipFraction: tf.scalar(0.25),
        clipScale: tf.tensor1d([0.5]), // rank 1 is reshaped
        clipCosine: tf.scalar(0.75),
        gradNormPre: [tf.scalar(3), tf.scalar(4)],
        gradNormPost: [tf.scalar(0.3), tf.scalar(0.4)],
        weightNorm: [tf.scalar(10), tf.scalar(20)],
        updateRatio: [tf.scalar(0.01), tf.scalar(0.02)],
        spectralNorm: tf.tensor1d([1.5]),
        saturation: null,
        hiddenGradNorms: tf.tensor1d([5, 6, 7]),
      }),
    );
    const values = await packed.data();
    packed.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const step = unpackStep(values, { params: 2, spectralNorm: 1, saturation: 0, hiddenGradNorms: 3 });
    expect(step.loss).toBe(1.5);
    expect(step.correctCount).toBe(7);
    expect(step.clipFraction).toBe(0.25);
    expect(step.clipScale).toBe(0.5);
    expect(step.clipCosine).toBe(0.75);
    expect(step.gradNormPre).toEqual([3, 4]);
    expect(step.gradNormPost.map((v) => Math.round(v * 10) / 10)).toEqual([0.3, 0.4]);
    expect(step.weightNorm).toEqual([10, 20]);
    expect(step.spectralNorm).toEqual([1.5]);
    expect(step.saturation).toBeNull();
    expect(step.hiddenGradNorms).toEqual([5, 6, 7]);
  });

  it('has no hidden norms when none were packed, and refuses a tensor of the wrong length', () => {
    const counts = { params: 2, spectralNorm: 0, saturation: 0, hiddenGradNorms: 0 };
    // Five scalars (loss, correct count, clip fraction, scale and cosine) and four per parameter.
    expect(unpackStep(new Float32Array(5 + 4 * 2), counts).hiddenGradNorms).toBeNull();
    expect(() => unpackStep(new Float32Array(12), counts)).toThrow(/holds 12 numbers; .* make 13/);
  });
});
