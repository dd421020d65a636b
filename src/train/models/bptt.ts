/**
 * What the hand-written recurrent layers (rnnLayer.ts, lstmLayer.ts,
 * gruLayer.ts) share. Each layer is ONE tf.customGrad op over the whole
 * sequence: its forward keeps the few stacked activations the backward needs,
 * and its backward runs backpropagation through time by hand.
 *
 * Why by hand: tfjs's autodiff differentiates a matMul with transposeA /
 * transposeB products, which tfjs-wasm runs 10-20x slower than a plain one,
 * and it dispatches several kernels per op per step (~13 us each). Here:
 *  - sequences are time-major [T*B, X], so step t is the contiguous rows
 *    t*B..(t+1)*B, and one concat stacks the steps back;
 *  - every matMul is untransposed; a transpose (W_hh^T, dZ^T) is formed once
 *    per layer with tf.transpose;
 *  - gate derivatives are whole [T*B, H] tensors computed once, outside the
 *    loop, so the loop does only what depends on dh_t;
 *  - weight and bias gradients are one matMul / sum over all steps;
 *  - nothing is cut with tfjs's slice kernels on wasm (see blockCutting).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HiddenGradSink } from './hiddenGradSink.ts';
import type { SaturationSink } from './saturationSink.ts';

/** One layer's parameters in our layout: W_ih [I, G*H], W_hh [H, G*H], biases [G*H], gates stacked (torch order). */
export interface LayerWeights {
  wih: tf.Tensor2D;
  whh: tf.Tensor2D;
  bih: tf.Tensor1D;
  bhh: tf.Tensor1D;
}

export interface LayerOptions {
  /** T: the input x is time-major [T*B, I]. */
  steps: number;
  /** true: the output is every h_t, time-major [T*B, H] (a layer above reads it); false: only h_T [B, H]. */
  returnSequence: boolean;
  /** false for the first layer: its input is data, so its gradient is neither formed nor returned. */
  inputNeedsGrad: boolean;
  /** Where this layer's ||dL/dh_t||^2 go when the sink is recording. */
  hiddenGrads?: { sink: HiddenGradSink; layer: number };
  /** Where this layer's fraction of saturated units goes when the sink is recording. */
  saturation?: { sink: SaturationSink; layer: number };
}

/** A hand-written recurrent layer: x [T*B, I] time-major -> [T*B, H] or [B, H] (see LayerOptions). */
export type RecurrentLayer = (x: tf.Tensor2D, weights: LayerWeights, options: LayerOptions) => tf.Tensor2D;

/** list[i], which must exist (noUncheckedIndexedAccess). */
export function at<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`index ${i} outside a list of ${list.length}`);
  return item;
}

/**
 * How blocks are cut out of a tensor. tfjs-wasm's slice kernels (Slice, SplitV, Unpack; GatherV2 is no
 * better) copy the WHOLE input out of WASM memory for every piece: unstacking T steps is T full copies
 * (about 100 MB, 150 ms, a step of the 2x128 LSTM), and splitting a [B, 4H] gate tensor costs four.
 * On the backends that keep tensors in CPU memory (wasm, cpu) we read the tensor once and make the
 * blocks from that one copy, with no kernel at all; on GPU backends a read-back would stall the GPU,
 * and their slice kernels are fine. A field, so that tests can run the kernel path on the CPU too.
 */
export const blockCutting = {
  viaReadback: (backend: string): boolean => backend === 'wasm' || backend === 'cpu',
};

function readBack(t: tf.Tensor2D): Float32Array | null {
  return blockCutting.viaReadback(tf.getBackend()) ? (t.dataSync() as Float32Array) : null;
}

/** The T per-step [B, X] blocks of a time-major [T*B, X] tensor (contiguous rows). */
export function perStep(sequence: tf.Tensor2D, steps: number): tf.Tensor2D[] {
  if (steps === 1) return [sequence];
  const [rowCount, cols] = sequence.shape;
  const batch = rowCount / steps;
  const values = readBack(sequence);
  if (!values) return tf.unstack(tf.reshape(sequence, [steps, batch, cols])) as tf.Tensor2D[];
  const size = batch * cols;
  return Array.from({ length: steps }, (_, t) => tf.tensor2d(values.subarray(t * size, (t + 1) * size), [batch, cols]));
}

