/**
 * Two of a recurrent step's diagnostics as ONE kernel each on the backends whose tensors live in CPU memory ('cpu',
 * 'wasm'), the ops' values to the bit (issue 23: metrics in a few kernels):
 * - the saturated fraction of a layer's hidden states, mean(step(|h| - threshold)) (saturationSink.ts: Abs, Sub,
 *   Step and Mean as ops), the mean as the backend's Mean computes it;
 * - a classifier's correct count, sum(argMax(logits) == argMax(labels)) (trainer.ts: two ArgMax, Equal, Cast and
 *   Sum as ops), each argMax the first index of the row's largest value, as tfjs's ArgMax takes it (a NaN is never
 *   larger, so a row that starts with NaN points at 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendMemory, FusedBackend } from './backendMemory.ts';
import { backendMean } from './backendSums.ts';
import { floatInput, fusedKernelOn, memoryFor } from './fusedRegistry.ts';

export const SATURATED_FRACTION = 'GradLabSaturatedFraction';
export const CORRECT_COUNT = 'GradLabCorrectCount';

const fround = Math.fround;

/** The bits of a float32, as an int32. */
function float32Bits(x: number): number {
  const bits = new Int32Array(1);
  new Float32Array(bits.buffer)[0] = x;
  return bits[0]!;
}

const INFINITY_BITS = 0x7f800000;

/**
 * mean(step(|h| - c)) of float32 values: the count of |h| > c (the float32 difference |h| - c is above 0 exactly
 * then), NaN if any value is NaN, over the count of values, as the backend's Mean makes it. Its terms are 0 or 1
 * (wasm, in float32) or 0 or float32(1/n) (cpu, in float64), so every partial sum is exact below 2^24 values and the
 * mean is the count's; above, the generic sum in the backend's order (backendSums.ts).
 *
 * Counted on the values' bits, without a branch: for float32 |h| and c >= 0, |h| > c exactly when the bits of |h|
 * (h's without the sign) are above c's, and h is NaN when they are above infinity's. A comparison that branches
 * mispredicts on half the values of a layer near the threshold: 6 ns a value against about 1 (a one-off probe).
 */
function saturatedFraction(
  backendName: FusedBackend,
  memory: BackendMemory,
  h: tf.TensorInfo,
  threshold: number,
): number {
  const values = memory.view(h);
  const n = values.length;
  if (n >= 2 ** 24 || !(threshold >= 0)) {
    return backendMean(backendName, n, (k) => {
      const d = fround(Math.abs(values[k]!) - threshold);
      return Number.isNaN(d) ? NaN : d > 0 ? 1 : 0;
    });
  }
  const limit = float32Bits(Math.abs(threshold)); // -0 is 0 here
  const count = memory.simd()?.countAbove(h, limit) ?? countAbove(values, limit);
  if (count < 0) return NaN;
  return backendName === 'wasm' ? fround(count / n) : fround(count * fround(1 / n));
}

/** The SIMD module's countAbove in TypeScript: |x|'s bits above `limit`, or -1 if any x is NaN. */
export function countAbove(values: Float32Array, limit: number): number {
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  let count = 0;
  let nans = 0;
  for (let k = 0; k < bits.length; k++) {
    const magnitude = bits[k]! & 0x7fffffff;
    // (limit - magnitude) is negative, its top bit set, exactly when magnitude > limit; both are below 2^31.
    count += (limit - magnitude) >>> 31;
    nans += (INFINITY_BITS - magnitude) >>> 31;
  }
  return nans > 0 ? -1 : count;
}

function saturationKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const threshold = fround(Number(attrs?.['threshold']));
    const memory = memoryFor(backendName, backend);
    const h = floatInput(inputs, 'h', SATURATED_FRACTION);
    const out = memory.alloc([]);
    memory.view(out)[0] = saturatedFraction(backendName, memory, h, threshold);
    return out;
  };
}

/** The first index of the largest value of row i of a [rows, cols] array, as tfjs's ArgMax. */
function argMaxOf(values: Float32Array, i: number, cols: number): number {
  let max = values[i * cols]!;
  let index = 0;
  for (let j = 1; j < cols; j++) {
    const v = values[i * cols + j]!;
    if (v > max) {
      max = v;
      index = j;
    }
  }
  return index;
}

function correctKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const memory = memoryFor(backendName, backend);
    const logits = floatInput(inputs, 'logits', CORRECT_COUNT);
    const labels = floatInput(inputs, 'labels', CORRECT_COUNT);
    const [rows = 0, cols = 0] = logits.shape;
    const out = memory.alloc([]);
    const [l, y] = [memory.view(logits), memory.view(labels)];
    let correct = 0;
    for (let i = 0; i < rows; i++) if (argMaxOf(l, i, cols) === argMaxOf(y, i, cols)) correct++;
    memory.view(out)[0] = correct;
    return out;
  };
}

/** mean(step(|h| - threshold)) in one kernel on cpu and wasm; null elsewhere (the caller then uses the ops). */
export function fusedSaturatedFraction(h: tf.Tensor, threshold: number): tf.Scalar | null {
  if (h.dtype !== 'float32' || !fusedKernelOn(SATURATED_FRACTION, tf.getBackend(), saturationKernel)) return null;
  return tf.engine().runKernel(SATURATED_FRACTION, { h }, { threshold } as unknown as tf.NamedAttrMap) as tf.Scalar;
}

/** sum(argMax(logits, 1) == argMax(labels, 1)) as a float32 scalar in one kernel on cpu and wasm; null elsewhere. */
export function fusedCorrectCount(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar | null {
  if (logits.dtype !== 'float32' || labels.dtype !== 'float32') return null;
  if (!fusedKernelOn(CORRECT_COUNT, tf.getBackend(), correctKernel)) return null;
  return tf.engine().runKernel(CORRECT_COUNT, { logits, labels }) as tf.Scalar;
}
