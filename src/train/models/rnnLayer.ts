/**
 * A vanilla tanh RNN layer over the whole sequence as one op with a hand-written backward (see bptt.ts).
 *
 * Forward (torch):  h_t = tanh(x_t W_ih + b_ih + b_hh + h_{t-1} W_hh), 3 kernels a step.
 * Backward, with dh_t the total dL/dh_t:
 *   dz_t = dh_t (1 - h_t^2);   dh_{t-1} = dz_t W_hh^T (+ dL/dh_{t-1} from the layer above)
 * (1 - h^2) is formed for all steps at once, so the loop is 2-3 kernels a step.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  at,
  layerInputs,
  oneMinusSquare,
  perStep,
  recordHiddenGrads,
  recordSaturation,
  saveFuncOf,
  stackSteps,
  weightGrads,
  type LayerOptions,
  type LayerWeights,
} from './bptt.ts';
import { fusedRnnLayer } from './fusedLayers.ts';
import { fusedOnCurrentBackend } from '../kernels/recurrentKernels.ts';

export function rnnLayer(x: tf.Tensor2D, w: LayerWeights, options: LayerOptions): tf.Tensor2D {
  // On cpu and wasm the whole sequence is one fused kernel; these ops are the path elsewhere (WebGL, WebGPU).
  if (fusedOnCurrentBackend()) return fusedRnnLayer(x, w, options);
  const { steps, returnSequence } = options;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = saveFuncOf(args);
    // The input projection of every step is one matMul, hoisted out of the loop; both biases go in here.
    const xs = perStep(tf.add<tf.Tensor2D>(tf.add(tf.matMul(x, w.wih), w.bih), w.bhh), steps);
    const hs: tf.Tensor2D[] = [];
    let h: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      h = tf.tanh<tf.Tensor2D>(h ? tf.add<tf.Tensor2D>(at(xs, t), tf.matMul(h, w.whh)) : at(xs, t));
      hs.push(h);
    }
    const hiddenStates = stackSteps(hs);
    recordSaturation(options, hiddenStates);
    save([x, w.wih, w.whh, hiddenStates]);
    const value = returnSequence ? hiddenStates : at(hs, steps - 1);
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => rnnBackward(dy, saved, options));
    return { value, gradFunc };
  });
  return op(...layerInputs(x, w, options.inputNeedsGrad)) as tf.Tensor2D;
}

/** BPTT from dy (dL/dh_T, or dL/dh_t of every step when the layer returns its sequence). */
function rnnBackward(dy: tf.Tensor2D, saved: tf.Tensor[], options: LayerOptions): tf.Tensor[] {
  const [x0, wih, whh, hAll] = saved as (tf.Tensor2D | undefined)[];
  if (!x0 || !wih || !whh || !hAll) throw new Error('rnn: saved tensors missing');
  const { steps, returnSequence } = options;
  const whhT = tf.transpose(whh);
  const tanhDerivative = perStep(oneMinusSquare(hAll), steps);
  const fromAbove = returnSequence ? perStep(dy, steps) : null;
  const dzs: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
  const dhs: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
  let dh = fromAbove ? at(fromAbove, steps - 1) : dy;
  for (let t = steps - 1; t >= 0; t--) {
    dhs[t] = dh;
    const dz = tf.mul<tf.Tensor2D>(dh, at(tanhDerivative, t));
    dzs[t] = dz;
    if (t > 0) {
      const recurrent = tf.matMul<tf.Tensor2D>(dz, whhT);
      dh = fromAbove ? tf.add<tf.Tensor2D>(recurrent, at(fromAbove, t - 1)) : recurrent;
    }
  }
  recordHiddenGrads(options, dhs);
  const dZ = stackSteps(dzs);
  return weightGrads(x0, wih, hAll, dZ, dZ, options);
}
