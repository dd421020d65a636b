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
import * as tf from '@tensorflow/tfjs';

export class HiddenGradSink {
  private armed = false;
  private readonly sumsOfSquares: (tf.Tensor1D | undefined)[];

  constructor(
    readonly layers: number,
    readonly steps: number,
  ) {
    this.sumsOfSquares = new Array<tf.Tensor1D | undefined>(layers).fill(undefined);
  }

  /** True between arm() and take()/reset(): only then do the backward passes spend kernels on norms. */
  get recording(): boolean {
    return this.armed;
  }

  arm(): void {
    this.reset();
    this.armed = true;
  }

  /** Called from a layer's backward: sum over the batch and units of (dL/dh_t)^2, one per step t. */
  put(layer: number, sumsOfSquares: tf.Tensor1D): void {
    if (!this.armed) return;
    if (sumsOfSquares.shape[0] !== this.steps) {
      throw new Error(
        `layer ${layer} recorded ${sumsOfSquares.shape[0]} hidden-gradient steps, expected ${this.steps}`,
      );
    }
    this.sumsOfSquares[layer]?.dispose();
    this.sumsOfSquares[layer] = tf.keep(sumsOfSquares);
  }

  /**
   * ||dL/dh_t|| layer-major (layer 0: t = 1..T, then layer 1), as one [layers*T] tensor made in the
   * caller's scope. Frees what the backward kept and disarms.
   */
  take(): tf.Tensor1D {
    const parts = this.sumsOfSquares.map((part, layer) => {
      if (!part) throw new Error(`no hidden gradients were recorded for layer ${layer}`);
      return part;
    });
    const norms = tf.tidy(() => tf.sqrt(parts.length === 1 && parts[0] ? parts[0] : tf.concat(parts)) as tf.Tensor1D);
    this.reset();
    return norms;
  }

  /** Disarms and frees anything recorded (also after a failed step, so nothing leaks). */
  reset(): void {
    this.armed = false;
    this.sumsOfSquares.forEach((part) => part?.dispose());
    this.sumsOfSquares.fill(undefined);
  }
}
