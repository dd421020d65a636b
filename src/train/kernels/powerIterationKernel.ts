/**
 * spectralNorm.ts's power iteration as ONE kernel on the backends whose tensors live in CPU memory ('cpu', 'wasm').
 * As ops, each round is two products, two norms and two divisions, and the scaling and the finiteness check a
 * dozen more: about 40 kernels a recurrent layer a step for one metric (issue 23: metrics in a few kernels), where
 * the arithmetic itself, two matrix-vector products of at most 128 x 512, is microseconds.
 *
 * The same steps as powerIterate, in float64 (a metric, and a start vector for the next step: not the ops' bits,
 * equal to them to float32 rounding): w scaled by 1 / max|w| so no square overflows, `rounds` rounds of
 * u = W v / ||W v||, v = W^T u / ||W^T u||, sigma = ||W^T u|| max|w|; a zero vector stays zero; NaN when w holds a
 * NaN or an Infinity; Infinity when sigma passes float32's range.
 *
 * Inputs w [m, n], v [n, 1]; attribute rounds. Outputs sigma [], v [n, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedBackend } from './backendMemory.ts';
import { fusedKernelOn, memoryFor } from './fusedRegistry.ts';

export const POWER_ITERATION = 'GradLabPowerIteration';

/** The ops' guard against dividing by a zero length: 1e-30 as a float32 scalar. */
const TINY = Math.fround(1e-30);

function length(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum);
}

/** x / max(||x||, tiny) in place; returns ||x||. */
function normalise(x: Float64Array): number {
  const norm = length(x);
  const divisor = Math.max(norm, TINY);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! / divisor;
  return norm;
}

/**
 * u[i] = (w_i . v) * inverse for every row i of w [m, n], each sum over j in order; four rows at a time, whose four
 * chains of additions overlap (the same sums, the same bits, where one row at a time waits on each addition).
 */
function rowProducts(w: Float32Array, m: number, n: number, v: Float64Array, u: Float64Array, inverse: number): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let [s0, s1, s2, s3] = [0, 0, 0, 0];
    for (let j = 0; j < n; j++) {
      const x = v[j]!;
      s0 += w[i * n + j]! * x;
      s1 += w[(i + 1) * n + j]! * x;
      s2 += w[(i + 2) * n + j]! * x;
      s3 += w[(i + 3) * n + j]! * x;
    }
    u[i] = s0 * inverse;
    u[i + 1] = s1 * inverse;
    u[i + 2] = s2 * inverse;
    u[i + 3] = s3 * inverse;
  }
  for (; i < m; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += w[i * n + j]! * v[j]!;
    u[i] = sum * inverse;
  }
}

/** sigma and the next start vector, from w [m, n] (row-major) and v [n]. */
export function powerIterationValues(
  w: Float32Array,
  m: number,
  n: number,
  start: Float32Array,
  rounds: number,
): { sigma: number; v: Float64Array } {
  let scale = 0;
  // a - a is 0 for a finite a and NaN for an infinite or NaN one: no branch that mispredicts.
  let finiteCheck = 0;
  for (let k = 0; k < w.length; k++) {
    const a = Math.abs(w[k]!);
    finiteCheck += a - a;
    scale = a > scale ? a : scale;
  }
  const finite = finiteCheck === 0;
  const v = Float64Array.from(start);
  if (!finite) return { sigma: NaN, v: new Float64Array(n).fill(NaN) };
  const inverse = 1 / Math.max(scale, TINY);
  const u = new Float64Array(m);
  let estimate = 0;
  for (let round = 0; round < rounds; round++) {
    rowProducts(w, m, n, v, u, inverse);
    normalise(u);
    v.fill(0);
    for (let i = 0; i < m; i++) {
      const ui = u[i]! * inverse;
      for (let j = 0; j < n; j++) v[j] = v[j]! + w[i * n + j]! * ui;
    }
    estimate = normalise(v);
  }
  return { sigma: estimate * scale, v };
}

function powerIterationKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const rounds = Number(attrs?.['rounds']);
    const [w, v] = [inputs['w'], inputs['v']];
    if (!w || !v || w.dtype !== 'float32' || v.dtype !== 'float32')
      throw new Error(`${POWER_ITERATION} reads float32 tensors w and v`);
    const memory = memoryFor(backendName, backend);
    const [m = 0, n = 0] = w.shape;
    const sigma = memory.alloc([]);
    const next = memory.alloc([n, 1]);
    const result = powerIterationValues(memory.view(w), m, n, memory.view(v), rounds);
    memory.view(sigma)[0] = result.sigma;
    memory.view(next).set(result.v);
    return [sigma, next];
  };
}

/** powerIterate in one kernel on cpu and wasm; null elsewhere (the caller then uses the ops). */
export function fusedPowerIterate(
  w: tf.Tensor2D,
  v: tf.Tensor2D,
  rounds: number,
): { sigma: tf.Scalar; v: tf.Tensor2D } | null {
  if (w.dtype !== 'float32' || !fusedKernelOn(POWER_ITERATION, tf.getBackend(), powerIterationKernel)) return null;
  const [sigma, next] = tf.engine().runKernel(POWER_ITERATION, { w, v }, {
    rounds,
  } as unknown as tf.NamedAttrMap) as [tf.Scalar, tf.Tensor2D];
  return { sigma, v: next };
}
