/**
 * An LSTM layer over the whole sequence as one op with a hand-written backward (see bptt.ts).
 *
 * Forward (torch's equations, gates [i f g o] stacked, s = sigmoid):
 *   z_t = x_t W_ih + b_ih + b_hh + h_{t-1} W_hh
 *   c_t = s(f) c_{t-1} + s(i) tanh(g);   h_t = s(o) tanh(c_t)
 *
 * Backward, with dh_t the total dL/dh_t and dc_t the total dL/dc_t:
 *   dc_t = dh_t s(o) (1 - tanh^2 c_t) + dc_{t+1} s(f_{t+1})
 *   dz_t = [dc_t, dc_t, dc_t, dh_t] * P_t,  P = [tanh(g) s'(i), c_{t-1} s'(f), s(i) tanh'(g), tanh(c_t) s'(o)]
 *   dh_{t-1} = dz_t W_hh^T (+ dL/dh_{t-1} from the layer above)
 * P and s(o)(1 - tanh^2 c) depend only on the forward, so they are formed for
 * all steps at once before the loop; the loop is 5-7 kernels a step.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  at,
  layerInputs,
  oneMinusSquare,
  perStep,
  previousSteps,
  recordHiddenGrads,
  recordSaturation,
  saveFuncOf,
  sigmoidDerivative,
  gateBlocks,
  stackSteps,
  weightGrads,
  type LayerOptions,
  type LayerWeights,
} from './bptt.ts';
import { fusedLstmLayer } from './fusedLayers.ts';
import { fusedOnCurrentBackend } from '../kernels/recurrentKernels.ts';

export function lstmLayer(x: tf.Tensor2D, w: LayerWeights, options: LayerOptions): tf.Tensor2D {
  // On cpu and wasm the whole sequence is one fused kernel; these ops are the path elsewhere (WebGL, WebGPU).
  if (fusedOnCurrentBackend()) return fusedLstmLayer(x, w, options);
  const { steps, returnSequence } = options;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = saveFuncOf(args);
    const blocks = gateBlocks(w, 4);
    // Each gate's input projection for every step is one matMul, hoisted out of the loop, with both biases.
    const [xi, xf, xg, xo] = blocks.map(({ wih, bih, bhh }) =>
      perStep(tf.add<tf.Tensor2D>(tf.add(tf.matMul(x, wih), bih), bhh), steps),
    ) as [tf.Tensor2D[], tf.Tensor2D[], tf.Tensor2D[], tf.Tensor2D[]];
    const [whhI, whhF, whhG, whhO] = blocks.map((b) => b.whh) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const preActivation = (xk: tf.Tensor2D[], whhK: tf.Tensor2D, h: tf.Tensor2D | null, t: number): tf.Tensor2D =>
      h ? tf.add(at(xk, t), tf.matMul(h, whhK)) : at(xk, t);
    const si: tf.Tensor2D[] = [];
    const sf: tf.Tensor2D[] = [];
    const so: tf.Tensor2D[] = [];
    const tanhG: tf.Tensor2D[] = [];
    const cells: tf.Tensor2D[] = [];
    const tanhC: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    let h: tf.Tensor2D | null = null;
    let c: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      const i: tf.Tensor2D = tf.sigmoid(preActivation(xi, whhI, h, t));
      const f: tf.Tensor2D = tf.sigmoid(preActivation(xf, whhF, h, t));
      const g: tf.Tensor2D = tf.tanh(preActivation(xg, whhG, h, t));
      const o: tf.Tensor2D = tf.sigmoid(preActivation(xo, whhO, h, t));
      const input = tf.mul<tf.Tensor2D>(i, g);
      c = c ? tf.add<tf.Tensor2D>(tf.mul(f, c), input) : input;
      const tc: tf.Tensor2D = tf.tanh(c);
      h = tf.mul<tf.Tensor2D>(o, tc);
      si.push(i);
      sf.push(f);
      so.push(o);
      tanhG.push(g);
      cells.push(c);
      tanhC.push(tc);
      hs.push(h);
    }
    const hiddenStates = stackSteps(hs);
    recordSaturation(options, hiddenStates);
    const stacks = [si, sf, so, tanhG, cells, tanhC].map(stackSteps);
    save([x, w.wih, w.whh, ...stacks, hiddenStates]);
    const value = returnSequence ? hiddenStates : at(hs, steps - 1);

    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => lstmBackward(dy, saved, options));
    return { value, gradFunc };
  });
  return op(...layerInputs(x, w, options.inputNeedsGrad)) as tf.Tensor2D;
}

/** BPTT from dy (dL/dh_T, or dL/dh_t of every step when the layer returns its sequence). */
function lstmBackward(dy: tf.Tensor2D, saved: tf.Tensor[], options: LayerOptions): tf.Tensor[] {
  const [x0, wih, whh, i, f, o, g, cell, tc, hAll] = saved as (tf.Tensor2D | undefined)[];
  if (!x0 || !wih || !whh || !i || !f || !o || !g || !cell || !tc || !hAll)
    throw new Error('lstm: saved tensors missing');
  const { steps, returnSequence } = options;
  const whhT = tf.transpose(whh);
  const gateFactors = tf.concat(
    [
      tf.mul(g, sigmoidDerivative(i)),
      tf.mul(previousSteps(cell, steps), sigmoidDerivative(f)),
      tf.mul(i, oneMinusSquare(g)),
      tf.mul(tc, sigmoidDerivative(o)),
    ],
    1,
  ) as tf.Tensor2D;
  const P = perStep(gateFactors, steps);
  const E = perStep(tf.mul<tf.Tensor2D>(o, oneMinusSquare(tc)), steps);
  const forget = perStep(f, steps);
  const fromAbove = returnSequence ? perStep(dy, steps) : null;

  const dzs: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
  const dhs: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
  let dh = fromAbove ? at(fromAbove, steps - 1) : dy;
  let dc: tf.Tensor2D | null = null;
  for (let t = steps - 1; t >= 0; t--) {
    dhs[t] = dh;
    const dcFromH = tf.mul<tf.Tensor2D>(dh, at(E, t));
    dc = dc ? tf.add<tf.Tensor2D>(dcFromH, tf.mul(dc, at(forget, t + 1))) : dcFromH;
    const dz = tf.mul<tf.Tensor2D>(tf.concat([dc, dc, dc, dh], 1), at(P, t));
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
