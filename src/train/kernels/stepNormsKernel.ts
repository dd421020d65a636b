/**
 * A step's norms in one kernel on the backends whose tensors live in CPU memory ('cpu', 'wasm'): the L2 norm of
 * every gradient before clipping, after clipping and of every weight, and the cosine between the raw and the
 * clipped gradient over all parameters. As ops these were 12 norm kernels and a 35-kernel cosine on the dense
 * net's 123-kernel step, each kernel about 13 us of dispatch in tfjs-wasm (issue 23: metrics in a few kernels).
 *
 * Output [3n + 1]: ||g_i|| (n), ||c_i|| (n), ||w_i|| (n), cos(g, c). Each norm is the fused l2Norm's: squares
 * summed in float64, rounded to float32 once, then the square root (so a sum past float32's range is Infinity,
 * as tf.square and tf.sum make it). The cosine follows clipping.ts's directionCosine: <g, c> / (||g|| ||c||)
 * with each of the three sums rounded to float32 as the ops' sums are, 1 where either length is 0, clamped
 * to [-1, 1], NaN kept; exactly 1 when the clipped tensors are the raw ones (attribute `same`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedBackend } from './backendMemory.ts';
import { fusedKernelOn, memoryFor } from './fusedRegistry.ts';

export const STEP_NORMS = 'GradLabStepNorms';

function sumOfProducts(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * g.g, c.c and g.c in one pass: three sums, each in sumOfProducts' order (so the same bits), whose additions overlap
 * where three passes would each wait on its own chain of additions (about 3x faster: the step's norms were 0.17 ms
 * of the RNN 1x128's step).
 */
function threeSums(g: Float32Array, c: Float32Array): [number, number, number] {
  let gg = 0;
  let cc = 0;
  let gc = 0;
  for (let i = 0; i < g.length; i++) {
    const [a, b] = [g[i]!, c[i]!];
    gg += a * a;
    cc += b * b;
    gc += a * b;
  }
  return [gg, cc, gc];
}

/**
 * The [3n + 1] block into `values` from the views of the raw gradients, the clipped ones and the weights; `same` when
 * the clipped tensors are the raw ones. Also what the clipping kernel runs when it measures (kernels/clipKernel.ts).
 */
export function stepNormValues(
  grads: Float32Array[],
  clipped: Float32Array[],
  weights: Float32Array[],
  same: boolean,
  values: Float32Array,
): void {
  const n = grads.length;
  let gg = 0;
  let cc = 0;
  let gc = 0;
  for (let i = 0; i < n; i++) {
    const [g, c, w] = [grads[i]!, same ? grads[i]! : clipped[i]!, weights[i]!];
    if (g.length !== c.length) throw new Error(`${STEP_NORMS}: g${i} and c${i} differ in size`);
    const [sumGG, sumCC, sumGC] = same ? [sumOfProducts(g, g), 0, 0] : threeSums(g, c);
    const squaresG = Math.fround(sumGG);
    const squaresC = same ? squaresG : Math.fround(sumCC);
    values[i] = Math.sqrt(squaresG);
    values[n + i] = Math.sqrt(squaresC);
    values[2 * n + i] = Math.sqrt(Math.fround(sumOfProducts(w, w)));
    gg += squaresG;
    cc += squaresC;
    if (!same) gc += Math.fround(sumGC);
  }
  if (same) values[3 * n] = 1;
  else {
    const lengths = Math.fround(Math.fround(Math.sqrt(Math.fround(gg))) * Math.fround(Math.sqrt(Math.fround(cc))));
    const cosine = lengths === 0 ? 1 : Math.fround(Math.fround(gc) / lengths);
    values[3 * n] = Number.isNaN(cosine) ? NaN : Math.min(1, Math.max(-1, cosine));
  }
}

function stepNormsKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const n = Number(attrs?.['n']);
    const same = Boolean(attrs?.['same']);
    const memory = memoryFor(backendName, backend);
    const input = (name: string): tf.TensorInfo => {
      const t = inputs[name];
      if (!t || t.dtype !== 'float32')
        throw new Error(`${STEP_NORMS} reads float32 tensors g0.., c0.., w0..; ${name}?`);
      return t;
    };
    const out = memory.alloc([3 * n + 1]);
    // Views after the one allocation: on wasm a view dies when the heap grows.
    const views = (prefix: string) => Array.from({ length: n }, (_, i) => memory.view(input(`${prefix}${i}`)));
    stepNormValues(views('g'), views('c'), views('w'), same, memory.view(out));
    return out;
  };
}

/**
 * [||g_i||..., ||c_i||..., ||w_i||..., cos(g, c)] in one kernel on cpu and wasm; null elsewhere (the caller then
 * uses the ops). Not differentiable: metrics only.
 */
export function fusedStepNorms(grads: tf.Tensor[], clipped: tf.Tensor[], weights: tf.Tensor[]): tf.Tensor1D | null {
  const n = grads.length;
  if (clipped.length !== n || weights.length !== n) throw new Error('stepNorms: one clipped gradient and weight each');
  const all = [...grads, ...clipped, ...weights];
  if (all.some((t) => t.dtype !== 'float32') || !fusedKernelOn(STEP_NORMS, tf.getBackend(), stepNormsKernel))
    return null;
  const inputs: tf.NamedTensorMap = {};
  grads.forEach((g, i) => {
    inputs[`g${i}`] = g;
    inputs[`c${i}`] = clipped[i]!;
    inputs[`w${i}`] = weights[i]!;
  });
  const same = grads.every((g, i) => clipped[i] === g);
  return tf.engine().runKernel(STEP_NORMS, inputs, { n, same } as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
