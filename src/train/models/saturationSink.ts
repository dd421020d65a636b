/**
 * Where the hand-written recurrent layers leave the fraction of saturated hidden units (|h| > 0.99):
 * a saturated tanh passes almost no gradient (its derivative 1 - h^2 is under 0.02), which is how a
 * run can leave the exploding regime, and why one that stays unsaturated keeps exploding.
 *
 * The trainer arms it before a training step's forward pass and takes the fractions after; a layer's
 * forward keeps (tf.keep) its scalar here, since it is made inside tfjs's custom-gradient scope.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedSaturatedFraction } from '../kernels/diagnosticKernels.ts';
import { LayerSink } from './layerSink.ts';

/** |h| above this counts as saturated. */
export const SATURATION_THRESHOLD = 0.99;

export class SaturationSink extends LayerSink<tf.Scalar> {
  constructor(layers: number) {
    super(layers, 'saturation');
  }

  /** From a layer's forward: its hidden states of every step, [T*B, H]. */
  put(layer: number, hiddenStates: tf.Tensor2D): void {
    if (!this.recording) return;
    // One kernel on cpu and wasm (kernels/diagnosticKernels.ts). As ops, step(|h| - 0.99) is 1 where |h| > 0.99: on
    // tfjs-wasm five times faster than greater-then-cast.
    this.keep(
      layer,
      fusedSaturatedFraction(hiddenStates, SATURATION_THRESHOLD) ??
        tf.tidy(() => tf.mean(tf.step(tf.sub(tf.abs(hiddenStates), SATURATION_THRESHOLD))) as tf.Scalar),
    );
  }

  /** The fraction per layer as one [layers] tensor in the caller's scope; frees what was kept and disarms. */
  take(): tf.Tensor1D {
    const fractions = tf.stack(this.recorded()) as tf.Tensor1D;
    this.reset();
    return fractions;
  }
}
