/**
 * The fused recurrent kernels: hand-worked values of a one-unit RNN and LSTM; the fused forward equals
 * the unfused ops' forward to the bit (cpu and wasm); each layer is one kernel forward and one backward
 * at the engine, and the ops are the path when the kernels are off; and no tensor is left behind,
 * neither at the engine nor in the backend's own memory (the kernels' temporaries).
 * The fused backward against autodiff over the whole grid is in src/train/models/bptt.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { Rng } from '../rng.ts';
import type { LayerOptions, LayerWeights, RecurrentLayer } from '../models/bptt.ts';
import { gruLayer } from '../models/gruLayer.ts';
import { lstmLayer } from '../models/lstmLayer.ts';
import { rnnLayer } from '../models/rnnLayer.ts';
import {
  fusedCells,
  GRU_BACKWARD,
  GRU_FORWARD,
  LSTM_BACKWARD,
  LSTM_FORWARD,
  RNN_BACKWARD,
  RNN_FORWARD,
} from './recurrentKernels.ts';

const LAYERS: Record<'rnn' | 'lstm' | 'gru', { op: RecurrentLayer; gates: number }> = {
  rnn: { op: rnnLayer, gates: 1 },
  lstm: { op: lstmLayer, gates: 4 },
  gru: { op: gruLayer, gates: 3 },
};
const KERNEL_NAMES = {
  rnn: [RNN_FORWARD, RNN_BACKWARD],
  lstm: [LSTM_FORWARD, LSTM_BACKWARD],
  gru: [GRU_FORWARD, GRU_BACKWARD],
};
const onByDefault = fusedCells.on;

afterEach(() => {
  fusedCells.on = onByDefault;
});

/** The layer's loss L = h_T (one unit, one sequence) and its gradients w.r.t. x, W_ih, W_hh, b_ih, b_hh. */
function oneUnit(op: RecurrentLayer, w: number[][], x: number[]) {
  return tf.tidy(() => {
    const [wih = [], whh = [], bih = [], bhh = []] = w;
    const g = wih.length;
    const inputs = [
      tf.tensor2d(x, [x.length, 1]),
      tf.tensor2d(wih, [1, g]),
      tf.tensor2d(whh, [1, g]),
      tf.tensor1d(bih),
      tf.tensor1d(bhh),
    ];
    const options: LayerOptions = { steps: x.length, returnSequence: true, inputNeedsGrad: true };
    const layer = (...a: tf.Tensor[]) =>
      op(a[0] as tf.Tensor2D, { wih: a[1], whh: a[2], bih: a[3], bhh: a[4] } as LayerWeights, options);
    const h = layer(...inputs).dataSync();
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.slice(layer(...a), [x.length - 1, 0], [1, 1])))(inputs);
    return { h: Array.from(h), grads: grads.map((t) => Array.from(t.dataSync())) };
  });
}

function expectClose(actual: number[], expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i] ?? NaN, digits));
}

