/**
 * What a hand-written recurrent layer leaves for the trainer while a step is being measured: one tensor
 * per layer. They are made inside tfjs's gradient or custom-op scopes, which would dispose them, so they
 * are kept (tf.keep) here until the trainer takes them, and freed on reset (after a failed step too).
 */
import * as tf from '@tensorflow/tfjs-core';

export class LayerSink<T extends tf.Tensor> {
  private armed = false;
  private readonly kept: (T | undefined)[];

  constructor(
    readonly layers: number,
    /** What is recorded, for the error when a layer recorded nothing. */
    private readonly what: string,
  ) {
    this.kept = new Array<T | undefined>(layers).fill(undefined);
  }

  /** True between arm() and take()/reset(): only then do the layers spend kernels on what is recorded. */
  get recording(): boolean {
    return this.armed;
  }

  arm(): void {
    this.reset();
    this.armed = true;
  }

  /** Disarms and frees anything recorded. */
  reset(): void {
    this.armed = false;
    this.kept.forEach((part) => part?.dispose());
    this.kept.fill(undefined);
  }

  protected keep(layer: number, value: T): void {
    if (!this.armed) return;
    this.kept[layer]?.dispose();
    this.kept[layer] = tf.keep(value);
  }

  /** Every layer's tensor, in layer order (still kept: combine them, then reset). */
  protected recorded(): T[] {
    return this.kept.map((part, layer) => {
      if (!part) throw new Error(`no ${this.what} was recorded for layer ${layer}`);
      return part;
    });
  }
}
