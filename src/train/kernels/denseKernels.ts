/**
 * The dense regression net's loss, forward and backward, as ONE kernel each on the backends whose tensors live in
 * CPU memory ('cpu', 'wasm'). As ops (models/dense.ts) the forward is 9 kernels and tfjs's autodiff of it about 30,
 * each ~13 us of dispatch on wasm, for a net whose whole arithmetic takes a few microseconds (issue 23: dense within
 * 2x of PyTorch).
 *
 * The values are the ops' to the bit on each backend. The products are the backend's own BatchMatMul with the ops'
 * transpose flags (the same kernel tf.matMul runs); the rest repeats what each op computes, rounded to float32 where
 * the op rounds, and the sums as each backend sums (tfjs-wasm's Sum and Mean add in float32, in order; tfjs-cpu's
 * add in float64 and round once, its Mean dividing each value first). NaN and Infinity follow.
 *
 * Forward (x [B, F], w1 [H, F], b1 [H], w2 [1, H], b2 [1], y [B]; attribute literal):
 *   a1 = x w1^T + b1, h = relu(a1), p = h w2^T + b2 [B, 1],
 *   d = p - y [B, 1] (corrected) or p - y^T [B, B] (literal: the tutorial's broadcast), loss = mean(d^2)
 *   -> loss [], a1 [B, H], h [B, H], d.
 * Backward (dy [], x, w2, a1, h, d; attribute literal), tfjs's gradients of the same ops:
 *   dd = (dy / n) (2 d), dp = dd (corrected) or its row sums (literal), db2 = sum over the batch of dp,
 *   dW2 = dp^T h, dh = dp w2, da1 = dh step(a1), db1 = sum over the batch of da1, dW1 = da1^T x
 *   -> dW1 [H, F], db1 [H], dW2 [1, H], db2 [1].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendMemory, FusedBackend } from './backendMemory.ts';
import { backendMean, backendSum } from './backendSums.ts';
import { floatInput, fusedKernelOn, memoryFor } from './fusedRegistry.ts';

export const DENSE_FORWARD = 'GradLabDenseLoss';
export const DENSE_BACKWARD = 'GradLabDenseLossGrad';
export const DENSE_STEP = 'GradLabDenseLossAndGrads';

const fround = Math.fround;

type Info = tf.TensorInfo;

/** The forward: loss [], a1, h, d (the backward's inputs). */
function forwardPass(
  backendName: FusedBackend,
  memory: BackendMemory,
  [x, w1, b1, w2, b2, y]: Info[],
  literal: boolean,
): [Info, Info, Info, Info] {
  if (!x || !w1 || !b1 || !w2 || !b2 || !y) throw new Error(`${DENSE_FORWARD} needs x, w1, b1, w2, b2, y`);
  const B = x.shape[0] ?? 0;
  const H = w1.shape[0] ?? 0;
  const a1 = memory.alloc([B, H]);
  const h = memory.alloc([B, H]);
  const p = memory.alloc([B, 1]);
  const d = memory.alloc(literal ? [B, B] : [B, 1]);
  const loss = memory.alloc([]);
  memory.matMul(x, w1, a1, false, true);
  // Views after the last allocation and product: on wasm a view dies when the heap grows.
  const [a1v, hv, b1v] = [memory.view(a1), memory.view(h), memory.view(b1)];
  for (let i = 0; i < B; i++)
    for (let j = 0; j < H; j++) {
      const k = i * H + j;
      a1v[k] = fround(a1v[k]! + b1v[j]!);
      hv[k] = Math.max(0, a1v[k]!);
    }
  memory.matMul(h, w2, p, false, true);
  const [pv, dv, yv, bias] = [memory.view(p), memory.view(d), memory.view(y), memory.view(b2)[0]!];
  for (let i = 0; i < B; i++) pv[i] = fround(pv[i]! + bias);
  if (literal) for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) dv[i * B + j] = fround(pv[i]! - yv[j]!);
  else for (let i = 0; i < B; i++) dv[i] = fround(pv[i]! - yv[i]!);
  // d^2 rounded to float32 as tf.square stores it.
  memory.view(loss)[0] = backendMean(backendName, dv.length, (k) => fround(dv[k]! * dv[k]!));
  memory.free(p);
  return [loss, a1, h, d];
}

