/**
 * Gradient clipping with the frameworks' exact semantics. Every function takes
 * and returns tensors and must run inside a tf.tidy; none reads a value back,
 * so clipping never stalls a GPU pipeline. NaN and Inf propagate exactly as
 * they do in the framework each mode copies (that is how divergence shows).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ClipConfig } from '../experiment/config.ts';
import { fusedClip } from './kernels/clipKernel.ts';
import { fusedL2Norm } from './kernels/normKernels.ts';
import { fusedStepNorms } from './kernels/stepNormsKernel.ts';

export interface ClipResult {
  grads: tf.Tensor[];
  /** Fraction of gradient elements that clipping changed (0 when it did not act). */
  fraction: tf.Scalar;
  /**
   * The factor applied: global modes, the one scale; per-tensor norm, the
   * smallest tensor's; by value, ||clipped|| / ||raw||; 1 when nothing changed.
   */
  scale: tf.Scalar;
}

/**
 * Sum of squares then sqrt, as torch's and tf's L2 norms (float32): one fused kernel on cpu and wasm
 * (kernels/normKernels.ts), the three ops elsewhere. For metrics: it has no gradient.
 */
export function l2Norm(t: tf.Tensor): tf.Scalar {
  return fusedL2Norm(t) ?? (tf.sqrt(tf.sum(tf.square(t))) as tf.Scalar);
}

function totalSize(grads: tf.Tensor[]): number {
  return grads.reduce((n, g) => n + g.size, 0);
}

/**
 * By value: g <- min(max(g, min), max), elementwise, per element independently
 * (tf.clip_by_value; torch clip_grad_value_ and Keras clipvalue use min = -max).
 * The direction of the gradient can change. NaN stays NaN.
 */
export function clipByValue(grads: tf.Tensor[], min: number, max: number): ClipResult {
  if (!(min <= max)) throw new Error(`clipByValue: min (${min}) must be at most max (${max})`);
  const clipped = grads.map((g) => tf.clipByValue(g, min, max));
  const outside = tf.addN(
    grads.map((g) => tf.sum(tf.cast(tf.logicalOr(tf.less(g, min), tf.greater(g, max)), 'float32'))),
  );
  const before = globalL2(grads);
  const after = globalL2(clipped);
  const scale = tf.where(
    tf.greater(before, 0),
    tf.div(after, tf.maximum(before, Number.MIN_VALUE)),
    tf.scalar(1),
  ) as tf.Scalar;
  return { grads: clipped, fraction: tf.div(outside, totalSize(grads)) as tf.Scalar, scale };
}

/**
 * By norm, per tensor (tf.clip_by_norm, Keras clipnorm):
 *   g <- g * c / max(||g||_2, c)
 * A tensor at or under the threshold is left as it is (up to float rounding of
 * g*c/c); an all-zero tensor stays zero (tf guards the sqrt of 0).
 */
export function clipByNorm(
  grad: tf.Tensor,
  threshold: number,
): { grad: tf.Tensor; factor: tf.Scalar; acted: tf.Scalar } {
  if (!(threshold > 0)) throw new Error(`clipByNorm: threshold (${threshold}) must be positive`);
  const sumSquares = tf.sum(tf.square(grad));
  const positive = tf.greater(sumSquares, 0);
  const norm = tf.where(positive, tf.sqrt(tf.where(positive, sumSquares, tf.onesLike(sumSquares))), sumSquares);
  const denominator = tf.maximum(norm, threshold);
  return {
    grad: tf.div(tf.mul(grad, threshold), denominator),
    factor: tf.div(threshold, denominator) as tf.Scalar,
    acted: tf.cast(tf.greater(norm, threshold), 'float32') as tf.Scalar,
  };
}

function clipEachByNorm(grads: tf.Tensor[], threshold: number): ClipResult {
  const parts = grads.map((g) => clipByNorm(g, threshold));
  const changed = tf.addN(parts.map((p, i) => tf.mul(p.acted, grads[i]?.size ?? 0)));
  return {
    grads: parts.map((p) => p.grad),
    fraction: tf.div(changed, totalSize(grads)) as tf.Scalar,
    scale: tf.min(tf.stack(parts.map((p) => p.factor))) as tf.Scalar,
  };
}

function globalL2(grads: tf.Tensor[]): tf.Scalar {
  return tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}

/**
 * torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type):
 *   total = || (||g_1||_p, ..., ||g_n||_p) ||_p   (p = inf: the largest |g|)
 *   coef  = min(1, max_norm / (total + 1e-6));  g <- g * coef
 * With error_if_nonfinite=False (torch's default) a NaN or Inf total makes
 * the gradients NaN (or 0 * Inf = NaN) and the step goes on.
 */
export function clipGradNormTorch(grads: tf.Tensor[], maxNorm: number, normType: '2' | 'inf'): ClipResult {
  if (!(maxNorm > 0)) throw new Error(`clipGradNormTorch: max_norm (${maxNorm}) must be positive`);
  const total = normType === 'inf' ? tf.max(tf.stack(grads.map((g) => tf.max(tf.abs(g))))) : globalL2(grads);
  const coef = tf.minimum(tf.div(maxNorm, tf.add(total, 1e-6)), 1) as tf.Scalar;
  return {
    grads: grads.map((g) => tf.mul(g, coef)),
    fraction: tf.cast(tf.less(coef, 1), 'float32') as tf.Scalar,
    scale: coef,
  };
}

