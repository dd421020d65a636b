/**
 * The dense net's fused loss against its ops (models/dense.ts with the fused kernels off), through autodiff of the
 * fused op and through the one-kernel lossAndGrads: the loss and every gradient for both losses, several sizes,
 * weights that overflow, a NaN input and a unit at exactly 0; and a whole run's weights after training on each path.
 * To the bit on cpu, and on wasm with tf.matMul's own transposed products; within 1e-5 with XNNPACK's untransposed
 * ones, which wasm uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { DEFAULT_CONFIG, type ExperimentConfig } from '../../experiment/config.ts';
import { makeRegression, TUTORIAL_REGRESSION } from '../data/makeRegression.ts';
import { createDenseModel, denseInitialWeights } from '../models/dense.ts';
import { Rng } from '../rng.ts';
import { Run } from '../trainer.ts';
import { denseProducts } from './denseKernels.ts';
import { fusedCells } from './recurrentKernels.ts';

const onByDefault = fusedCells.on;
afterEach(() => {
  fusedCells.on = onByDefault;
  denseProducts.untransposed = true;
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

/** The loss and its four gradients, one array each: by tfjs's autodiff of model.loss, or by model.lossAndGrads. */
function lossAndGrads(c: Case, seed: number, how: 'autodiff' | 'direct'): { outputs: number[][]; left: number } {
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
  const outputs = tf.tidy(() => {
    const x = tf.tensor2d(xs, [c.batch, 20]);
    const y = tf.tensor1d(ys);
    const variables = model.params.map((p) => p.variable);
    let loss: tf.Tensor;
    let grads: tf.Tensor[];
    if (how === 'direct') {
      const direct = model.lossAndGrads?.(variables, x, y);
      if (!direct) throw new Error('no fused lossAndGrads on this backend');
      [loss, grads] = [direct.loss, direct.grads];
    } else {
      const r = tf.valueAndGrads((...p: tf.Tensor[]) => model.loss(p, x, y, []).loss)(variables);
      [loss, grads] = [r.value, r.grads];
    }
    return [loss, ...grads].map((t) => [...t.dataSync()]);
  });
  model.dispose();
  return { outputs, left: tf.memory().numTensors - before };
}

/**
 * Where two sets of outputs differ: exactly (every value, NaN and infinities included), or within `tolerance` of
 * each output's largest magnitude, non-finite values still exactly. '' when they agree.
 */
function difference(a: number[][], b: number[][], tolerance = 0): string {
  for (let o = 0; o < b.length; o++) {
    const [x, y] = [a[o] ?? [], b[o]!];
    if (x.length !== y.length) return `output ${o}: ${x.length} values against ${y.length}`;
    const scale = Math.max(...y.filter(Number.isFinite).map(Math.abs), 0);
    for (let k = 0; k < y.length; k++) {
      const [u, v] = [x[k]!, y[k]!];
      const same = Object.is(u, v) || (u === 0 && v === 0);
      const near = Number.isFinite(u) && Number.isFinite(v) && Math.abs(u - v) <= tolerance * scale;
      if (!same && !(tolerance > 0 && near)) return `output ${o}, value ${k}: ${u} against ${v}`;
    }
  }
  return '';
}

/** The same as plain arrays of one output. */
function firstDifference(a: number[], b: number[], tolerance = 0): string {
  return difference([a], [b], tolerance);
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
    it(`batch ${c.batch}, hidden ${c.hidden}, ${c.loss}${c.weightScale ? ', overflowing' : ''}${c.nan ? ', a NaN input' : ''}${c.deadUnit ? ', a unit at 0' : ''}: the ops' loss and gradients`, () => {
      for (const seed of [1, 2, 3]) {
        fusedCells.on = () => false;
        const ops = lossAndGrads(c, seed, 'autodiff');
        fusedCells.on = onByDefault;
        // To the bit on cpu, and on wasm with tf.matMul's own transposed products; within 1e-5 with XNNPACK's.
        for (const untransposed of backend === 'wasm' ? [false, true] : [true]) {
          denseProducts.untransposed = untransposed;
          const tolerance = backend === 'wasm' && untransposed ? 1e-5 : 0;
          for (const how of ['autodiff', 'direct'] as const) {
            const fused = lossAndGrads(c, seed, how);
            const what = `seed ${seed}, ${how}, ${untransposed ? 'untransposed' : 'transposed'} products`;
            expect(difference(fused.outputs, ops.outputs, tolerance), what).toBe('');
            expect(fused.left).toBe(0);
          }
        }
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
        // 40 steps of products whose last bits differ on wasm: within 1e-4 of each run's largest weight there.
        expect(firstDifference(fused, ops, backend === 'wasm' ? 1e-4 : 0), `${clip}, ${loss}`).toBe('');
      }
    }
  });
});
