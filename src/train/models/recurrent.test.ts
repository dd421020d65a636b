/**
 * Both implementations of the cells (the hand-written-backward layers and the
 * autodiff reference) against a plain-JS transcription of PyTorch's equations,
 * on a tiny net, so a wrong gate order or bias placement cannot hide; and a
 * whole training run through the trainer with either backward.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../../cli/nodeData.ts';
import type { ExperimentConfig } from '../../experiment/config.ts';
import { PRESETS } from '../../experiment/presets.ts';
import { loadTrainingData } from '../data/trainingData.ts';
import type { StepMetrics } from '../metrics.ts';
import { Rng } from '../rng.ts';
import { Run } from '../trainer.ts';
import { blockCutting } from './bptt.ts';
import type { InitialWeights } from './model.ts';
import { createRecurrentModel, recurrentInitialWeights, type CellKind, type RecurrentBackward } from './recurrent.ts';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** A weight matrix or vector by name, which must exist. */
function param(w: InitialWeights, name: string): Float32Array {
  const values = w[name];
  if (!values) throw new Error(`no weights named ${name}`);
  return values;
}

/** v[i] of an array that has it. */
const el = (v: ArrayLike<number>, i: number): number => v[i] ?? NaN;

/** h_{t} for one sample, weights in our layout (W_ih [I, G*H], W_hh [H, G*H]). */
function referenceLoss(
  cell: CellKind,
  w: InitialWeights,
  xs: number[][][],
  labels: number[],
  hidden: number,
  layers: number,
): number {
  const G = { rnn: 1, lstm: 4, gru: 3 }[cell];
  const affine = (x: number[], W: Float32Array, cols: number) =>
    Array.from({ length: cols }, (_, j) => x.reduce((s, v, i) => s + v * el(W, i * cols + j), 0));
  let total = 0;
  xs.forEach((sequence, b) => {
    let inputs = sequence;
    for (let l = 0; l < layers; l++) {
      const p = `${cell}${l}`;
      let h = new Array(hidden).fill(0);
      let c = new Array(hidden).fill(0);
      const outs: number[][] = [];
      for (const x of inputs) {
        const xi = affine(x, param(w, `${p}.W_ih`), G * hidden).map((v, j) => v + el(param(w, `${p}.b_ih`), j));
        const hh = affine(h, param(w, `${p}.W_hh`), G * hidden).map((v, j) => v + el(param(w, `${p}.b_hh`), j));
        const gate = (k: number, j: number, src: number[]) => el(src, k * hidden + j);
        if (cell === 'rnn') h = h.map((_, j) => Math.tanh(el(xi, j) + el(hh, j)));
        else if (cell === 'lstm') {
          const z = xi.map((v, j) => v + el(hh, j));
          c = c.map((cj, j) => sigmoid(gate(1, j, z)) * cj + sigmoid(gate(0, j, z)) * Math.tanh(gate(2, j, z)));
          h = h.map((_, j) => sigmoid(gate(3, j, z)) * Math.tanh(el(c, j)));
        } else {
          const r = h.map((_, j) => sigmoid(gate(0, j, xi) + gate(0, j, hh)));
          const zz = h.map((_, j) => sigmoid(gate(1, j, xi) + gate(1, j, hh)));
          const n = h.map((_, j) => Math.tanh(gate(2, j, xi) + el(r, j) * gate(2, j, hh)));
          h = h.map((hj, j) => (1 - el(zz, j)) * el(n, j) + el(zz, j) * hj);
        }
        outs.push(h);
      }
      inputs = outs;
    }
    const last = inputs[inputs.length - 1] ?? [];
    const logits = affine(last, param(w, 'out.weight'), 10).map((v, j) => v + el(param(w, 'out.bias'), j));
    const max = Math.max(...logits);
    const logSum = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    total += logSum - el(logits, el(labels, b));
  });
  return total / xs.length;
}

