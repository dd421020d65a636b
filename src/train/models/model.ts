/**
 * What the trainer needs of a model: named parameters grouped into layers, and
 * a loss written as a pure function of the parameter tensors, so the trainer
 * can take gradients with respect to them (and to hidden-state probes, or
 * through a model's own HiddenGradSink) in one backward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HiddenGradSink } from './hiddenGradSink.ts';
import type { SaturationSink } from './saturationSink.ts';

export interface Param {
  /** e.g. `fc1.weight`, `lstm0.W_hh`. */
  name: string;
  /** The layer it belongs to, e.g. `fc1`, `lstm0`, `out`. */
  layer: string;
  variable: tf.Variable;
}

export interface LossOutput {
  loss: tf.Scalar;
  /** Classifiers: the logits, for accuracy. */
  logits?: tf.Tensor2D;
  /** Regression heads (the adding problem): the predictions, for the fraction of test sequences solved. */
  outputs?: tf.Tensor2D;
}

export interface Model {
  readonly params: Param[];
  readonly layers: string[];
  /**
   * Recurrent models: layers x time steps of hidden state. Probes are zero
   * tensors added to every h_t, so the gradient of the loss with respect to
   * a probe is dL/dh_t, the total derivative through time and output.
   */
  readonly probeShape: { layers: number; steps: number; hidden: number } | null;
  /**
   * Recurrent models with a hand-written backward pass: they measure dL/dh_t in the backward itself.
   * The trainer arms the sink instead of passing probes, and takes the norms after the gradients.
   */
  readonly hiddenGradSink?: HiddenGradSink;
  /** Hand-written recurrent models: where their forward leaves the fraction of saturated units. */
  readonly saturationSink?: SaturationSink;
  /** `values` are the params' tensors in order; `probes` are layers*steps [B, H] zeros, or empty. */
  loss(values: tf.Tensor[], x: tf.Tensor, y: tf.Tensor, probes: tf.Tensor[]): LossOutput;
  /**
   * The loss and its gradients with respect to `values` without tfjs's autodiff, where the model has a kernel that
   * computes both (the dense net on cpu and wasm); null where it has none now (the trainer then differentiates
   * `loss`). The same values as `tf.valueAndGrads` of `loss`.
   */
  lossAndGrads?(values: tf.Tensor[], x: tf.Tensor, y: tf.Tensor): { loss: tf.Scalar; grads: tf.Tensor[] } | null;
  dispose(): void;
}

export type InitialWeights = Record<string, Float32Array>;

// tfjs needs globally unique variable names; a counter keeps them so without touching any random stream.
let nextVariableId = 0;

/** Makes the variables of a model from named initial values, checking sizes. */
export function makeParams(specs: { name: string; layer: string; shape: number[] }[], values: InitialWeights): Param[] {
  return specs.map(({ name, layer, shape }) => {
    const data = values[name];
    if (!data) throw new Error(`no initial value for parameter ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size)
      throw new Error(`initial value of ${name} has ${data.length} numbers, shape [${shape.join(', ')}] needs ${size}`);
    // A variable shares its initial tensor's data; dispose the tensor so only the variable remains.
    const initial = tf.tensor(data, shape, 'float32');
    const variable = tf.variable(initial, true, `${name}#${nextVariableId++}`);
    initial.dispose();
    return { name, layer, variable };
  });
}

export function disposeParams(params: Param[]): void {
  for (const p of params) p.variable.dispose();
}
