import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyClip,
  clipByGlobalNormTf,
  clipByNorm,
  clipByValue,
  clipGradNormTorch,
  directionCosine,
} from './clipping.ts';
import { NO_CLIP, type ClipConfig } from '../experiment/config.ts';

// Hand-checkable gradients: g1 = [3, -4] (norm 5), g2 = [12] (norm 12); together sqrt(25 + 144) = 13.
const g1 = () => tf.tensor1d([3, -4]);
const g2 = () => tf.tensor1d([12]);

async function values(ts: tf.Tensor[]): Promise<number[][]> {
  return Promise.all(ts.map(async (t) => Array.from(await t.data())));
}

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  tf.disposeVariables();
  expect(tf.memory().numTensors).toBe(before);
});

describe('clip by value (tf.clip_by_value, torch clip_grad_value_)', () => {
  it('clamps each element to [min, max] and reports the fraction changed', async () => {
    const out = tf.tidy(() => {
      const r = clipByValue([g1(), g2()], -1, 1);
      return [...r.grads, r.fraction, r.scale];
    });
    const [a, b, fraction, scale] = await values(out);
    expect(a).toEqual([1, -1]);
    expect(b).toEqual([1]);
    expect(fraction?.[0]).toBeCloseTo(1, 6); // all three elements were outside
    expect(scale?.[0]).toBeCloseTo(Math.sqrt(3) / 13, 6);
    tf.dispose(out);
  });

  it('supports asymmetric bounds and leaves elements inside untouched', async () => {
    const out = tf.tidy(() => clipByValue([tf.tensor1d([-5, 0.5, 2, 7])], -1, 3).grads);
    expect((await values(out))[0]).toEqual([-1, 0.5, 2, 3]);
    tf.dispose(out);
  });

  it('counts only the elements it changed: one exactly on a bound is kept and not counted', async () => {
    const out = tf.tidy(() => {
      const r = clipByValue([tf.tensor1d([-1, 0.5, 1, 2, -3])], -1, 1);
      return [...r.grads, r.fraction];
    });
    const [g, fraction] = await values(out);
    expect(g).toEqual([-1, 0.5, 1, 1, -1]);
    expect(fraction?.[0]).toBeCloseTo(2 / 5, 7);
    tf.dispose(out);
  });

  it('through applyClip, uses the config’s own min and max: asymmetric bounds clip, count and scale as such', async () => {
    const raw = [-5, -2, -1, 0.5, 2, 3, 7];
    const out = tf.tidy(() => {
      const r = applyClip([tf.tensor1d(raw)], { ...NO_CLIP, mode: 'value', min: -1, max: 3 });
      return [...r.grads, r.fraction, r.scale];
    });
    const [g, fraction, scale] = await values(out);
    const clipped = [-1, -1, -1, 0.5, 2, 3, 3];
    expect(g).toEqual(clipped);
    // -5, -2 and 7; -1 and 3 sit on the bounds. (Bounds of -3 and 3 would count -5 and 7 only.)
    expect(fraction?.[0]).toBeCloseTo(3 / 7, 7);
    expect(scale?.[0]).toBeCloseTo(Math.hypot(...clipped) / Math.hypot(...raw), 6);
    tf.dispose(out);
  });

  it('rejects min > max with a message naming both', () => {
    expect(() => tf.tidy(() => clipByValue([g1()], 2, 1).grads)).toThrow('min (2) must be at most max (1)');
  });

  it('lets NaN through and clamps Inf, as the frameworks do', async () => {
    const out = tf.tidy(() => clipByValue([tf.tensor1d([NaN, Infinity, -Infinity])], -1, 1).grads);
    const [v] = await values(out);
    expect(Number.isNaN(v?.[0])).toBe(true);
    expect(v?.slice(1)).toEqual([1, -1]);
    tf.dispose(out);
  });
});

