/**
 * A step's clipping as ONE kernel on the backends whose tensors live in CPU memory ('cpu', 'wasm'): every clipped
 * gradient, the fraction clipping changed and its scale, for every mode of clipping.ts. As ops, clipping by value was
 * 40 of the dense net's 105 kernels a step (each ~13 us of dispatch on wasm; issue 23), and the norm modes 15 to 25.
 *
 * The arithmetic is the ops' to the bit, on each backend as that backend does it (measured: a probe compared tf.sum,
 * tf.addN, tf.maximum, tf.minimum and tf.clipByValue with these loops on random and NaN values):
 * - a tensor's sum of squares: tfjs-wasm's Sum adds in float32, in order; tfjs-cpu's adds in float64 and rounds
 *   once. Each square is rounded to float32 first (tf.square), and a sum of several tensors' sums (tf.addN) adds
 *   in float32, in order, on both;
 * - tf.clipByValue keeps NaN on cpu and makes it the minimum on wasm (XNNPACK's clamp);
 * - tf.maximum(a, b) and tf.minimum(a, b) are NaN when either is on cpu; on wasm they are C++'s std::max and std::min
 *   (a NaN in the second place gives the first);
 * - every other product, quotient, sum and square root a tfjs op rounds to float32 is rounded with Math.fround, and
 *   every number the ops turn into a scalar tensor (the threshold, 1e-6) is its float32.
 *
 * Inputs g0.. (the gradients) and, to measure, w0.. (the weights); attributes n, measure, and the clipping: mode
 * ('none', 'value', 'norm', 'global', 'global-tf'), min, max, threshold, normType ('2' or 'inf'). Outputs: the n
 * clipped gradients (none for 'none': the gradients go on as they are), the fraction and the scale (scalars), and when
 * measuring the step's norms block as kernels/stepNormsKernel.ts makes it: the lab's step then measures in the kernel
 * that clips, not in one more (issue 23: the step with metrics at most 1.3x the kernels of the bare step).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedBackend } from './backendMemory.ts';
import { backendSum } from './backendSums.ts';
import { floatInput, fusedKernelOn, memoryFor } from './fusedRegistry.ts';
import { stepNormValues } from './stepNormsKernel.ts';

export const CLIP_STEP = 'GradLabClip';

const fround = Math.fround;

export type FusedClipMode = 'none' | 'value' | 'norm' | 'global' | 'global-tf';

export interface FusedClipAttrs {
  mode: FusedClipMode;
  min: number;
  max: number;
  threshold: number;
  normType: '2' | 'inf';
}

/** tf.sum(tf.square(values)) as the backend computes it. */
function sumOfSquares(backendName: FusedBackend, values: Float32Array): number {
  return backendSum(backendName, values.length, (i) => fround(values[i]! * values[i]!));
}

/** tf.addN of scalars: float32, in order, on both backends. */
function addN(values: number[]): number {
  let sum = 0;
  for (const v of values) sum = fround(sum + v);
  return sum;
}

/** tf.maximum(a, b) and tf.minimum(a, b) of float32 scalars, NaN as the backend makes it. */
function maximum(backendName: FusedBackend, a: number, b: number): number {
  if (backendName === 'wasm') return a < b ? b : a;
  return Math.max(a, b);
}
function minimum(backendName: FusedBackend, a: number, b: number): number {
  if (backendName === 'wasm') return b < a ? b : a;
  return Math.min(a, b);
}

/** sqrt(addN(sum(square(g_i)))): clipping.ts globalL2. */
function globalL2(backendName: FusedBackend, tensors: Float32Array[]): number {
  return fround(Math.sqrt(addN(tensors.map((t) => sumOfSquares(backendName, t)))));
}

interface Clipped {
  fraction: number;
  scale: number;
}

/** g clipped to [lo, hi] into o as the backend's clipByValue clips; returns how many g were outside. */
export type ClampInto = (i: number, g: Float32Array, o: Float32Array, lo: number, hi: number) => number;

