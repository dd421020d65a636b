/**
 * Recurrent nets for sequential MNIST and the adding problem, written from tfjs ops rather than
 * tf.layers: PyTorch's equations (sigmoid gates, two biases), no 45-second
 * orthogonal init on WebGL, and the hidden states are ours to probe.
 *
 * Per layer, with gates stacked along the last axis (torch's order):
 *   rnn:  h_t = tanh(x_t W_ih + b_ih + h_{t-1} W_hh + b_hh)
 *   lstm: [i f g o] = x_t W_ih + b_ih + h_{t-1} W_hh + b_hh
 *         c_t = s(f) c_{t-1} + s(i) tanh(g);  h_t = s(o) tanh(c_t)
 *   gru:  [r z] = s(x_t W_ih[rz] + b_ih[rz] + h_{t-1} W_hh[rz] + b_hh[rz])
 *         n = tanh(x_t W_ih[n] + b_ih[n] + r * (h_{t-1} W_hh[n] + b_hh[n]))
 *         h_t = (1 - z) n + z h_{t-1}
 * The last step's top hidden state feeds a dense layer: softmax over 10 digits with cross-entropy (MNIST),
 * or one linear output with mean squared error (the adding problem). SequenceShape says which, and how many
 * steps of how many inputs the net reads.
 *
 * Two implementations of the same equations:
 *  - 'bptt' (the default): each layer is one op with a hand-written backward
 *    pass (rnnLayer.ts, lstmLayer.ts, gruLayer.ts; bptt.ts says why), which
 *    also measures ||dL/dh_t|| from its own loop into a HiddenGradSink;
 *  - 'autodiff': per-step tfjs ops differentiated by tfjs, with dL/dh_t from
 *    zero probes added to every h_t. It is the reference the tests hold the
 *    hand-written backward to, and the "before" of scripts/profileRecurrent.ts.
 * Both hoist the input projection of all T steps into one matmul.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ADDING_INPUTS,
  MNIST_CLASSES,
  MNIST_PIXELS,
  MNIST_STEPS,
  type RecurrentInit,
} from '../../experiment/config.ts';
import type { Rng } from '../rng.ts';
import { at, type LayerWeights, type RecurrentLayer } from './bptt.ts';
import { gruLayer } from './gruLayer.ts';
import { HiddenGradSink } from './hiddenGradSink.ts';
import { SaturationSink } from './saturationSink.ts';
import { constantArray, orthogonal, uniformArray, xavierUniform } from './init.ts';
import { lstmLayer } from './lstmLayer.ts';
import { disposeParams, makeParams, type InitialWeights, type LossOutput, type Model } from './model.ts';
import { rnnLayer } from './rnnLayer.ts';

export type CellKind = 'rnn' | 'lstm' | 'gru';

/** How gradients are taken: hand-written backpropagation through time, or tfjs's autodiff (the reference). */
export type RecurrentBackward = 'bptt' | 'autodiff';

/** What the net reads and how its output is scored. */
export interface SequenceShape {
  /** Time steps T. */
  steps: number;
  /** Inputs per step. */
  inputs: number;
  /** Output units of the dense head. */
  outputs: number;
  /** softmax: cross-entropy over the outputs (y one-hot). mse: linear outputs, mean squared error (y [B, outputs]). */
  head: 'softmax' | 'mse';
}

/** Sequential MNIST: 28 rows of 28 pixels, 10 digits. */
export const MNIST_SEQUENCE: SequenceShape = {
  steps: MNIST_STEPS,
  inputs: MNIST_PIXELS,
  outputs: MNIST_CLASSES,
  head: 'softmax',
};

/** The adding problem: T steps of (value, marker), one linear output, the sum. */
export function addingSequence(steps: number): SequenceShape {
  return { steps, inputs: ADDING_INPUTS, outputs: 1, head: 'mse' };
}

export interface RecurrentOptions {
  cell: CellKind;
  hidden: number;
  layers: number;
  init: RecurrentInit;
  /** Vanilla RNN only: W_hh starts as orthogonal x recScale. */
  recScale: number;
  /** Default 'bptt'. */
  backward?: RecurrentBackward;
  /** Default MNIST_SEQUENCE. */
  sequence?: SequenceShape;
}

const GATES: Record<CellKind, number> = { rnn: 1, lstm: 4, gru: 3 };

function layerName(cell: CellKind, l: number): string {
  return `${cell}${l}`;
}

export interface ParamSpec {
  name: string;
  layer: string;
  shape: number[];
}