describe('clip by norm per tensor (tf.clip_by_norm, Keras clipnorm)', () => {
  it('rescales each tensor over the threshold to norm c, and only those', async () => {
    const out = tf.tidy(() => {
      const r = applyClip([g1(), g2()], { mode: 'norm', min: -1, max: 1, threshold: 6, normType: '2' });
      return [...r.grads, r.fraction, r.scale];
    });
    const [a, b, fraction, scale] = await values(out);
    expect(a?.[0]).toBeCloseTo(3, 5); // norm 5 <= 6: unchanged
    expect(a?.[1]).toBeCloseTo(-4, 5);
    expect(b?.[0]).toBeCloseTo(6, 5); // norm 12 -> 6
    expect(fraction?.[0]).toBeCloseTo(1 / 3, 6); // one of three elements belonged to a clipped tensor
    expect(scale?.[0]).toBeCloseTo(0.5, 6);
    tf.dispose(out);
  });

  it('leaves a tensor whose norm is exactly the threshold as it is, and reports no clipping', async () => {
    const out = tf.tidy(() => {
      const r = clipByNorm(g1(), 5);
      return [r.grad, r.factor, r.acted];
    });
    const [g, factor, acted] = await values(out);
    expect(g?.[0]).toBeCloseTo(3, 6);
    expect(g?.[1]).toBeCloseTo(-4, 6);
    expect(factor?.[0]).toBe(1);
    expect(acted?.[0]).toBe(0);
    tf.dispose(out);
  });

  it('keeps an all-zero gradient zero (no 0/0)', async () => {
    const out = tf.tidy(() => clipByNorm(tf.zeros([3]), 1).grad);
    expect(Array.from(await out.data())).toEqual([0, 0, 0]);
    out.dispose();
  });

  it("keeps the derivative finite at a zero gradient: tf.clip_by_norm's guard around sqrt(0)", async () => {
    // Under the threshold the output is g * c / c, so d(sum out)/dg = 1 everywhere, also at g = 0.
    // A plain sqrt(sum g^2) has an infinite derivative at 0, and 0 * Infinity makes it NaN.
    // The guard changes no forward value, so only a derivative can see it. tfjs registers no gradient for
    // Greater; a comparison is piecewise constant, so its derivative is zero.
    if (!tf.getGradient('Greater')) {
      tf.registerGradient({
        kernelName: 'Greater',
        inputsToSave: ['a', 'b'],
        gradFunc: (_dy, saved) => {
          const [a, b] = saved;
          return { a: () => tf.zerosLike(a as tf.Tensor), b: () => tf.zerosLike(b as tf.Tensor) };
        },
      });
    }
    const out = tf.tidy(() => tf.grad((g: tf.Tensor) => tf.sum(clipByNorm(g, 1).grad))(tf.zeros([3])));
    expect(Array.from(await out.data())).toEqual([1, 1, 1]);
    out.dispose();
  });

  it('turns a tensor holding NaN into NaN', async () => {
    const out = tf.tidy(() => clipByNorm(tf.tensor1d([1, NaN]), 1).grad);
    expect(Array.from(await out.data()).every(Number.isNaN)).toBe(true);
    out.dispose();
  });
});

