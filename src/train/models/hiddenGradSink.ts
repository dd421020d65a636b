/**
 * Where the hand-written recurrent backward passes leave ||dL/dh_t||. The
 * accumulated dh of the backward loop IS the total derivative dL/dh_t (from
 * the output or the layer above plus the recurrent path), so the norms cost
 * a few kernels per layer instead of layers x steps probe tensors.
 *
 * The trainer arms the sink before taking gradients and takes the norms
 * after. A layer's backward keeps (tf.keep) its [T] sums of squares here,
 * because they are made inside tfjs's backward tidy, which would dispose them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LayerSink } from './layerSink.ts';

export class HiddenGradSink extends LayerSink<tf.Tensor1D> {
  constructor(
    layers: number,
    readonly steps: number,
  ) {
    super(layers, 'hidden gradients');
  }

  /** Called from a layer's backward: sum over the batch and units of (dL/dh_t)^2, one per step t. */
  put(layer: number, sumsOfSquares: tf.Tensor1D): void {
    if (!this.recording) return;
    if (sumsOfSquares.shape[0] !== this.steps) {
      throw new Error(
        `layer ${layer} recorded ${sumsOfSquares.shape[0]} hidden-gradient steps, expected ${this.steps}`,
      );
    }
    this.keep(layer, sumsOfSquares);
  }

  /**
   * ||dL/dh_t|| layer-major (layer 0: t = 1..T, then layer 1), as one [layers*T] tensor made in the
   * caller's scope. Frees what the backward kept and disarms.
   */
  take(): tf.Tensor1D {
    const parts = this.recorded();
    const norms = tf.tidy(() => tf.sqrt(parts.length === 1 && parts[0] ? parts[0] : tf.concat(parts)) as tf.Tensor1D);
    this.reset();
    return norms;
  }
}