describe.each(['cpu', 'wasm'] as const)('fused kernels on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a one-unit RNN over x = [1, 2]: h and every gradient of L = h_2, worked by hand', () => {
    // z1 = 0.5 + 0.1 + 0.2 = 0.8, h1 = tanh 0.8; z2 = 1 + 0.3 - h1, h2 = tanh z2; dz2 = 1 - h2^2,
    // dz1 = -dz2 (1 - h1^2); dW_ih = 1 dz1 + 2 dz2, dW_hh = h1 dz2, db = dz1 + dz2, dx_t = 0.5 dz_t.
    const { h, grads } = oneUnit(rnnLayer, [[0.5], [-1], [0.1], [0.2]], [1, 2]);
    expectClose(h, [0.66403677, 0.5621447]);
    const [dx, dWih, dWhh, dbih, dbhh] = grads;
    const dz2 = 1 - 0.5621447 ** 2;
    const dz1 = -dz2 * (1 - 0.66403677 ** 2);
    expectClose(dx ?? [], [0.5 * dz1, 0.5 * dz2]);
    expectClose(dWih ?? [], [0.98559667]);
    expectClose(dWhh ?? [], [0.45419673]);
    expectClose(dbih ?? [], [0.30160333]);
    expectClose(dbhh ?? [], [0.30160333]);
  });

  it('a one-unit LSTM over x = [1, 2]: h and the weight gradients of L = h_2 (float64 by hand)', () => {
    const w = [
      [0.5, -0.3, 0.8, 0.2],
      [0.1, 0.4, -0.6, 0.3],
      [0.05, 0.5, -0.1, 0],
      [0, 0.1, 0.2, -0.05],
    ];
    const { h, grads } = oneUnit(lstmLayer, w, [1, 2]);
    expectClose(h, [0.22860644, 0.43780635]);
    const [, dWih, dWhh, dbih] = grads;
    expectClose(dWih ?? [], [0.12767534, 0.06467236, 0.1213262, 0.35272254]);
    expectClose(dWhh ?? [], [0.01134608, 0.00739226, 0.00783395, 0.03971949]);
    expectClose(dbih ?? [], [0.07804384, 0.03233618, 0.08705791, 0.17897641]);
  });

  describe.each(Object.keys(LAYERS) as (keyof typeof LAYERS)[])('%s', (cell) => {
    const { op, gates } = LAYERS[cell];
    const shapes = [
      { hidden: 1, batch: 1, steps: 1 },
      { hidden: 7, batch: 3, steps: 5 },
      { hidden: 33, batch: 8, steps: 4 },
    ];

    function randomLayer(hidden: number, batch: number, steps: number, seed: number) {
      const rng = new Rng(seed);
      const draw = (shape: number[]) =>
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(-1, 1)),
          shape,
        );
      const g = gates * hidden;
      const inputSize = 3;
      const x = draw([steps * batch, inputSize]) as tf.Tensor2D;
      const w: LayerWeights = {
        wih: draw([inputSize, g]) as tf.Tensor2D,
        whh: draw([hidden, g]) as tf.Tensor2D,
        bih: draw([g]) as tf.Tensor1D,
        bhh: draw([g]) as tf.Tensor1D,
      };
      return { x, w, dispose: () => tf.dispose([x, w.wih, w.whh, w.bih, w.bhh]) };
    }

    it.each([true, false])(
      "returnSequence %s: the fused forward and backward are the unfused ops' to the bit",
      (sequence) => {
        for (const [k, { hidden, batch, steps }] of shapes.entries()) {
          const { x, w, dispose } = randomLayer(hidden, batch, steps, 10 + k);
          const options: LayerOptions = { steps, returnSequence: sequence, inputNeedsGrad: true };
          const rows = (sequence ? steps : 1) * batch;
          const readout = tf.tensor2d(
            Float32Array.from({ length: rows * hidden }, (_, i) => Math.sin(i + 1)),
            [rows, hidden],
          );
          const run = () =>
            tf.tidy(() => {
              const out = op(x, w, options).dataSync();
              // L = sum(out * R): every unit and step enters the backward with its own weight.
              const lossOf = (...a: tf.Tensor[]) =>
                tf.sum(
                  tf.mul(
                    op(a[0] as tf.Tensor2D, { wih: a[1], whh: a[2], bih: a[3], bhh: a[4] } as LayerWeights, options),
                    readout,
                  ),
                ) as tf.Scalar;
              const grads = tf
                .grads(lossOf)([x, w.wih, w.whh, w.bih, w.bhh])
                .map((g) => Array.from(g.dataSync()));
              return { out: Array.from(out), grads };
            });
          const fused = run();
          fusedCells.on = () => false;
          const unfused = run();
          fusedCells.on = onByDefault;
          const where = `${cell} ${hidden} units, batch ${batch}, ${steps} steps`;
          expect(fused.out.length).toBe(rows * hidden);
          expect(fused.out, `${where}: forward`).toEqual(unfused.out);
          fused.grads.forEach((g, i) => expect(g, `${where}: gradient ${i}`).toEqual(unfused.grads[i]));
          readout.dispose();
          dispose();
        }
      },
    );

    it('one kernel forward and one backward at the engine; the ops when the kernels are off; nothing left', async () => {
      const { x, w, dispose } = randomLayer(5, 2, 6, 3);
      const options: LayerOptions = { steps: 6, returnSequence: false, inputNeedsGrad: true };
      const lossOf = (...a: tf.Tensor[]) =>
        tf.sum(
          op(a[0] as tf.Tensor2D, { wih: a[1], whh: a[2], bih: a[3], bhh: a[4] } as LayerWeights, options),
        ) as tf.Scalar;
      const inputs = [x, w.wih, w.whh, w.bih, w.bhh];
      const kernelsOf = async () => {
        const profile = await tf.profile(() => tf.dispose(tf.grads(lossOf)(inputs)));
        return profile.kernelNames;
      };
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const fused = await kernelsOf();
      expect(fused.filter((n) => n.startsWith('GradLab'))).toEqual(KERNEL_NAMES[cell]);
      expect(fused).not.toContain('Sigmoid');
      expect(fused).not.toContain('Tanh');
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds);
      fusedCells.on = () => false;
      const unfused = await kernelsOf();
      expect(unfused.filter((n) => n.startsWith('GradLab'))).toEqual([]);
      expect(unfused).toContain('Tanh');
      expect(tf.memory().numTensors).toBe(tensors);
      dispose();
    });
  });
});