describe('clip by global norm, torch clip_grad_norm_', () => {
  it('scales every tensor by max_norm / (total + 1e-6) when total exceeds max_norm', async () => {
    const out = tf.tidy(() => {
      const r = clipGradNormTorch([g1(), g2()], 6.5, '2');
      return [...r.grads, r.scale, r.fraction];
    });
    const [a, b, scale, fraction] = await values(out);
    const coef = 6.5 / (13 + 1e-6);
    expect(scale?.[0]).toBeCloseTo(coef, 6);
    expect(a?.[0]).toBeCloseTo(3 * coef, 5);
    expect(b?.[0]).toBeCloseTo(12 * coef, 5);
    expect(fraction?.[0]).toBe(1);
    tf.dispose(out);
  });

  it('adds 1e-6 to the total: with tiny gradients it halves the step', async () => {
    // g = [6e-7, 8e-7], total 1e-6, max_norm 1e-7: coef = 1e-7 / (1e-6 + 1e-6) = 0.05 (0.1 without the 1e-6).
    const out = tf.tidy(() => {
      const r = clipGradNormTorch([tf.tensor1d([6e-7, 8e-7])], 1e-7, '2');
      return [...r.grads, r.scale];
    });
    const [g, scale] = await values(out);
    expect(scale?.[0]).toBeCloseTo(0.05, 6);
    expect(g?.[0]).toBeCloseTo(3e-8, 12);
    expect(g?.[1]).toBeCloseTo(4e-8, 12);
    tf.dispose(out);
  });

  it('clamps the coefficient to 1 under the threshold: the gradients are exactly unchanged', async () => {
    // max_norm 26 over a total of 13: 26 / (13 + 1e-6) is about 2; min(2, 1) = 1, and 3 * 1 is exactly 3.
    const out = tf.tidy(() => {
      const r = clipGradNormTorch([g1(), g2()], 26, '2');
      return [...r.grads, r.scale, r.fraction];
    });
    const [a, b, scale, fraction] = await values(out);
    expect(scale?.[0]).toBe(1);
    expect(a).toEqual([3, -4]);
    expect(b).toEqual([12]);
    expect(fraction?.[0]).toBe(0);
    tf.dispose(out);
  });

  it('at exactly the threshold the 1e-6 still acts: 13 / (13 + 1e-6) in float32, one ulp under 1, as torch', async () => {
    const out = tf.tidy(() => clipGradNormTorch([g1(), g2()], 13, '2').scale);
    // In float32, 13 + 1e-6 is 13 + 2^-20 (the nearest float), and 13 / that is 1 - 2^-24: not 1.
    const expected = Math.fround(13 / Math.fround(13 + Math.fround(1e-6)));
    expect(expected).toBe(1 - 2 ** -24);
    expect((await out.data())[0]).toBe(expected);
    out.dispose();
  });

  it('uses the largest absolute element for norm_type inf', async () => {
    const out = tf.tidy(() => clipGradNormTorch([g1(), g2()], 6, 'inf').scale);
    expect((await out.data())[0]).toBeCloseTo(6 / (12 + 1e-6), 6);
    out.dispose();
  });

  it('leaves all-zero gradients zero', async () => {
    const out = tf.tidy(() => {
      const r = clipGradNormTorch([tf.zeros([2])], 1, '2');
      return [...r.grads, r.scale];
    });
    const [g, scale] = await values(out);
    expect(g).toEqual([0, 0]);
    expect(scale?.[0]).toBe(1);
    tf.dispose(out);
  });

  it('propagates NaN and turns Inf into NaN (error_if_nonfinite=False)', async () => {
    const out = tf.tidy(() => [...clipGradNormTorch([tf.tensor1d([1, Infinity]), g2()], 1, '2').grads]);
    const [a, b] = await values(out);
    expect(Number.isNaN(a?.[1])).toBe(true); // Inf * 0
    expect(b?.[0]).toBe(0); // 12 * (1 / Inf)
    tf.dispose(out);
  });
});

describe('clip by global norm, tf.clip_by_global_norm', () => {
  it('scales by clip_norm / max(global, clip_norm)', async () => {
    const out = tf.tidy(() => {
      const r = clipByGlobalNormTf([g1(), g2()], 6.5);
      return [...r.grads, r.scale];
    });
    const [a, b, scale] = await values(out);
    expect(scale?.[0]).toBeCloseTo(0.5, 6);
    expect(a).toEqual([1.5, -2]);
    expect(b?.[0]).toBeCloseTo(6, 6);
    tf.dispose(out);
  });

  it('at exactly the threshold, and under it, the gradients are unchanged', async () => {
    const out = tf.tidy(() => [
      clipByGlobalNormTf([g1(), g2()], 13).scale,
      clipByGlobalNormTf([g1(), g2()], 100).scale,
    ]);
    const [[at] = [], [under] = []] = await values(out);
    expect(at).toBeCloseTo(1, 6);
    expect(under).toBeCloseTo(1, 6);
    tf.dispose(out);
  });

  it('all-zero gradients stay zero', async () => {
    const [out] = tf.tidy(() => clipByGlobalNormTf([tf.zeros([2])], 1).grads);
    expect(Array.from((await out?.data()) ?? [])).toEqual([0, 0]);
    out?.dispose();
  });

  it('makes every gradient NaN when the global norm is not finite', async () => {
    const out = tf.tidy(() => clipByGlobalNormTf([tf.tensor1d([Infinity]), g2()], 1).grads);
    const [a, b] = await values(out);
    expect(Number.isNaN(a?.[0]) && Number.isNaN(b?.[0])).toBe(true);
    tf.dispose(out);
  });
});

describe('no clipping', () => {
  it('returns the gradients untouched with scale 1 and fraction 0', async () => {
    const out = tf.tidy(() => {
      const r = applyClip([g1()], { mode: 'none', min: -1, max: 1, threshold: 1, normType: '2' });
      return [...r.grads, r.scale, r.fraction];
    });
    const [g, scale, fraction] = await values(out);
    expect(g).toEqual([3, -4]);
    expect(scale?.[0]).toBe(1);
    expect(fraction?.[0]).toBe(0);
    tf.dispose(out);
  });
});

