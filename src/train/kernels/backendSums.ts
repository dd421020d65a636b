/**
 * Sums as each CPU-memory backend's own Sum and Mean kernels compute them, for the fused kernels that must give
 * the ops' values to the bit (measured against tf.sum and tf.mean on random values): tfjs-wasm adds in float32, in
 * order, and its Mean divides the sum; tfjs-cpu adds in float64 and rounds once, and its Mean divides each value
 * first.
 */
import type { FusedBackend } from './backendMemory.ts';

const fround = Math.fround;

/** A sum of `count` values read by `at(k)`, k in order, as the backend's Sum adds them. */
export function backendSum(backendName: FusedBackend, count: number, at: (k: number) => number): number {
  let sum = 0;
  if (backendName === 'wasm') for (let k = 0; k < count; k++) sum = fround(sum + at(k));
  else for (let k = 0; k < count; k++) sum += at(k);
  return fround(sum);
}

/** tf.mean of `count` values read by `at(k)`, as the backend's Mean computes it. */
export function backendMean(backendName: FusedBackend, count: number, at: (k: number) => number): number {
  if (backendName === 'wasm') return fround(backendSum(backendName, count, at) / count);
  return backendSum(backendName, count, (k) => fround(at(k) / count));
}