/** Column blocks of a 2-D tensor, typed as a tuple of as many blocks as sizes. */
export function splitColumns<N extends number[]>(m: tf.Tensor2D, sizes: [...N]): { [K in keyof N]: tf.Tensor2D } {
  type Blocks = { [K in keyof N]: tf.Tensor2D };
  const values = readBack(m);
  if (!values) return tf.split(m, sizes, 1) as unknown as Blocks;
  const [rowCount, cols] = m.shape;
  let offset = 0;
  return sizes.map((width) => {
    const block = new Float32Array(rowCount * width);
    for (let r = 0; r < rowCount; r++) {
      const from = r * cols + offset;
      block.set(values.subarray(from, from + width), r * width);
    }
    offset += width;
    return tf.tensor2d(block, [rowCount, width]);
  }) as unknown as Blocks;
}

/** A time-major sequence one step later, [0; s_1; ...; s_{T-1}]: h_{t-1} (or c_{t-1}) of every step t. */
export function previousSteps(sequence: tf.Tensor2D, steps: number): tf.Tensor2D {
  const [rowCount, cols] = sequence.shape;
  const batch = rowCount / steps;
  if (steps === 1) return tf.zerosLike(sequence);
  const values = readBack(sequence);
  if (!values) return tf.concat([tf.zeros([batch, cols]), tf.slice(sequence, [0, 0], [rowCount - batch, cols])], 0);
  const shifted = new Float32Array(rowCount * cols);
  shifted.set(values.subarray(0, (rowCount - batch) * cols), batch * cols);
  return tf.tensor2d(shifted, [rowCount, cols]);
}

/** Per-step [B, X] tensors back into one time-major [T*B, X]: one Concat kernel. */
export function stackSteps(blocks: tf.Tensor2D[]): tf.Tensor2D {
  return blocks.length === 1 ? at(blocks, 0) : tf.concat(blocks, 0);
}

/** One gate's block of a layer's weights: columns k*H..(k+1)*H of each (biases as [1, H] rows). */
export interface GateWeights {
  wih: tf.Tensor2D;
  whh: tf.Tensor2D;
  bih: tf.Tensor2D;
  bhh: tf.Tensor2D;
}

/**
 * The weights cut into per-gate blocks, once per forward, so each step does one small matMul per gate
 * instead of one wide matMul whose [B, G*H] result must be cut into gates every step (cutting costs
 * more than the extra matMul dispatches; each block's products are the wide matMul's, to the bit).
 */
export function gateBlocks(w: LayerWeights, gates: number): GateWeights[] {
  const hidden = w.whh.shape[0];
  const widths = Array.from({ length: gates }, () => hidden);
  const cut = (m: tf.Tensor2D): tf.Tensor2D[] => splitColumns(m, widths);
  const rowBias = (b: tf.Tensor1D): tf.Tensor2D => tf.reshape(b, [1, -1]);
  const [wih, whh, bih, bhh] = [w.wih, w.whh, rowBias(w.bih), rowBias(w.bhh)].map(cut);
  return Array.from({ length: gates }, (_, k) => ({
    wih: at(wih ?? [], k),
    whh: at(whh ?? [], k),
    bih: at(bih ?? [], k),
    bhh: at(bhh ?? [], k),
  }));
}

/** 1 - t^2: tanh' from tanh's output. */
export function oneMinusSquare(t: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(1, tf.square(t));
}

/** s (1 - s) = s - s^2: the sigmoid's derivative from its output. */
export function sigmoidDerivative(s: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(s, tf.square(s));
}

/** The customGrad inputs of a layer: the input sequence only when its gradient is wanted. */
export function layerInputs(x: tf.Tensor2D, w: LayerWeights, inputNeedsGrad: boolean): tf.Tensor[] {
  return inputNeedsGrad ? [x, w.wih, w.whh, w.bih, w.bhh] : [w.wih, w.whh, w.bih, w.bhh];
}

/** The save function tfjs passes to a customGrad forward as its last argument. */
export function saveFuncOf(args: (tf.Tensor | tf.GradSaveFunc)[]): tf.GradSaveFunc {
  const save = args[args.length - 1];
  if (typeof save !== 'function') throw new Error('customGrad did not pass a save function');
  return save;
}