describe('the direction of the step: cos(g, clipped g) over all parameters', () => {
  const cosine = async (clip: ClipConfig, grads: () => tf.Tensor[] = () => [g1(), g2()]) => {
    const out = tf.tidy(() => {
      const raw = grads();
      return directionCosine(raw, applyClip(raw, clip).grads);
    });
    const [value] = await out.data();
    out.dispose();
    return value;
  };

  it('value clipping bends it: (3, -4, 12) cut to (1, -1, 1) gives 19 / (13 sqrt 3) = 0.84382', async () => {
    expect(await cosine({ ...NO_CLIP, mode: 'value', min: -1, max: 1 })).toBeCloseTo(19 / (13 * Math.sqrt(3)), 5);
  });

  it('per-tensor norm at 5 rescales only g2 to [5]: (3, -4, 5) gives 85 / (13 sqrt 50) = 0.92468', async () => {
    expect(await cosine({ ...NO_CLIP, mode: 'norm', threshold: 5 })).toBeCloseTo(85 / (13 * Math.sqrt(50)), 5);
  });

  /** cos(raw, clipped) in float64 from the tensors' values: the check does not trust the code it checks. */
  const cosineByHand = async (clip: ClipConfig, grads: () => tf.Tensor[]) => {
    const out = tf.tidy(() => {
      const raw = grads();
      return [...raw, ...applyClip(raw, clip).grads].map((t) => tf.reshape(t, [-1]));
    });
    const flat = await values(out);
    tf.dispose(out);
    const half = flat.length / 2;
    const g = flat.slice(0, half).flat();
    const c = flat.slice(half).flat();
    const dot = g.reduce((sum, x, i) => sum + x * (c[i] ?? NaN), 0);
    return dot / (Math.hypot(...g) * Math.hypot(...c));
  };

  // Uneven gradients, so that a mode that rebalanced or cut them would show: (3, -4), (12), (0.1, -0.2, 40).
  const uneven = () => [g1(), g2(), tf.tensor1d([0.1, -0.2, 40])];

  it.each([
    ['none', { ...NO_CLIP }],
    ['global (torch)', { ...NO_CLIP, mode: 'global', threshold: 0.5 }],
    ['global, inf norm', { ...NO_CLIP, mode: 'global', threshold: 0.5, normType: 'inf' }],
    ['global-tf', { ...NO_CLIP, mode: 'global-tf', threshold: 0.5 }],
    ['norm', { ...NO_CLIP, mode: 'norm', threshold: 5 }],
    ['value', { ...NO_CLIP, mode: 'value', min: -2, max: 1 }],
  ] as [string, ClipConfig][])('%s: equals the cosine worked out from the real clipped gradients', async (_, clip) => {
    const expected = await cosineByHand(clip, uneven);
    expect(await cosine(clip, uneven)).toBeCloseTo(expected, 6);
    // The global modes only shorten the step; the others turn it.
    if (clip.mode === 'value' || clip.mode === 'norm') expect(expected).toBeLessThan(0.99);
    else expect(expected).toBeCloseTo(1, 6);
  });

  it('is measured, not assumed, whatever the mode: a step that was turned reads below 1 under a global mode too', async () => {
    const out = tf.tidy(() => directionCosine([tf.tensor1d([1, 0])], [tf.tensor1d([1, 1])]));
    expect((await out.data())[0]).toBeCloseTo(Math.SQRT1_2, 6);
    out.dispose();
  });

  it('lets NaN through: a diverged step has no direction', async () => {
    const out = tf.tidy(() => directionCosine([tf.tensor1d([NaN, 1])], [tf.tensor1d([1, 1])]));
    expect(Number.isNaN((await out.data())[0])).toBe(true);
    out.dispose();
  });

  it('is 1 when nothing acted, and 1 for an all-zero gradient (no 0/0)', async () => {
    expect(await cosine({ ...NO_CLIP, mode: 'value', min: -100, max: 100 })).toBeCloseTo(1, 6);
    expect(await cosine({ ...NO_CLIP, mode: 'value', min: -1, max: 1 }, () => [tf.zeros([3])])).toBe(1);
  });
});
