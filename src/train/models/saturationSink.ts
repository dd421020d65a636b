/**
 * Where the hand-written recurrent layers leave the fraction of saturated hidden units (|h| > 0.99):
 * a saturated tanh passes almost no gradient (its derivative 1 - h^2 is under 0.02), which is how a
 * run can leave the exploding regime, and why one that stays unsaturated keeps exploding.
 *
 * The trainer arms it before a training step's forward pass and takes the fractions after; a layer's
 * forward keeps (tf.keep) its scalar here, since it is made inside tfjs's custom-gradient scope.
 */
import * as tf from '@tensorflow/tfjs';

/** |h| above this counts as saturated. */
export const SATURATION_THRESHOLD = 0.99;

export class SaturationSink {
  private armed = false;
  private readonly fractions: (tf.Scalar | undefined)[];

  constructor(readonly layers: number) {
    this.fractions = new Array<tf.Scalar | undefined>(layers).fill(undefined);
  }

  get recording(): boolean {
    return this.armed;
  }

  arm(): void {
    this.reset();
    this.armed = true;
  }

  /** From a layer's forward: its hidden states of every step, [T*B, H]. */
  put(layer: number, hiddenStates: tf.Tensor2D): void {
    if (!this.armed) return;
    this.fractions[layer]?.dispose();
    // step(|h| - 0.99) is 1 where |h| > 0.99: on tfjs-wasm five times faster than greater-then-cast.
    this.fractions[layer] = tf.keep(
      tf.tidy(() => tf.mean(tf.step(tf.sub(tf.abs(hiddenStates), SATURATION_THRESHOLD))) as tf.Scalar),
    );
  }

  /** The fraction per layer as one [layers] tensor in the caller's scope; frees what was kept and disarms. */
  take(): tf.Tensor1D {
    const parts = this.fractions.map((part, layer) => {
      if (!part) throw new Error(`no saturation was recorded for layer ${layer}`);
      return part;
    });
    const fractions = tf.stack(parts) as tf.Tensor1D;
    this.reset();
    return fractions;
  }

  reset(): void {
    this.armed = false;
    this.fractions.forEach((part) => part?.dispose());
    this.fractions.fill(undefined);
  }
}