/**
 * dL/dh_t of every step into the sink, as [T] sums of squares over the batch: the same number the
 * probes measured (the norm of the gradient of an additive zero probe on h_t, over the [B, H] tensor).
 * `dh` is time-major [T*B, H], or its per-step blocks (stacked only when recording).
 */
/** From a layer's forward: its hidden states, for the fraction of saturated units (when recording). */
export function recordSaturation(options: LayerOptions, hiddenStates: tf.Tensor2D): void {
  const target = options.saturation;
  if (target?.sink.recording) target.sink.put(target.layer, hiddenStates);
}

export function recordHiddenGrads(options: LayerOptions, dh: tf.Tensor2D | tf.Tensor2D[]): void {
  const target = options.hiddenGrads;
  if (!target?.sink.recording) return;
  const all = Array.isArray(dh) ? stackSteps(dh) : dh;
  target.sink.put(target.layer, tf.sum(tf.reshape(tf.square(all), [options.steps, -1]), 1) as tf.Tensor1D);
}

/**
 * What a fused backward kernel already formed for weightGrads, one of:
 *  - dZx^T and dZh^T [G, T*B] (the same tensor where dZx is dZh) and [h_0 = 0; h_1; ...; h_{T-1}]: the LSTM's and the
 *    GRU's factors, whose products are left to tf.matMul;
 *  - the RNN's weight gradients themselves, dW_ih, dW_hh and the bias's (one product in the kernel,
 *    recurrentKernels.ts rnnWeightGrads: the same sums as the products below).
 */
export type FormedFactors =
  { dZxT: tf.Tensor2D; dZhT: tf.Tensor2D; previous: tf.Tensor2D } | { weightGrads: [tf.Tensor, tf.Tensor, tf.Tensor] };

/**
 * The parameter (and input) gradients from the pre-activation gradients of all steps at once.
 * dZx [T*B, G] goes to W_ih, b_ih and the input; dZh [T*B, G] to W_hh and b_hh (the same tensor
 * for rnn and lstm; GRU's differ in the n gate, whose recurrent part is scaled by r).
 * dW_hh = [h_0 = 0; h_1; ...; h_{T-1}]^T dZh.
 */
export function weightGrads(
  x: tf.Tensor2D,
  wih: tf.Tensor2D,
  /** h_1..h_T, time-major. */
  hiddenStates: tf.Tensor2D,
  dZx: tf.Tensor2D,
  dZh: tf.Tensor2D,
  options: LayerOptions,
  formed?: FormedFactors,
): tf.Tensor[] {
  const inputGrad = () => tf.matMul(dZx, tf.transpose(wih));
  if (formed && 'weightGrads' in formed) {
    if (dZh !== dZx) throw new Error('formed weight gradients need one pre-activation gradient for both weights');
    const [dWih, dWhh, dbih] = formed.weightGrads;
    // Two parameters must not share one gradient tensor: whoever disposes one would free the other.
    const paramGrads = [dWih, dWhh, dbih, tf.clone(dbih)];
    return options.inputNeedsGrad ? [inputGrad(), ...paramGrads] : paramGrads;
  }
  // dW = A^T dZ is computed as (dZ^T A)^T: XNNPACK packs a matMul's right operand on every call, and
  // packing the narrow A [T*B, I] instead of the wide dZ [T*B, G*H] makes these products 1.3-2x faster.
  // dZ^T is formed once for both weights, and the bias sums are dZ^T times a column of ones (tfjs-wasm's
  // Sum over axis 0 is 4x slower than that matMul).
  const dZxT = formed?.dZxT ?? tf.transpose(dZx);
  const dZhT = formed?.dZhT ?? (dZh === dZx ? dZxT : tf.transpose(dZh));
  const previous = formed?.previous ?? previousSteps(hiddenStates, options.steps);
  const ones = tf.ones([dZx.shape[0], 1]);
  const dWih = tf.transpose(tf.matMul(dZxT, x));
  const dWhh = tf.transpose(tf.matMul(dZhT, previous));
  const dbih = tf.reshape(tf.matMul(dZxT, ones), [-1]);
  // Two parameters must not share one gradient tensor: whoever disposes one would free the other.
  const dbhh = dZhT === dZxT ? tf.clone(dbih) : tf.reshape(tf.matMul(dZhT, ones), [-1]);
  const paramGrads = [dWih, dWhh, dbih, dbhh];
  return options.inputNeedsGrad ? [inputGrad(), ...paramGrads] : paramGrads;
}
