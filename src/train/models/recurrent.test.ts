/**
 * The tfjs-op cells against a plain-JS transcription of PyTorch's equations,
 * on a tiny net, so a wrong gate order or bias placement cannot hide.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import type { InitialWeights } from './model.ts';
import { createRecurrentModel, recurrentInitialWeights, type CellKind } from './recurrent.ts';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** h_{t} for one sample, weights in our layout (W_ih [I, G*H], W_hh [H, G*H]). */
function referenceLoss(cell: CellKind, w: InitialWeights, xs: number[][][], labels: number[], hidden: number, layers: number): number {
  const G = { rnn: 1, lstm: 4, gru: 3 }[cell];
  const affine = (x: number[], W: Float32Array, cols: number) =>
    Array.from({ length: cols }, (_, j) => x.reduce((s, v, i) => s + v * W[i * cols + j], 0));
  let total = 0;
  xs.forEach((sequence, b) => {
    let inputs = sequence;
    for (let l = 0; l < layers; l++) {
      const p = `${cell}${l}`;
      let h = new Array(hidden).fill(0);
      let c = new Array(hidden).fill(0);
      const outs: number[][] = [];
      for (const x of inputs) {
        const xi = affine(x, w[`${p}.W_ih`], G * hidden).map((v, j) => v + w[`${p}.b_ih`][j]);
        const hh = affine(h, w[`${p}.W_hh`], G * hidden).map((v, j) => v + w[`${p}.b_hh`][j]);
        const gate = (k: number, j: number, src: number[]) => src[k * hidden + j];
        if (cell === 'rnn') h = h.map((_, j) => Math.tanh(xi[j] + hh[j]));
        else if (cell === 'lstm') {
          const z = xi.map((v, j) => v + hh[j]);
          c = c.map((cj, j) => sigmoid(gate(1, j, z)) * cj + sigmoid(gate(0, j, z)) * Math.tanh(gate(2, j, z)));
          h = h.map((_, j) => sigmoid(gate(3, j, z)) * Math.tanh(c[j]));
        } else {
          const r = h.map((_, j) => sigmoid(gate(0, j, xi) + gate(0, j, hh)));
          const zz = h.map((_, j) => sigmoid(gate(1, j, xi) + gate(1, j, hh)));
          const n = h.map((_, j) => Math.tanh(gate(2, j, xi) + r[j] * gate(2, j, hh)));
          h = h.map((hj, j) => (1 - zz[j]) * n[j] + zz[j] * hj);
        }
        outs.push(h);
      }
      inputs = outs;
    }
    const last = inputs[inputs.length - 1];
    const logits = affine(last, w['out.weight'], 10).map((v, j) => v + w['out.bias'][j]);
    const max = Math.max(...logits);
    const logSum = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    total += logSum - logits[labels[b]];
  });
  return total / xs.length;
}

describe.each(['rnn', 'lstm', 'gru'] as const)('%s cell', (cell) => {
  it.each(['torch', 'keras'] as const)('matches PyTorch equations in plain JS (2 layers, %s init)', async (init) => {
    const options = { cell, hidden: 3, layers: 2, init, recScale: 1.3 };
    const weights = recurrentInitialWeights(new Rng(4).fork('init'), options);
    const rng = new Rng(9);
    const xs = Array.from({ length: 2 }, () => Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => rng.normal())));
    const labels = [3, 7];
    const before = tf.memory().numTensors;
    const model = createRecurrentModel(options, weights);
    const loss = tf.tidy(() => {
      const x = tf.tensor3d(xs);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
      return model.loss(model.params.map((p) => p.variable), x, y, []).loss;
    });
    const ours = (await loss.data())[0];
    loss.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(ours).toBeCloseTo(referenceLoss(cell, weights, xs, labels, 3, 2), 4);
  });
});

describe('initialisation', () => {
  it('starts the vanilla RNN recurrent matrix orthogonal x scale', () => {
    const w = recurrentInitialWeights(new Rng(1), { cell: 'rnn', hidden: 16, layers: 1, init: 'torch', recScale: 2 })['rnn0.W_hh'];
    // W^T W = scale^2 I
    for (const [i, j] of [[0, 0], [3, 3], [0, 5], [7, 2]]) {
      let dot = 0;
      for (let k = 0; k < 16; k++) dot += w[k * 16 + i] * w[k * 16 + j];
      expect(dot).toBeCloseTo(i === j ? 4 : 0, 4);
    }
  });
});