/** The backward from dL/dloss = dy: dW1, db1, dW2, db2. */
function backwardPass(
  backendName: FusedBackend,
  memory: BackendMemory,
  dy: number,
  [x, w2, a1, h, d]: Info[],
  literal: boolean,
): [Info, Info, Info, Info] {
  if (!x || !w2 || !a1 || !h || !d) throw new Error(`${DENSE_BACKWARD} needs dy, x, w2, a1, h, d`);
  const [B = 0, H = 0] = h.shape;
  const F = x.shape[1] ?? 0;
  const dp = memory.alloc([B, 1]);
  const dh = memory.alloc([B, H]);
  const da1 = memory.alloc([B, H]);
  const dW1 = memory.alloc([H, F]);
  const db1 = memory.alloc([H]);
  const dW2 = memory.alloc([1, H]);
  const db2 = memory.alloc([1]);
  {
    const [dv, dpv] = [memory.view(d), memory.view(dp)];
    // Mean's gradient: dy * 1 / n; Square's: that times (d * 2).
    const perValue = fround(dy / dv.length);
    const dd = (k: number): number => fround(perValue * fround(dv[k]! * 2));
    if (literal) for (let i = 0; i < B; i++) dpv[i] = backendSum(backendName, B, (j) => dd(i * B + j));
    else for (let i = 0; i < B; i++) dpv[i] = dd(i);
    memory.view(db2)[0] = backendSum(backendName, B, (i) => dpv[i]!);
  }
  memory.matMul(dp, h, dW2, true, false);
  memory.matMul(dp, w2, dh, false, false);
  {
    const [dhv, da1v, a1v, db1v] = [memory.view(dh), memory.view(da1), memory.view(a1), memory.view(db1)];
    for (let k = 0; k < da1v.length; k++) {
      // Relu's gradient: dy * step(a1), 1 above 0 and 0 elsewhere (step is NaN at NaN, but where a1 is NaN the
      // prediction is, and so dh already).
      da1v[k] = dhv[k]! * (a1v[k]! > 0 ? 1 : 0);
    }
    for (let j = 0; j < H; j++) db1v[j] = backendSum(backendName, B, (i) => da1v[i * H + j]!);
  }
  memory.matMul(da1, x, dW1, true, false);
  for (const t of [dp, dh, da1]) memory.free(t);
  return [dW1, db1, dW2, db2];
}

const FORWARD_INPUTS = ['x', 'w1', 'b1', 'w2', 'b2', 'y'];

function denseForward(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) =>
    forwardPass(
      backendName,
      memoryFor(backendName, backend),
      FORWARD_INPUTS.map((name) => floatInput(inputs, name, DENSE_FORWARD)),
      Boolean(attrs?.['literal']),
    );
}

function denseBackward(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const memory = memoryFor(backendName, backend);
    const dy = memory.view(floatInput(inputs, 'dy', DENSE_BACKWARD))[0]!;
    const saved = ['x', 'w2', 'a1', 'h', 'd'].map((name) => floatInput(inputs, name, DENSE_BACKWARD));
    return backwardPass(backendName, memory, dy, saved, Boolean(attrs?.['literal']));
  };
}

/** Forward and backward in one: the loss and its four gradients, dL/dloss being 1 as tf.valueAndGrads seeds it. */
function denseStep(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const memory = memoryFor(backendName, backend);
    const literal = Boolean(attrs?.['literal']);
    const forwardInputs = FORWARD_INPUTS.map((name) => floatInput(inputs, name, DENSE_STEP));
    const [loss, a1, h, d] = forwardPass(backendName, memory, forwardInputs, literal);
    const grads = backwardPass(backendName, memory, 1, [forwardInputs[0]!, forwardInputs[3]!, a1, h, d], literal);
    for (const t of [a1, h, d]) memory.free(t);
    return [loss, ...grads];
  };
}

/**
 * The loss and its gradients with respect to w1, b1, w2, b2 as ONE kernel, without tfjs's autodiff (no tape, no
 * customGrad): what the trainer calls where fusedDenseOn(). The values are the fused op's, and so the ops'.
 */
export function fusedDenseLossAndGrads(
  [w1, b1, w2, b2]: tf.Tensor[],
  x: tf.Tensor,
  y: tf.Tensor,
  literal: boolean,
): { loss: tf.Scalar; grads: tf.Tensor[] } | null {
  if (!w1 || !b1 || !w2 || !b2 || !fusedKernelOn(DENSE_STEP, tf.getBackend(), denseStep)) return null;
  const [loss, ...grads] = tf.engine().runKernel(DENSE_STEP, { x, w1, b1, w2, b2, y }, {
    literal,
  } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { loss: loss as tf.Scalar, grads };
}

/** Whether the dense net's loss runs as the fused kernels on the current backend (registering them if so). */
export function fusedDenseOn(): boolean {
  const backendName = tf.getBackend();
  return (
    fusedKernelOn(DENSE_FORWARD, backendName, denseForward) && fusedKernelOn(DENSE_BACKWARD, backendName, denseBackward)
  );
}

/**
 * The dense net's mean squared error as one differentiable op of its four parameters (x and y are data, not
 * differentiated): the fused forward, and the fused backward as its gradient. Call only where fusedDenseOn().
 */
export function fusedDenseLoss(
  [w1, b1, w2, b2]: [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor],
  x: tf.Tensor,
  y: tf.Tensor,
  literal: boolean,
): tf.Scalar {
  const attrs = { literal } as unknown as tf.NamedAttrMap;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [w1v, b1v, w2v, b2v] = args as tf.Tensor[];
    const [loss, a1, h, d] = tf
      .engine()
      .runKernel(DENSE_FORWARD, { x, w1: w1v!, b1: b1v!, w2: w2v!, b2: b2v!, y }, attrs) as tf.Tensor[];
    save([w2v!, a1!, h!, d!]);
    return {
      value: loss as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [w2s, a1s, hs, ds] = saved;
        return tf
          .engine()
          .runKernel(DENSE_BACKWARD, { dy, x, w2: w2s!, a1: a1s!, h: hs!, d: ds! }, attrs) as tf.Tensor[];
      },
    };
  });
  return op(w1, b1, w2, b2) as tf.Scalar;
}
