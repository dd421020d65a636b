/**
 * The spectral norm (largest singular value) of a recurrent weight matrix, by power iteration.
 *
 * Why it matters for the plain RNN: backpropagation through time multiplies the gradient by W_hh^T once per
 * step (times tanh', at most 1), so with ||W_hh||_2 < 1 the gradient reaching early steps can only shrink, and
 * above 1 it can grow: the line at 1 separates the regimes (Pascanu et al., 2013, section 3.1).
 *
 * Power iteration: u = W v / ||W v||, v = W^T u / ||W^T u||, sigma = ||W^T u||. Started from the previous
 * step's v, a round or two a step is enough: the weights move little between steps.
 *
 * That bound is the plain RNN's: an LSTM's or GRU's W_hh (its gates' matrices side by side) enters the
 * backward through the gates and the additive state path, so its norm bounds nothing by itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedPowerIterate } from './kernels/powerIterationKernel.ts';

export interface PowerIterate {
  /** The estimate of the largest singular value. */
  sigma: tf.Scalar;
  /** The right singular vector estimate [n, 1], unit length: the next step's start. */
  v: tf.Tensor2D;
}

/**
 * `iterations` rounds of power iteration on w [m, n] from v [n, 1]; call inside a tidy.
 *
 * The iteration runs on w / max|w|, whose entries are at most 1, and scales the estimate back: ||W v||^2 sums
 * squares, and on W itself a float32 square overflows above about 1.8e19, which made the length Infinity, the
 * vector 0 and the estimate 0. A non-finite w gives NaN (its spectral norm is not a number); an estimate past
 * float32's range gives Infinity.
 */
export function powerIterate(w: tf.Tensor2D, v: tf.Tensor2D, iterations: number): PowerIterate {
  if (!(iterations >= 1)) throw new Error(`power iteration needs at least one round, got ${iterations}`);
  // One kernel on cpu and wasm (kernels/powerIterationKernel.ts): these steps in float64.
  const fused = fusedPowerIterate(w, v, iterations);
  if (fused) return fused;
  const scale = tf.max(tf.abs(w)) as tf.Scalar;
  // A zero matrix stays zero (0 / tiny), instead of 0 / 0.
  const scaled = tf.div<tf.Tensor2D>(w, tf.maximum(scale, 1e-30));
  // W^T formed once: tfjs-wasm's transposed matMul is much slower than a transpose and a plain one.
  const wT = tf.transpose(scaled);
  let right = v;
  let estimate: tf.Scalar = tf.scalar(0);
  for (let k = 0; k < iterations; k++) {
    const left = unit(tf.matMul(scaled, right) as tf.Tensor2D)[0];
    // ||W^T u|| is both this round's estimate and the length that normalises the next v: computed once.
    [right, estimate] = unit(tf.matMul(wT, left) as tf.Tensor2D);
  }
  const finite = tf.all(tf.isFinite(w));
  const sigma = tf.where(finite, tf.mul(estimate, scale), tf.scalar(NaN)) as tf.Scalar;
  return { sigma, v: right };
}

/** [x / ||x||, ||x||]; a zero vector stays zero (a zero matrix has spectral norm 0, not NaN). */
function unit(x: tf.Tensor2D): [tf.Tensor2D, tf.Scalar] {
  const length = tf.norm(x) as tf.Scalar;
  return [tf.div<tf.Tensor2D>(x, tf.maximum(length, 1e-30)), length];
}