export function recurrentParamSpecs({
  cell,
  hidden,
  layers,
  sequence = MNIST_SEQUENCE,
}: RecurrentOptions): ParamSpec[] {
  const g = GATES[cell] * hidden;
  const specs: ParamSpec[] = [];
  for (let l = 0; l < layers; l++) {
    const layer = layerName(cell, l);
    const inputSize = l === 0 ? sequence.inputs : hidden;
    specs.push(
      { name: `${layer}.W_ih`, layer, shape: [inputSize, g] },
      { name: `${layer}.W_hh`, layer, shape: [hidden, g] },
      { name: `${layer}.b_ih`, layer, shape: [g] },
      { name: `${layer}.b_hh`, layer, shape: [g] },
    );
  }
  specs.push(
    { name: 'out.weight', layer: 'out', shape: [hidden, sequence.outputs] },
    { name: 'out.bias', layer: 'out', shape: [sequence.outputs] },
  );
  return specs;
}

/**
 * torch: every weight and bias U(-1/sqrt(H), 1/sqrt(H)); Linear's U(-1/sqrt(fan_in), ..).
 * keras: glorot-uniform input kernels, orthogonal recurrent kernels, zero biases
 * with the LSTM forget gate's bias at 1 (unit_forget_bias), glorot dense layer.
 * The vanilla RNN's W_hh is always orthogonal x recScale: the lesson's knob.
 */
export function recurrentInitialWeights(rng: Rng, options: RecurrentOptions): InitialWeights {
  const { cell, hidden, layers, init, recScale, sequence = MNIST_SEQUENCE } = options;
  const g = GATES[cell] * hidden;
  const weights: InitialWeights = {};
  const k = 1 / Math.sqrt(hidden);
  const outputs = sequence.outputs;
  for (let l = 0; l < layers; l++) {
    const layer = layerName(cell, l);
    const inputSize = l === 0 ? sequence.inputs : hidden;
    if (init === 'torch') {
      weights[`${layer}.W_ih`] = uniformArray(rng, inputSize * g, k);
      weights[`${layer}.W_hh`] = uniformArray(rng, hidden * g, k);
      weights[`${layer}.b_ih`] = uniformArray(rng, g, k);
      weights[`${layer}.b_hh`] = uniformArray(rng, g, k);
    } else {
      weights[`${layer}.W_ih`] = xavierUniform(rng, inputSize, g);
      weights[`${layer}.W_hh`] = orthogonal(rng, hidden, g);
      const bias = constantArray(g, 0);
      if (cell === 'lstm') bias.fill(1, hidden, 2 * hidden);
      weights[`${layer}.b_ih`] = bias;
      weights[`${layer}.b_hh`] = constantArray(g, 0);
    }
    if (cell === 'rnn') weights[`${layer}.W_hh`] = orthogonal(rng, hidden, hidden, recScale);
  }
  if (init === 'torch') {
    weights['out.weight'] = uniformArray(rng, hidden * outputs, k);
    weights['out.bias'] = uniformArray(rng, outputs, k);
  } else {
    weights['out.weight'] = xavierUniform(rng, hidden, outputs);
    weights['out.bias'] = constantArray(outputs, 0);
  }
  return weights;
}

export function createRecurrentModel(options: RecurrentOptions, weights: InitialWeights): Model {
  return options.backward === 'autodiff'
    ? createAutodiffRecurrentModel(options, weights)
    : createBpttRecurrentModel(options, weights);
}

const LAYER_OPS: Record<CellKind, RecurrentLayer> = { rnn: rnnLayer, lstm: lstmLayer, gru: gruLayer };

/** Layer l's parameter tensors out of the loss's `values` (4 per layer, in recurrentParamSpecs order). */
function layerWeights(values: tf.Tensor[], l: number): LayerWeights {
  return {
    wih: at(values, 4 * l) as tf.Tensor2D,
    whh: at(values, 4 * l + 1) as tf.Tensor2D,
    bih: at(values, 4 * l + 2) as tf.Tensor1D,
    bhh: at(values, 4 * l + 3) as tf.Tensor1D,
  };
}

/**
 * The dense head on the top layer's last hidden state: softmax with the mean cross-entropy (returning the
 * logits, for accuracy), or linear outputs with the mean squared error.
 */
function head(
  values: tf.Tensor[],
  layers: number,
  last: tf.Tensor2D,
  y: tf.Tensor,
  kind: SequenceShape['head'],
): LossOutput {
  const wout = at(values, 4 * layers) as tf.Tensor2D;
  const bout = at(values, 4 * layers + 1);
  const outputs = tf.add(tf.matMul(last, wout), bout) as tf.Tensor2D;
  if (kind === 'mse') return { loss: tf.mean(tf.square(tf.sub(outputs, y))) as tf.Scalar, outputs };
  const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(outputs)), 1))) as tf.Scalar;
  return { loss, logits: outputs };
}

