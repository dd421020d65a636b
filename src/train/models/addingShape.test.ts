/**
 * The recurrent models on the adding problem's shape (T steps of 2 inputs, one linear output, MSE): the
 * hand-written backward against tfjs's autodiff for every cell, ||dL/dh_t|| over all T steps, and a
 * one-unit RNN whose loss and gradient are worked out by hand.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { addingBatch, makeAddingSet } from '../data/adding.ts';
import type { Model } from './model.ts';
import {
  addingSequence,
  createRecurrentModel,
  recurrentInitialWeights,
  recurrentParamSpecs,
  type RecurrentBackward,
  type RecurrentOptions,
} from './recurrent.ts';

/** ||a - b|| / ||b||, in float64. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += ((a[i] ?? NaN) - (b[i] ?? NaN)) ** 2;
    norm += (b[i] ?? NaN) ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
}

/** Loss, parameter gradients and ||dL/dh_t|| as the trainer takes them (the sink, or zero probes). */
function gradientsOf(
  model: Model,
  x: tf.Tensor,
  y: tf.Tensor,
): { loss: number; params: Float32Array[]; hidden: Float32Array } {
  const variables = model.params.map((p) => p.variable);
  const shape = model.probeShape;
  if (!shape) throw new Error('not a recurrent model');
  const sink = model.hiddenGradSink;
  const out = tf.tidy(() => {
    const probes = sink
      ? []
      : Array.from({ length: shape.layers * shape.steps }, () => tf.zeros([x.shape[0] ?? 0, shape.hidden]));
    sink?.arm();
    const lossOf = (...args: tf.Tensor[]): tf.Scalar =>
      model.loss(args.slice(0, variables.length), x, y, args.slice(variables.length)).loss;
    const { value, grads } = tf.valueAndGrads(lossOf)([...variables, ...probes]);
    const hidden = sink ? sink.take() : tf.stack(grads.slice(variables.length).map((g) => tf.norm(g)));
    return [value, hidden, ...grads.slice(0, variables.length)];
  });
  const [loss, hidden, ...params] = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  if (!loss || !hidden) throw new Error('no loss or hidden norms');
  return { loss: loss[0] ?? NaN, params, hidden };
}

describe('recurrent nets on the adding problem', () => {
  const steps = 12;
  const cases = (['rnn', 'lstm', 'gru'] as const).flatMap((cell) => [
    { cell, layers: 1 },
    { cell, layers: 2 },
  ]);

  it.each(cases)('$cell x $layers: the hand-written backward equals autodiff over all T steps', ({ cell, layers }) => {
    const options: Omit<RecurrentOptions, 'backward'> = {
      cell,
      hidden: 5,
      layers,
      init: 'torch',
      recScale: 1.5,
      sequence: addingSequence(steps),
    };
    const weights = recurrentInitialWeights(new Rng(5).fork('init'), options);
    expect(weights[`${cell}0.W_ih`]).toHaveLength(2 * 5 * { rnn: 1, lstm: 4, gru: 3 }[cell]);
    expect(weights['out.weight']).toHaveLength(5);
    expect(weights['out.bias']).toHaveLength(1);
    const { x, y } = addingBatch(makeAddingSet(new Rng(5).fork('data'), 4, steps), [0, 1, 2, 3]);
    const before = tf.memory().numTensors;
    const run = (backward: RecurrentBackward) => {
      const model = createRecurrentModel({ ...options, backward }, weights);
      try {
        expect(model.probeShape).toEqual({ layers, steps, hidden: 5 });
        return gradientsOf(model, x, y);
      } finally {
        model.dispose();
      }
    };
    const ours = run('bptt');
    const reference = run('autodiff');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    expect(ours.hidden).toHaveLength(layers * steps);
    expect(Math.abs(ours.loss - reference.loss) / reference.loss).toBeLessThan(1e-6);
    reference.params.forEach((g, i) => expect(relativeError(ours.params[i] ?? [], g)).toBeLessThan(1e-5));
    for (let l = 0; l < layers; l++) {
      const part = (h: Float32Array) => h.subarray(l * steps, (l + 1) * steps);
      expect(relativeError(part(ours.hidden), part(reference.hidden))).toBeLessThan(1e-5);
    }
    // The gradient reaches t = 1: every step's norm is positive.
    expect(Math.min(...ours.hidden)).toBeGreaterThan(0);
  });

  it('a one-unit RNN over T = 2: loss and gradients by hand', () => {
    // h1 = tanh(a v1 + c m1), h2 = tanh(a v2 + c m2 + w h1), p = u h2 + d, L = (p - y)^2 (batch of one).
    const [a, c, w, u, d] = [0.5, -0.3, 0.8, 1.5, 0.2];
    const [v1, m1, v2, m2, target] = [0.4, 1, 0.9, 1, 1.3];
    const options: RecurrentOptions = {
      cell: 'rnn',
      hidden: 1,
      layers: 1,
      init: 'torch',
      recScale: 1,
      sequence: addingSequence(2),
    };
    expect(recurrentParamSpecs(options).map((p) => `${p.name} [${p.shape.join(',')}]`)).toEqual([
      'rnn0.W_ih [2,1]',
      'rnn0.W_hh [1,1]',
      'rnn0.b_ih [1]',
      'rnn0.b_hh [1]',
      'out.weight [1,1]',
      'out.bias [1]',
    ]);
    const weights = {
      'rnn0.W_ih': Float32Array.from([a, c]),
      'rnn0.W_hh': Float32Array.from([w]),
      'rnn0.b_ih': Float32Array.from([0]),
      'rnn0.b_hh': Float32Array.from([0]),
      'out.weight': Float32Array.from([u]),
      'out.bias': Float32Array.from([d]),
    };
    const h1 = Math.tanh(a * v1 + c * m1);
    const h2 = Math.tanh(a * v2 + c * m2 + w * h1);
    const p = u * h2 + d;
    const dp = 2 * (p - target);
    const dh2 = dp * u;
    const dz2 = dh2 * (1 - h2 * h2);
    const dh1 = dz2 * w;
    const dz1 = dh1 * (1 - h1 * h1);
    const x = tf.tensor3d([v1, m1, v2, m2], [1, 2, 2]);
    const y = tf.tensor2d([target], [1, 1]);
    for (const backward of ['bptt', 'autodiff'] as const) {
      const model = createRecurrentModel({ ...options, backward }, weights);
      const got = gradientsOf(model, x, y);
      model.dispose();
      expect(got.loss).toBeCloseTo((p - target) ** 2, 6);
      const [dWih, dWhh, dbih, dbhh, dU, dD] = got.params.map((g) => Array.from(g));
      expect(dWih?.[0]).toBeCloseTo(dz1 * v1 + dz2 * v2, 6);
      expect(dWih?.[1]).toBeCloseTo(dz1 * m1 + dz2 * m2, 6);
      expect(dWhh?.[0]).toBeCloseTo(dz2 * h1, 6);
      expect(dbih?.[0]).toBeCloseTo(dz1 + dz2, 6);
      expect(dbhh?.[0]).toBeCloseTo(dz1 + dz2, 6);
      expect(dU?.[0]).toBeCloseTo(dp * h2, 6);
      expect(dD?.[0]).toBeCloseTo(dp, 6);
      // ||dL/dh_t|| for t = 1, 2: the BPTT view of a one-unit net.
      expect(got.hidden).toHaveLength(2);
      expect(got.hidden[0]).toBeCloseTo(Math.abs(dh1), 5);
      expect(got.hidden[1]).toBeCloseTo(Math.abs(dh2), 5);
    }
    tf.dispose([x, y]);
  });
});
