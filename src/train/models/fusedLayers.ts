/**
 * The recurrent layers on the fused kernels (src/train/kernels/recurrentKernels.ts): the same equations
 * and the same customGrad shape as rnnLayer.ts, lstmLayer.ts and gruLayer.ts, whose ops remain the path
 * on backends without the kernels (WebGL, WebGPU). Per layer: the input projection (one matMul), one
 * kernel for the whole forward; in the backward one kernel for BPTT, then weightGrads (bptt.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  GRU_BACKWARD,
  GRU_FORWARD,
  LSTM_BACKWARD,
  LSTM_FORWARD,
  RNN_BACKWARD,
  RNN_FORWARD,
  runFused,
} from '../kernels/recurrentKernels.ts';
import {
  at,
  layerInputs,
  recordHiddenGrads,
  recordSaturation,
  saveFuncOf,
  weightGrads,
  type FormedFactors,
  type LayerOptions,
  type LayerWeights,
} from './bptt.ts';

/** A fused layer's kernels and what its forward keeps for its backward. */
interface FusedCell {
  forward: string;
  backward: string;
  /** The forward's outputs the backward reads (after h), by the backward kernel's input names. */
  saved: string[];
  /** Whether the backward kernel reads the layer's input x (the RNN's, to stack x^T into its factors). */
  backwardReadsInput?: boolean;
  /**
   * The pre-activation gradients from the backward's outputs: the input side (W_ih, b_ih, x) and the hidden
   * side (W_hh, b_hh), one tensor for both except in the GRU; dH; and the factors weightGrads multiplies.
   */
  split: (outputs: tf.Tensor2D[]) => { dZx: tf.Tensor2D; dZh: tf.Tensor2D; dH: tf.Tensor2D; formed: FormedFactors };
}

function fusedLayer(cell: FusedCell, x: tf.Tensor2D, w: LayerWeights, options: LayerOptions): tf.Tensor2D {
  const { steps, returnSequence } = options;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = saveFuncOf(args);
    const xw = tf.matMul(x, w.wih);
    const outputs = runFused(cell.forward, { xw, whh: w.whh, bih: w.bih, bhh: w.bhh }, { steps });
    xw.dispose();
    const hiddenStates = at(outputs, 0);
    const last = at(outputs, outputs.length - 1);
    const kept = outputs.slice(1, 1 + cell.saved.length);
    recordSaturation(options, hiddenStates);
    save([x, w.wih, w.whh, hiddenStates, ...kept]);
    // The unused output (h_T or the sequence) is not disposed here: customGrad's scope frees what it does not return.
    const value = returnSequence ? hiddenStates : last;
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => {
        const [x0, wih, whh, hs, ...rest] = saved as tf.Tensor2D[];
        if (!x0 || !wih || !whh || !hs || rest.length !== cell.saved.length)
          throw new Error(`${cell.forward}: saved tensors missing`);
        const inputs: Record<string, tf.Tensor> = { dy, whh, h: hs };
        if (cell.backwardReadsInput) inputs['x'] = x0;
        cell.saved.forEach((name, k) => (inputs[name] = at(rest, k)));
        const { dZx, dZh, dH, formed } = cell.split(runFused(cell.backward, inputs, { steps, returnSequence }));
        recordHiddenGrads(options, dH);
        return weightGrads(x0, wih, hs, dZx, dZh, options, formed);
      });
    return { value, gradFunc };
  });
  return op(...layerInputs(x, w, options.inputNeedsGrad)) as tf.Tensor2D;
}

const sameForBoth = ([dZ, dH, dZT, previous]: tf.Tensor2D[]) => {
  if (!dZ || !dH || !dZT || !previous) throw new Error('a fused backward returned too few tensors');
  return { dZx: dZ, dZh: dZ, dH, formed: { dZxT: dZT, dZhT: dZT, previous } };
};

const LSTM: FusedCell = {
  forward: LSTM_FORWARD,
  backward: LSTM_BACKWARD,
  saved: ['c', 'tanhC', 'gates'],
  split: sameForBoth,
};
const RNN: FusedCell = {
  forward: RNN_FORWARD,
  backward: RNN_BACKWARD,
  saved: [],
  backwardReadsInput: true,
  split: ([dZ, dH, dWih, dWhh, db]) => {
    if (!dZ || !dH || !dWih || !dWhh || !db) throw new Error('a fused backward returned too few tensors');
    return { dZx: dZ, dZh: dZ, dH, formed: { weightGrads: [dWih, dWhh, db] } };
  },
};
const GRU: FusedCell = {
  forward: GRU_FORWARD,
  backward: GRU_BACKWARD,
  saved: ['gates', 'uN'],
  split: ([dA, dU, dH, dAT, dUT, previous]) => {
    if (!dA || !dU || !dH || !dAT || !dUT || !previous) throw new Error('a fused backward returned too few tensors');
    return { dZx: dA, dZh: dU, dH, formed: { dZxT: dAT, dZhT: dUT, previous } };
  },
};

export const fusedLstmLayer = (x: tf.Tensor2D, w: LayerWeights, options: LayerOptions): tf.Tensor2D =>
  fusedLayer(LSTM, x, w, options);
export const fusedRnnLayer = (x: tf.Tensor2D, w: LayerWeights, options: LayerOptions): tf.Tensor2D =>
  fusedLayer(RNN, x, w, options);
export const fusedGruLayer = (x: tf.Tensor2D, w: LayerWeights, options: LayerOptions): tf.Tensor2D =>
  fusedLayer(GRU, x, w, options);