export function clampInto(backendName: FusedBackend): ClampInto {
  return (_, g, o, lo, hi) => {
    let count = 0;
    for (let j = 0; j < g.length; j++) {
      const x = g[j]!;
      if (x < lo || x > hi) count++;
      if (backendName === 'wasm') {
        const raised = x > lo ? x : lo;
        o[j] = raised < hi ? raised : hi;
      } else o[j] = x > hi ? hi : x < lo ? lo : x;
    }
    return count;
  };
}

/** clipping.ts clipByValue: clipped elementwise into `out` (by `clamp`: the SIMD module's on wasm where it runs). */
function byValue(
  backendName: FusedBackend,
  grads: Float32Array[],
  out: Float32Array[],
  attrs: FusedClipAttrs,
  clamp: ClampInto,
): Clipped {
  const [lo, hi] = [fround(attrs.min), fround(attrs.max)];
  const outside = grads.map((g, i) => clamp(i, g, out[i]!, lo, hi));
  const total = grads.reduce((n, g) => n + g.length, 0);
  const before = globalL2(backendName, grads);
  const after = globalL2(backendName, out);
  const scale = before > 0 ? fround(after / maximum(backendName, before, 0)) : 1;
  return { fraction: fround(addN(outside) / fround(total)), scale };
}

/** clipping.ts clipEachByNorm: each tensor g * c / max(||g||, c). */
function byNorm(backendName: FusedBackend, grads: Float32Array[], out: Float32Array[], threshold: number): Clipped {
  const c = fround(threshold);
  const changed: number[] = [];
  const factors: number[] = [];
  let total = 0;
  grads.forEach((g, i) => {
    const o = out[i]!;
    const squares = sumOfSquares(backendName, g);
    // where(s > 0, sqrt(s), s): the sqrt of 0 is guarded as tf.clip_by_norm does; NaN stays NaN.
    const norm = squares > 0 ? fround(Math.sqrt(squares)) : squares;
    const denominator = maximum(backendName, norm, c);
    for (let j = 0; j < g.length; j++) o[j] = fround(fround(g[j]! * c) / denominator);
    factors.push(fround(c / denominator));
    changed.push(fround((norm > c ? 1 : 0) * g.length));
    total += g.length;
  });
  // tf.min over the factors: NaN when any is NaN, on both backends.
  const scale = factors.some(Number.isNaN) ? NaN : Math.min(...factors);
  return { fraction: fround(addN(changed) / fround(total)), scale };
}

/** Every gradient times one float32 factor into `out`. */
function scaleAll(grads: Float32Array[], out: Float32Array[], factor: number): void {
  grads.forEach((g, i) => {
    const o = out[i]!;
    for (let j = 0; j < g.length; j++) o[j] = fround(g[j]! * factor);
  });
}

/** clipping.ts clipGradNormTorch: g * min(max_norm / (total + 1e-6), 1). */
function byTorchGlobalNorm(
  backendName: FusedBackend,
  grads: Float32Array[],
  out: Float32Array[],
  attrs: FusedClipAttrs,
): Clipped {
  let total: number;
  if (attrs.normType === 'inf') {
    // tf.max(tf.stack(grads.map(g => tf.max(tf.abs(g))))): NaN when any element is NaN, on both backends.
    total = -Infinity;
    for (const g of grads) for (let j = 0; j < g.length; j++) total = Math.max(total, Math.abs(g[j]!));
  } else total = globalL2(backendName, grads);
  const coef = minimum(backendName, fround(fround(attrs.threshold) / fround(total + fround(1e-6))), 1);
  scaleAll(grads, out, coef);
  return { fraction: coef < 1 ? 1 : 0, scale: coef };
}

/** clipping.ts clipByGlobalNormTf: g * c * min(1 / global, 1 / c), NaN when the global norm is not finite. */
function byTfGlobalNorm(
  backendName: FusedBackend,
  grads: Float32Array[],
  out: Float32Array[],
  threshold: number,
): Clipped {
  const c = fround(threshold);
  const global = globalL2(backendName, grads);
  const raw = fround(c * minimum(backendName, fround(1 / global), fround(1 / threshold)));
  const scale = Number.isFinite(global) ? raw : NaN;
  scaleAll(grads, out, scale);
  return { fraction: global > c ? 1 : 0, scale };
}

function clipKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const n = Number(attrs?.['n']);
    const measure = Boolean(attrs?.['measure']);
    const clip = JSON.parse(String(attrs?.['clip'])) as FusedClipAttrs;
    const memory = memoryFor(backendName, backend);
    const gradInfos = Array.from({ length: n }, (_, i) => floatInput(inputs, `g${i}`, CLIP_STEP));
    const weightInfos = measure ? Array.from({ length: n }, (_, i) => floatInput(inputs, `w${i}`, CLIP_STEP)) : [];
    // Every output first: on wasm a view dies when the heap grows, so views are taken after the last allocation.
    const outInfos = clip.mode === 'none' ? [] : gradInfos.map((g) => memory.alloc(g.shape));
    const [fractionInfo, scaleInfo] = [memory.alloc([]), memory.alloc([])];
    const normsInfo = measure ? memory.alloc([3 * n + 1]) : null;
    const grads = gradInfos.map((g) => memory.view(g));
    const out = outInfos.map((o) => memory.view(o));
    let result: Clipped;
    switch (clip.mode) {
      case 'none':
        result = { fraction: 0, scale: 1 };
        break;
      case 'value': {
        const simd = memory.simd();
        const clamp: ClampInto = simd
          ? (i, _g, _o, lo, hi) => simd.clipValue(gradInfos[i]!, outInfos[i]!, lo, hi)
          : clampInto(backendName);
        result = byValue(backendName, grads, out, clip, clamp);
        break;
      }
      case 'norm':
        result = byNorm(backendName, grads, out, clip.threshold);
        break;
      case 'global':
        result = byTorchGlobalNorm(backendName, grads, out, clip);
        break;
      case 'global-tf':
        result = byTfGlobalNorm(backendName, grads, out, clip.threshold);
        break;
    }
    memory.view(fractionInfo)[0] = result.fraction;
    memory.view(scaleInfo)[0] = result.scale;
    if (!normsInfo) return [...outInfos, fractionInfo, scaleInfo];
    const weights = weightInfos.map((w) => memory.view(w));
    stepNormValues(grads, clip.mode === 'none' ? grads : out, weights, clip.mode === 'none', memory.view(normsInfo));
    return [...outInfos, fractionInfo, scaleInfo, normsInfo];
  };
}

/**
 * A clipping of every gradient in one kernel on cpu and wasm, and with `weights` the step's norms block
 * ([||g_i||, ||c_i||, ||w_i||, cos(g, c)], as stepNorms) from the same kernel; null on other backends (the caller then
 * uses the ops). Not differentiable: the gradients are the end of autodiff here.
 */
export function fusedClip(
  grads: tf.Tensor[],
  clip: FusedClipAttrs,
  weights?: tf.Tensor[],
): { grads: tf.Tensor[]; fraction: tf.Scalar; scale: tf.Scalar; norms?: tf.Tensor1D } | null {
  const all = [...grads, ...(weights ?? [])];
  if (all.some((t) => t.dtype !== 'float32') || !fusedKernelOn(CLIP_STEP, tf.getBackend(), clipKernel)) return null;
  if (weights && weights.length !== grads.length) throw new Error(`${CLIP_STEP}: one weight per gradient`);
  const inputs: tf.NamedTensorMap = {};
  grads.forEach((g, i) => (inputs[`g${i}`] = g));
  weights?.forEach((w, i) => (inputs[`w${i}`] = w));
  const { mode, min, max, threshold, normType } = clip;
  const out = tf.engine().runKernel(CLIP_STEP, inputs, {
    n: grads.length,
    measure: weights !== undefined,
    clip: JSON.stringify({ mode, min, max, threshold, normType }),
  } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  const clippedCount = mode === 'none' ? 0 : grads.length;
  return {
    grads: mode === 'none' ? grads : out.slice(0, clippedCount),
    fraction: out[clippedCount] as tf.Scalar,
    scale: out[clippedCount + 1] as tf.Scalar,
    ...(weights ? { norms: out[clippedCount + 2] as tf.Tensor1D } : {}),
  };
}