describe.each(['rnn', 'lstm', 'gru'] as const)('%s cell', (cell) => {
  it.each([
    ['torch', 'bptt'],
    ['keras', 'bptt'],
    ['torch', 'autodiff'],
    ['keras', 'autodiff'],
  ] as const)('matches PyTorch equations in plain JS (2 layers, %s init, %s)', async (init, backward) => {
    const options = { cell, hidden: 3, layers: 2, init, recScale: 1.3, backward };
    const weights = recurrentInitialWeights(new Rng(4).fork('init'), options);
    const rng = new Rng(9);
    const xs = Array.from({ length: 2 }, () =>
      Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => rng.normal())),
    );
    const labels = [3, 7];
    const before = tf.memory().numTensors;
    const model = createRecurrentModel(options, weights);
    const loss = tf.tidy(() => {
      const x = tf.tensor3d(xs);
      const y = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32');
      return model.loss(
        model.params.map((p) => p.variable),
        x,
        y,
        [],
      ).loss;
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
    const options = { cell: 'rnn', hidden: 16, layers: 1, init: 'torch', recScale: 2 } as const;
    const w = param(recurrentInitialWeights(new Rng(1), options), 'rnn0.W_hh');
    // W^T W = scale^2 I
    for (const [i, j] of [
      [0, 0],
      [3, 3],
      [0, 5],
      [7, 2],
    ] as const) {
      let dot = 0;
      for (let k = 0; k < 16; k++) dot += el(w, k * 16 + i) * el(w, k * 16 + j);
      expect(dot).toBeCloseTo(i === j ? 4 : 0, 4);
    }
  });
});

describe('training through the trainer (CPU backend)', () => {
  async function train(config: ExperimentConfig, backward: RecurrentBackward, steps: number): Promise<StepMetrics[]> {
    const data = await loadTrainingData(config, nodeDataLoader);
    const run = new Run({ config, side: 'clipped', data, backward });
    const metrics: StepMetrics[] = [];
    for (let i = 0; i < steps; i++) metrics.push(await run.trainStep());
    run.dispose();
    return metrics;
  }
  const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

  it.each(['rnn', 'lstm', 'gru'] as const)(
    '%s, 2 layers: the hand-written backward gives the reference metrics step for step, ||dL/dh_t|| layer-major',
    async (model) => {
      const base = PRESETS['rnn-scale'].config;
      const config: ExperimentConfig = {
        ...base,
        model,
        hidden: 12,
        layers: 2,
        batch: 6,
        trainSize: 60,
        hiddenGradEvery: 2,
      };
      const before = tf.memory().numTensors;
      const ours = await train(config, 'bptt', 5);
      const reference = await train(config, 'autodiff', 5);
      expect(tf.memory().numTensors).toBe(before);
      ours.forEach((m, i) => {
        const ref = reference[i] as StepMetrics;
        expect(relative(m.loss, ref.loss), `step ${m.step} loss`).toBeLessThan(1e-5);
        m.gradNormPre.forEach((g, p) =>
          expect(relative(g, el(ref.gradNormPre, p)), `step ${m.step} grad ${p}`).toBeLessThan(1e-4),
        );
        // hiddenGradEvery = 2: measured on steps 1, 3, 5 only, like the probes.
        if (ref.hiddenGradNorms === null) expect(m.hiddenGradNorms).toBeNull();
        else {
          expect(m.hiddenGradNorms).toHaveLength(2 * 28);
          (m.hiddenGradNorms ?? []).forEach((g, k) =>
            expect(relative(g, el(ref.hiddenGradNorms ?? [], k)), `step ${m.step} dL/dh ${k}`).toBeLessThan(1e-4),
          );
        }
      });
      expect(ours.map((m) => m.hiddenGradNorms !== null)).toEqual([true, false, true, false, true]);
    },
  );

  it('measures ||dL/dh_t|| every step with the tensor count flat, and frees everything on dispose', async () => {
    const config: ExperimentConfig = {
      ...PRESETS['lstm-tf'].config,
      hidden: 8,
      layers: 2,
      batch: 4,
      trainSize: 40,
      steps: 25,
      hiddenGradEvery: 1,
    };
    const data = await loadTrainingData(config, nodeDataLoader);
    const before = tf.memory().numTensors;
    const run = new Run({ config, side: 'clipped', data });
    const first = await run.trainStep();
    const afterFirst = tf.memory().numTensors;
    expect(first.hiddenGradNorms).toHaveLength(56);
    while (run.status === 'ready') {
      const m = await run.trainStep();
      expect(m.hiddenGradNorms?.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(afterFirst);
    }
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("GPU backends' block cutting (tfjs slice kernels instead of read-backs) gives the same gradients", async () => {
    const config: ExperimentConfig = {
      ...PRESETS['lstm-tf'].config,
      model: 'gru',
      hidden: 5,
      layers: 2,
      batch: 3,
      trainSize: 30,
      hiddenGradEvery: 1,
    };
    const viaReadback = await train(config, 'bptt', 2);
    const original = blockCutting.viaReadback;
    blockCutting.viaReadback = () => false;
    try {
      const viaKernels = await train(config, 'bptt', 2);
      expect(viaKernels).toEqual(viaReadback);
    } finally {
      blockCutting.viaReadback = original;
    }
  });
});