/** Layers as single ops with a hand-written backward; ||dL/dh_t|| comes from their backward loops. */
function createBpttRecurrentModel(options: RecurrentOptions, weights: InitialWeights): Model {
  const { cell, hidden, layers, sequence = MNIST_SEQUENCE } = options;
  const params = makeParams(recurrentParamSpecs(options), weights);
  const layerNames = Array.from({ length: layers }, (_, l) => layerName(cell, l));
  const sink = new HiddenGradSink(layers, sequence.steps);
  const saturation = new SaturationSink(layers);
  const layerOp = LAYER_OPS[cell];

  return {
    params,
    layers: [...layerNames, 'out'],
    probeShape: { layers, steps: sequence.steps, hidden },
    hiddenGradSink: sink,
    saturationSink: saturation,
    loss(values, x, y, probes): LossOutput {
      if (probes.length > 0) throw new Error('this recurrent model measures dL/dh_t itself: arm its hiddenGradSink');
      const [batch, steps, inputs] = x.shape as [number, number, number];
      // Time-major [T*B, I]: each step's rows are contiguous, so one Unpack kernel slices every step.
      let states = tf.reshape(tf.transpose(x, [1, 0, 2]), [steps * batch, inputs]) as tf.Tensor2D;
      for (let l = 0; l < layers; l++) {
        states = layerOp(states, layerWeights(values, l), {
          steps,
          returnSequence: l < layers - 1,
          inputNeedsGrad: l > 0,
          hiddenGrads: { sink, layer: l },
          saturation: { sink: saturation, layer: l },
        });
      }
      return head(values, layers, states, y, sequence.head);
    },
    dispose: () => {
      sink.reset();
      saturation.reset();
      disposeParams(params);
    },
  };
}

/** The reference: per-step tfjs ops, differentiated by tfjs; dL/dh_t through zero probes added to each h_t. */
function createAutodiffRecurrentModel(options: RecurrentOptions, weights: InitialWeights): Model {
  const { cell, hidden, layers, sequence = MNIST_SEQUENCE } = options;
  const params = makeParams(recurrentParamSpecs(options), weights);
  const layerNames = Array.from({ length: layers }, (_, l) => layerName(cell, l));

  function step(
    xt: tf.Tensor2D,
    h: tf.Tensor2D | null,
    c: tf.Tensor2D | null,
    whh: tf.Tensor2D,
    bhh: tf.Tensor,
  ): [tf.Tensor2D, tf.Tensor2D | null] {
    if (cell === 'rnn') {
      return [tf.tanh<tf.Tensor2D>(h ? tf.add<tf.Tensor2D>(xt, tf.matMul(h, whh)) : xt), null];
    }
    if (cell === 'lstm') {
      const z = h ? tf.add(xt, tf.matMul(h, whh)) : xt;
      const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const input = tf.mul(tf.sigmoid(i), tf.tanh(g));
      const cNext = (c ? tf.add(tf.mul(tf.sigmoid(f), c), input) : input) as tf.Tensor2D;
      return [tf.mul(tf.sigmoid(o), tf.tanh(cNext)), cNext];
    }
    // GRU: the recurrent bias stays inside r * (h W_hn + b_hn), so it is not folded into the input projection.
    const hh = h ? tf.add(tf.matMul(h, whh), bhh) : tf.broadcastTo(bhh, [xt.shape[0], 3 * hidden]);
    const [xr, xz, xn] = tf.split(xt, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const [hr, hz, hn] = tf.split(hh, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    const hNext = h ? tf.add(n, tf.mul(z, tf.sub(h, n))) : tf.sub(n, tf.mul(z, n));
    return [hNext as tf.Tensor2D, null];
  }

  return {
    params,
    layers: [...layerNames, 'out'],
    probeShape: { layers, steps: sequence.steps, hidden },
    loss(values, x, y, probes): LossOutput {
      const [b, steps] = x.shape as [number, number, number];
      let input = x as tf.Tensor3D;
      let last: tf.Tensor2D | null = null;
      for (let l = 0; l < layers; l++) {
        const { wih, whh, bih, bhh } = layerWeights(values, l);
        const inputSize = input.shape[2];
        let projected = tf.add(tf.matMul(tf.reshape(input, [b * steps, inputSize]), wih), bih);
        if (cell !== 'gru') projected = tf.add(projected, bhh);
        const xs = tf.unstack(tf.reshape(projected, [b, steps, -1]), 1) as tf.Tensor2D[];
        let h: tf.Tensor2D | null = null;
        let c: tf.Tensor2D | null = null;
        const outputs: tf.Tensor2D[] = [];
        for (let t = 0; t < steps; t++) {
          [h, c] = step(at(xs, t), h, c, whh, bhh);
          if (probes.length > 0) h = tf.add<tf.Tensor2D>(h, at(probes, l * steps + t));
          outputs.push(h);
        }
        last = h;
        if (l < layers - 1) input = tf.stack(outputs, 1) as tf.Tensor3D;
      }
      if (!last) throw new Error('a recurrent model needs at least one layer and one step');
      return head(values, layers, last, y, sequence.head);
    },
    dispose: () => disposeParams(params),
  };
}