/**
 * tf.clip_by_global_norm(grads, clip_norm):
 *   global = sqrt(sum ||g_i||_2^2);  scale = clip_norm * min(1 / global, 1 / clip_norm)
 *   g <- g * scale; if global is not finite, every gradient becomes NaN.
 */
export function clipByGlobalNormTf(grads: tf.Tensor[], clipNorm: number): ClipResult {
  if (!(clipNorm > 0)) throw new Error(`clipByGlobalNormTf: clip_norm (${clipNorm}) must be positive`);
  const global = globalL2(grads);
  const raw = tf.mul(clipNorm, tf.minimum(tf.div(1, global), 1 / clipNorm));
  const scale = tf.where(tf.isFinite(global), raw, tf.scalar(NaN)) as tf.Scalar;
  return {
    grads: grads.map((g) => tf.mul(g, scale)),
    fraction: tf.cast(tf.greater(global, clipNorm), 'float32') as tf.Scalar,
    scale,
  };
}

/**
 * The cosine between the gradient and the step clipping let through, over all parameters as one vector:
 * <g, c> / (||g|| ||c||), clamped to [-1, 1] against float rounding. Measured for every mode: the global modes
 * scale every tensor by one factor and should come out at 1 (to float32 rounding), value clipping bends the
 * direction (the large elements are cut, the small ones kept), and per-tensor norm clipping rebalances the
 * layers. The one shortcut is for no change at all: the very same tensors, whose cosine is exactly 1.
 * 1 when either vector is zero; NaN propagates.
 */
export function directionCosine(raw: tf.Tensor[], clipped: tf.Tensor[]): tf.Scalar {
  if (raw.length === clipped.length && raw.every((g, i) => clipped[i] === g)) return tf.scalar(1);
  const dot = tf.addN(
    raw.map((g, i) => {
      const c = clipped[i];
      if (!c) throw new Error(`directionCosine: no clipped gradient for tensor ${i} of ${raw.length}`);
      return tf.sum(tf.mul(g, c));
    }),
  );
  const lengths = tf.mul(globalL2(raw), globalL2(clipped));
  const cosine = tf.where(tf.equal(lengths, 0), tf.scalar(1), tf.div(dot, lengths));
  return tf.clipByValue(cosine, -1, 1) as tf.Scalar;
}

export function applyClip(grads: tf.Tensor[], clip: ClipConfig): ClipResult {
  // One kernel on cpu and wasm (kernels/clipKernel.ts), the same values as the functions above to the bit; a
  // setting they refuse goes to them for its message.
  const valid = clip.mode === 'value' ? clip.min <= clip.max : clip.threshold > 0;
  if (clip.mode !== 'none' && valid) {
    const fused = fusedClip(grads, clip);
    if (fused) return fused;
  }
  switch (clip.mode) {
    case 'none':
      return { grads, fraction: tf.scalar(0), scale: tf.scalar(1) };
    case 'value':
      return clipByValue(grads, clip.min, clip.max);
    case 'norm':
      return clipEachByNorm(grads, clip.threshold);
    case 'global':
      return clipGradNormTorch(grads, clip.threshold, clip.normType);
    case 'global-tf':
      return clipByGlobalNormTf(grads, clip.threshold);
    default: {
      const unreachable: never = clip.mode;
      throw new Error(`unknown clip mode ${String(unreachable)}`);
    }
  }
}

/**
 * A step's norms as one [3n + 1] tensor: ||g_i|| for every raw gradient, ||c_i|| for every clipped one, ||w_i||
 * for every weight, then cos(g, c) as directionCosine gives it. One kernel on cpu and wasm
 * (kernels/stepNormsKernel.ts); elsewhere the same figures from the ops.
 */
export function stepNorms(grads: tf.Tensor[], clipped: tf.Tensor[], weights: tf.Tensor[]): tf.Tensor1D {
  return (
    fusedStepNorms(grads, clipped, weights) ??
    (tf.concat([
      tf.stack([...grads, ...clipped, ...weights].map(l2Norm)),
      tf.reshape(directionCosine(grads, clipped), [1]),
    ]) as tf.Tensor1D)
  );
}

/**
 * The lab's step: the clipping and the step's norms block (stepNorms, with the weights as they are before the update)
 * together, from one kernel on cpu and wasm, where the two were two; elsewhere applyClip then stepNorms.
 */
export function clipAndMeasure(
  grads: tf.Tensor[],
  clip: ClipConfig,
  weights: tf.Tensor[],
): ClipResult & { norms: tf.Tensor1D } {
  const valid = clip.mode === 'none' || (clip.mode === 'value' ? clip.min <= clip.max : clip.threshold > 0);
  const fused = valid ? fusedClip(grads, clip, weights) : null;
  if (fused?.norms) return { ...fused, norms: fused.norms };
  const clipped = applyClip(grads, clip);
  return { ...clipped, norms: stepNorms(grads, clipped.grads, weights) };
}
