/**
 * ||t||_2 as one kernel on the backends whose tensors live in CPU memory ('cpu', 'wasm'), where the ops
 * (Square, Sum, Sqrt) are three: the lab takes the norm of every gradient before and after clipping and of
 * every weight, each step, so on the dense net these chains were a quarter of the step's kernels.
 * The sum of squares is accumulated in float64 and rounded to float32 once, before the sqrt: at least as
 * exact as tfjs's float32 sum, and Infinity where a square or the sum passes float32's range, as tf.square
 * and tf.sum make it; NaN propagates.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedBackend } from './backendMemory.ts';
import { fusedKernelOn, memoryFor } from './fusedRegistry.ts';

export const L2_NORM = 'GradLabL2Norm';

function l2NormKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const x = inputs['x'];
    if (!x || x.dtype !== 'float32') throw new Error(`${L2_NORM} reads one float32 tensor x`);
    const memory = memoryFor(backendName, backend);
    const out = memory.alloc([]);
    const values = memory.view(x);
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      sum += v * v;
    }
    memory.view(out)[0] = Math.sqrt(Math.fround(sum));
    return out;
  };
}

/** ||t||_2 of a float32 tensor: one fused kernel on cpu and wasm, Square-Sum-Sqrt elsewhere (not differentiable). */
export function fusedL2Norm(t: tf.Tensor): tf.Scalar | null {
  if (t.dtype !== 'float32' || !fusedKernelOn(L2_NORM, tf.getBackend(), l2NormKernel)) return null;
  return tf.engine().runKernel(L2_NORM, { x: t }) as tf.Scalar;
}
