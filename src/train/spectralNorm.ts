/**
 * The spectral norm (largest singular value) of a recurrent weight matrix, by power iteration.
 *
 * Why it matters: backpropagation through time multiplies the gradient by W_hh^T once per step (times
 * the activations' derivatives, at most 1 for tanh), so with ||W_hh||_2 < 1 the gradient reaching early
 * steps can only shrink, and above 1 it can grow: the line at 1 separates the regimes (Pascanu et al.,
 * 2013, section 3.1).
 *
 * Power iteration: u = W v / ||W v||, v = W^T u / ||W^T u||, sigma = ||W^T u||. Started from the previous
 * step's v, one iteration a step is enough: the weights move little between steps.
 */
import * as tf from '@tensorflow/tfjs';

export interface PowerIterate {
  /** The estimate of the largest singular value. */
  sigma: tf.Scalar;
  /** The right singular vector estimate [n, 1], unit length: the next step's start. */
  v: tf.Tensor2D;
}

/** `iterations` rounds of power iteration on w [m, n] from v [n, 1]; call inside a tidy. */
export function powerIterate(w: tf.Tensor2D, v: tf.Tensor2D, iterations: number): PowerIterate {
  if (!(iterations >= 1)) throw new Error(`power iteration needs at least one round, got ${iterations}`);
  // W^T formed once: tfjs-wasm's transposed matMul is much slower than a transpose and a plain one.
  const wT = tf.transpose(w);
  let right = v;
  let sigma: tf.Scalar = tf.scalar(0);
  for (let k = 0; k < iterations; k++) {
    const left = unit(tf.matMul(w, right) as tf.Tensor2D)[0];
    // ||W^T u|| is both this round's estimate and the length that normalises the next v: computed once.
    [right, sigma] = unit(tf.matMul(wT, left) as tf.Tensor2D);
  }
  return { sigma, v: right };
}

/** [x / ||x||, ||x||]; a zero vector stays zero (a zero matrix has spectral norm 0, not NaN). */
function unit(x: tf.Tensor2D): [tf.Tensor2D, tf.Scalar] {
  const length = tf.norm(x) as tf.Scalar;
  return [tf.div<tf.Tensor2D>(x, tf.maximum(length, 1e-30)), length];
}
