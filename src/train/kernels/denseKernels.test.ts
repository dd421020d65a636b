/**
 * The dense net's fused loss against its ops (models/dense.ts with the fused kernels off), bit for bit, on both
 * backends: the loss and every gradient for both losses, several sizes, weights that overflow and a NaN input; and
 * a whole run's weights after training on each path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { DEFAULT_CONFIG, type ExperimentConfig } from '../../experiment/config.ts';
import { makeRegression, TUTORIAL_REGRESSION } from '../data/makeRegression.ts';
import { createDenseModel, denseInitialWeights } from '../models/dense.ts';
import { Rng } from '../rng.ts';
import { Run } from '../trainer.ts';
import { fusedCells } from './recurrentKernels.ts';

const onByDefault = fusedCells.on;
afterEach(() => {
  fusedCells.on = onByDefault;
});

interface Case {
  batch: number;
  hidden: number;
  loss: 'corrected' | 'literal';
  /** Scales the first layer's weights: 1e19 makes squares overflow to Infinity, and their gradients NaN. */
  weightScale?: number;
  /** Puts a NaN in the batch's first row. */
  nan?: boolean;
  /** A hidden unit with no weights and no bias: its pre-activation is exactly 0, where relu's gradient is 0. */
  deadUnit?: boolean;
}

/** The loss and its four gradients as plain numbers, with how many tensors the step left behind. */
function lossAndGrads(c: Case, seed: number): { values: number[]; left: number } {
  const before = tf.memory().numTensors;
  const rng = new Rng(seed);
  const options = { features: 20, hidden: c.hidden, loss: c.loss };
  const weights = denseInitialWeights(rng, options);
  weights['fc1.weight'] = weights['fc1.weight']!.map((w, k) => (c.deadUnit && k < 20 ? 0 : w * (c.weightScale ?? 1)));
  if (c.deadUnit) weights['fc1.bias']![0] = 0;
  const model = createDenseModel(options, weights);
  const xs = Float32Array.from({ length: c.batch * 20 }, () => rng.normal() * 3);
  if (c.nan) xs[5] = NaN;
  const ys = Float32Array.from({ length: c.batch }, () => rng.normal() * 50);
  const values = tf.tidy(() => {
    const x = tf.tensor2d(xs, [c.batch, 20]);
    const y = tf.tensor1d(ys);
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => model.loss(p, x, y, []).loss)(
      model.params.map((p) => p.variable),
    );
    return [...value.dataSync(), ...grads.flatMap((g) => [...g.dataSync()])];
  });
  model.dispose();
  return { values, left: tf.memory().numTensors - before };
}

function firstDifference(a: number[], b: number[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((v, i) => !Object.is(v, b[i]) && !(v === 0 && b[i] === 0));
}

describe.each(['cpu', 'wasm'] as const)('the dense kernels on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: Case[] = [
    { batch: 128, hidden: 25, loss: 'corrected' },
    { batch: 128, hidden: 25, loss: 'literal' },
    { batch: 1, hidden: 1, loss: 'corrected' },
    { batch: 7, hidden: 64, loss: 'literal' },
    { batch: 50, hidden: 100, loss: 'corrected' },
    { batch: 32, hidden: 25, loss: 'corrected', weightScale: 1e19 },
    { batch: 32, hidden: 25, loss: 'literal', nan: true },
    { batch: 16, hidden: 5, loss: 'corrected', deadUnit: true },
  ];
  for (const c of cases) {
    it(`batch ${c.batch}, hidden ${c.hidden}, ${c.loss}${c.weightScale ? ', overflowing' : ''}${c.nan ? ', a NaN input' : ''}${c.deadUnit ? ', a unit at 0' : ''}: the ops' loss and gradients to the bit`, () => {
      for (const seed of [1, 2, 3]) {
        fusedCells.on = () => false;
        const ops = lossAndGrads(c, seed);
        fusedCells.on = onByDefault;
        const fused = lossAndGrads(c, seed);
        const at = firstDifference(fused.values, ops.values);
        expect(at, `seed ${seed}, value ${at}: fused ${fused.values[at]}, ops ${ops.values[at]}`).toBe(-1);
        expect(fused.left).toBe(0);
      }
    });
  }

  it('hand-worked: one row x = (1, 0, ...), hidden 1, w1 = (2, 0, ...), b1 = 0.5, w2 = 3, b2 = 1, y = 4', () => {
    // a1 = 2.5, h = 2.5, p = 8.5, d = 4.5, loss = 20.25; dd = 9 = dp = db2; dW2 = 9 * 2.5 = 22.5; dh = 27 = db1;
    // dW1 = 27 x = (27, 0, ...).
    const model = createDenseModel(
      { features: 20, hidden: 1, loss: 'corrected' },
      {
        'fc1.weight': Float32Array.from({ length: 20 }, (_, k) => (k === 0 ? 2 : 0)),
        'fc1.bias': Float32Array.of(0.5),
        'fc2.weight': Float32Array.of(3),
        'fc2.bias': Float32Array.of(1),
      },
    );
    const values = tf.tidy(() => {
      const x = tf.tensor2d(
        Array.from({ length: 20 }, (_, k) => (k === 0 ? 1 : 0)),
        [1, 20],
      );
      const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => model.loss(p, x, tf.tensor1d([4]), []).loss)(
        model.params.map((p) => p.variable),
      );
      return [...value.dataSync(), ...grads.flatMap((g) => [...g.dataSync()])];
    });
    model.dispose();
    expect(values[0]).toBe(20.25);
    expect(values.slice(1, 3)).toEqual([27, 0]);
    expect(values.slice(21)).toEqual([27, 22.5, 9]);
  });

  it('a run of 40 steps ends with the same weights, fused or not, clipped by value or global norm, both losses', async () => {
    const data = makeRegression(new Rng(4), { ...TUTORIAL_REGRESSION, samples: 512 });
    for (const clip of ['value', 'global'] as const) {
      for (const loss of ['corrected', 'literal'] as const) {
        const config: ExperimentConfig = {
          ...DEFAULT_CONFIG,
          loss,
          steps: 40,
          pair: false,
          clip: { ...DEFAULT_CONFIG.clip, mode: clip, threshold: 1 },
        };
        const weightsOf = async () => {
          const run = new Run({ config, side: 'clipped', data: { kind: 'regression', set: data } });
          while (run.status === 'ready') await run.trainStep();
          const w = await run.weights();
          run.dispose();
          return Object.values(w).flatMap((v) => [...v]);
        };
        fusedCells.on = () => false;
        const ops = await weightsOf();
        fusedCells.on = onByDefault;
        const fused = await weightsOf();
        expect(firstDifference(fused, ops), `${clip}, ${loss}`).toBe(-1);
      }
    }
  });
});
