/**
 * A GRU layer over the whole sequence as one op with a hand-written backward (see bptt.ts).
 *
 * Forward (torch, gates [r z n]; b_hn stays inside r * (...), so b_hh is not folded into the input):
 *   a = x_t W_ih + b_ih;  u = h_{t-1} W_hh + b_hh
 *   r = s(a_r + u_r);  z = s(a_z + u_z);  n = tanh(a_n + r u_n);  h_t = n + z (h_{t-1} - n)
 * Backward: every pre-activation gradient is dh_t times a factor of the forward alone,
 *   Kn = (1 - z)(1 - n^2),  Kz = (h_{t-1} - n) z (1 - z),  Kr = Kn u_n r (1 - r)
 *   input side  [da_r, da_z, da_n] = dh_t [Kr, Kz, Kn]
 *   hidden side [du_r, du_z, du_n] = dh_t [Kr, Kz, Kn r]
 *   dh_{t-1} = [du] W_hh^T + dh_t z (+ dL/dh_{t-1} from the layer above)
 * so the factors are formed for all steps before the loop, the loop keeps only the hidden side
 * (5-6 kernels a step), and the input side is one product over all steps after it.
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
import { fusedGruLayer } from './fusedLayers.ts';
import { fusedOnCurrentBackend } from '../kernels/recurrentKernels.ts';

export function gruLayer(x: tf.Tensor2D, w: LayerWeights, options: LayerOptions): tf.Tensor2D {
  // On cpu and wasm the whole sequence is one fused kernel; these ops are the path elsewhere (WebGL, WebGPU).
  if (fusedOnCurrentBackend()) return fusedGruLayer(x, w, options);
  const { steps, returnSequence } = options;
  const hidden = w.whh.shape[0];
  const batch = x.shape[0] / steps;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = saveFuncOf(args);
    const blocks = gateBlocks(w, 3);
    // Each gate's input projection for every step is one matMul, hoisted out of the loop (with b_ih only).
    const [aR, aZ, aN] = blocks.map(({ wih, bih }) => perStep(tf.add<tf.Tensor2D>(tf.matMul(x, wih), bih), steps)) as [
      tf.Tensor2D[],
      tf.Tensor2D[],
      tf.Tensor2D[],
    ];
    const recurrent = (k: number, h: tf.Tensor2D): tf.Tensor2D => {
      const block = at(blocks, k);
      return tf.add(tf.matMul(h, block.whh), block.bhh);
    };
    const rs: tf.Tensor2D[] = [];
    const zs: tf.Tensor2D[] = [];
    const uNs: tf.Tensor2D[] = [];
    const ns: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    // h_0 = 0 as a tensor: step 0 then needs no case of its own (u = b_hh), for one small matMul.
    let h: tf.Tensor2D = tf.zeros([batch, hidden]);
    for (let t = 0; t < steps; t++) {
      const r = tf.sigmoid(tf.add<tf.Tensor2D>(at(aR, t), recurrent(0, h)));
      const z = tf.sigmoid(tf.add<tf.Tensor2D>(at(aZ, t), recurrent(1, h)));
      const uN = recurrent(2, h);
      const n = tf.tanh(tf.add<tf.Tensor2D>(at(aN, t), tf.mul(r, uN)));
      h = tf.add<tf.Tensor2D>(n, tf.mul(z, tf.sub(h, n)));
      rs.push(r);
      zs.push(z);
      uNs.push(uN);
      ns.push(n);
      hs.push(h);
    }
    const hiddenStates = stackSteps(hs);
    recordSaturation(options, hiddenStates);
    save([x, w.wih, w.whh, ...[rs, zs, uNs, ns].map(stackSteps), hiddenStates]);
    const value = returnSequence ? hiddenStates : h;
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => gruBackward(dy, saved, options));
    return { value, gradFunc };
  });
  return op(...layerInputs(x, w, options.inputNeedsGrad)) as tf.Tensor2D;
}

/** BPTT from dy (dL/dh_T, or dL/dh_t of every step when the layer returns its sequence). */
function gruBackward(dy: tf.Tensor2D, saved: tf.Tensor[], options: LayerOptions): tf.Tensor[] {
  const [x0, wih, whh, r, z, uN, n, hAll] = saved as (tf.Tensor2D | undefined)[];
  if (!x0 || !wih || !whh || !r || !z || !uN || !n || !hAll) throw new Error('gru: saved tensors missing');
  const { steps, returnSequence } = options;
  const whhT = tf.transpose(whh);
  const kN = tf.mul(tf.sub(1, z), oneMinusSquare(n));
  const kZ = tf.mul(tf.sub(previousSteps(hAll, steps), n), sigmoidDerivative(z));
  const kR = tf.mul(tf.mul(kN, uN), sigmoidDerivative(r));
  const inputFactors = tf.concat([kR, kZ, kN], 1) as tf.Tensor2D;
  const hiddenFactors = perStep(tf.concat([kR, kZ, tf.mul(kN, r)], 1) as tf.Tensor2D, steps);
  const update = perStep(z, steps);
  const fromAbove = returnSequence ? perStep(dy, steps) : null;

  const dus: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
  const dhs: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
  let dh = fromAbove ? at(fromAbove, steps - 1) : dy;
  for (let t = steps - 1; t >= 0; t--) {
    dhs[t] = dh;
    const du = tf.mul<tf.Tensor2D>(tf.concat([dh, dh, dh], 1), at(hiddenFactors, t));
    dus[t] = du;
    if (t > 0) {
      const recurrent = tf.add<tf.Tensor2D>(tf.matMul(du, whhT), tf.mul(dh, at(update, t)));
      dh = fromAbove ? tf.add<tf.Tensor2D>(recurrent, at(fromAbove, t - 1)) : recurrent;
    }
  }
  const dH = stackSteps(dhs);
  recordHiddenGrads(options, dH);
  const dA = tf.mul<tf.Tensor2D>(tf.concat([dH, dH, dH], 1), inputFactors);
  return weightGrads(x0, wih, hAll, dA, stackSteps(dus), options);
}
