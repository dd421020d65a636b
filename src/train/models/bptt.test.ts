/**
 * The hand-written backward passes (rnnLayer, lstmLayer, gruLayer) against
 * tfjs's autodiff of the per-step reference model: on the CPU and the WASM
 * backend through the fused kernels (1e-6 and 1e-5 relative to the tensor's
 * norm), and on the CPU through the unfused ops (the path of WebGL and WebGPU,
 * 1e-5), for every parameter gradient and every ||dL/dh_t||. Plus central
 * finite differences on a tiny layer, and no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { MNIST_CLASSES, MNIST_PIXELS, MNIST_STEPS } from '../../experiment/config.ts';
import { Rng } from '../rng.ts';
import { fusedCells } from '../kernels/recurrentKernels.ts';
import { type LayerOptions, type LayerWeights, type RecurrentLayer } from './bptt.ts';
import { gruLayer } from './gruLayer.ts';
import { type HiddenGradSink } from './hiddenGradSink.ts';
import { lstmLayer } from './lstmLayer.ts';
import type { Model } from './model.ts';
import {
  createRecurrentModel,
  recurrentInitialWeights,
  type CellKind,
  type RecurrentBackward,
  type RecurrentOptions,
} from './recurrent.ts';
import { rnnLayer } from './rnnLayer.ts';

const CELLS = ['rnn', 'lstm', 'gru'] as const;
const LAYER_OPS: Record<CellKind, RecurrentLayer> = { rnn: rnnLayer, lstm: lstmLayer, gru: gruLayer };
/** The bar for hand-written vs autodiff gradients, ||a - b|| / ||b|| per tensor: 1e-5, and 1e-6 for the fused CPU kernels. */
const TOLERANCE = 1e-5;
const PATHS = [
  { backend: 'cpu', fused: true, tolerance: 1e-6 },
  { backend: 'wasm', fused: true, tolerance: TOLERANCE },
  { backend: 'cpu', fused: false, tolerance: TOLERANCE },
] as const;
const onByDefault = fusedCells.on;

/** ||a - b|| / ||b||, in float64. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? NaN) - (b[i] ?? NaN);
    diff += d * d;
    norm += (b[i] ?? NaN) ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
}

interface Gradients {
  loss: number;
  params: Float32Array[];
  /** ||dL/dh_t||, layer-major. */
  hidden: Float32Array;
}

/** Loss, parameter gradients and ||dL/dh_t|| the way the trainer takes them (sink or probes). */
async function gradientsOf(model: Model, x: tf.Tensor3D, y: tf.Tensor2D): Promise<Gradients> {
  const variables = model.params.map((p) => p.variable);
  const shape = model.probeShape;
  if (!shape) throw new Error('not a recurrent model');
  const sink = model.hiddenGradSink;
  const out = tf.tidy(() => {
    const probes = sink
      ? []
      : Array.from({ length: shape.layers * shape.steps }, () => tf.zeros([x.shape[0], shape.hidden]));
    sink?.arm();
    const lossOf = (...args: tf.Tensor[]): tf.Scalar =>
      model.loss(args.slice(0, variables.length), x, y, args.slice(variables.length)).loss;
    const { value, grads } = tf.valueAndGrads(lossOf)([...variables, ...probes]);
    const hidden = sink ? sink.take() : tf.stack(grads.slice(variables.length).map((g) => tf.norm(g)));
    return [value, hidden, ...grads.slice(0, variables.length)];
  });
  const [loss, hidden, ...params] = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  if (!loss || !hidden) throw new Error('no loss or hidden norms');
  return { loss: loss[0] ?? NaN, params, hidden };
}

function batchOf(rng: Rng, batch: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const pixels = Float32Array.from({ length: batch * MNIST_STEPS * MNIST_PIXELS }, () => rng.uniform());
  const labels = Int32Array.from({ length: batch }, () => rng.int(MNIST_CLASSES));
  return {
    x: tf.tensor3d(pixels, [batch, MNIST_STEPS, MNIST_PIXELS]),
    y: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), MNIST_CLASSES), 'float32') as tf.Tensor2D),
  };
}

interface Comparison {
  worstParam: number;
  worstHidden: number;
  lossError: number;
}

/** Both implementations on the same weights and batch. */
async function compareBackwards(
  options: Omit<RecurrentOptions, 'backward'>,
  batch: number,
  seed: number,
): Promise<Comparison> {
  const weights = recurrentInitialWeights(new Rng(seed).fork('init'), options);
  const { x, y } = batchOf(new Rng(seed).fork('data'), batch);
  const run = async (backward: RecurrentBackward): Promise<Gradients> => {
    const model = createRecurrentModel({ ...options, backward }, weights);
    try {
      return await gradientsOf(model, x, y);
    } finally {
      model.dispose();
    }
  };
  const ours = await run('bptt');
  const reference = await run('autodiff');
  x.dispose();
  y.dispose();
  const worstParam = Math.max(...reference.params.map((g, i) => relativeError(ours.params[i] ?? [], g)));
  const steps = MNIST_STEPS;
  const worstHidden = Math.max(
    ...Array.from({ length: options.layers }, (_, l) =>
      relativeError(
        ours.hidden.subarray(l * steps, (l + 1) * steps),
        reference.hidden.subarray(l * steps, (l + 1) * steps),
      ),
    ),
  );
  expect(ours.hidden.length).toBe(options.layers * steps);
  return { worstParam, worstHidden, lossError: Math.abs(ours.loss - reference.loss) / Math.abs(reference.loss) };
}

const worstSeen = { param: 0, hidden: 0 };

describe.each(PATHS)('hand-written backward = autodiff, $backend backend, fused kernels: $fused', (path) => {
  const { backend, tolerance } = path;
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    fusedCells.on = path.fused ? onByDefault : () => false;
    worstSeen.param = 0;
    worstSeen.hidden = 0;
  });
  afterAll(async () => {
    fusedCells.on = onByDefault;
    await tf.setBackend('cpu');
    console.log(
      `${backend}, fused ${path.fused}: worst relative error: parameter gradients ${worstSeen.param.toExponential(2)}, ` +
        `||dL/dh_t|| ${worstSeen.hidden.toExponential(2)}`,
    );
  });

  const shapes = [
    { hidden: 1, batch: 1 },
    { hidden: 5, batch: 3 },
    { hidden: 16, batch: 8 },
    { hidden: 33, batch: 2 },
  ];
  describe.each(CELLS)('%s', (cell) => {
    it.each([1, 2])('%i layer(s): every parameter gradient and ||dL/dh_t|| as autodiff', async (layers) => {
      const before = tf.memory().numTensors;
      for (const [k, { hidden, batch }] of shapes.entries()) {
        const init = k % 2 === 0 ? 'torch' : 'keras';
        const result = await compareBackwards({ cell, hidden, layers, init, recScale: 1.3 }, batch, 100 + k);
        const where = `${cell} ${layers}x${hidden}, batch ${batch}, ${init} init`;
        expect(result.lossError, `${where}: loss`).toBeLessThan(1e-6);
        expect(result.worstParam, `${where}: parameter gradients`).toBeLessThan(tolerance);
        expect(result.worstHidden, `${where}: ||dL/dh_t||`).toBeLessThan(tolerance);
        worstSeen.param = Math.max(worstSeen.param, result.worstParam);
        worstSeen.hidden = Math.max(worstSeen.hidden, result.worstHidden);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('an exploding vanilla RNN (recurrent scale 3, 64 units): the same gradients and dL/dh_t', async () => {
    const result = await compareBackwards({ cell: 'rnn', hidden: 64, layers: 1, init: 'torch', recScale: 3 }, 4, 7);
    expect(result.worstParam).toBeLessThan(tolerance);
    expect(result.worstHidden).toBeLessThan(tolerance);
    worstSeen.param = Math.max(worstSeen.param, result.worstParam);
    worstSeen.hidden = Math.max(worstSeen.hidden, result.worstHidden);
  });
});

/** A tiny layer's parameters and input, as float32 arrays we can perturb. */
function tinyLayer(cell: CellKind, inputSize: number, hidden: number, rng: Rng) {
  const g = { rnn: 1, lstm: 4, gru: 3 }[cell] * hidden;
  const draw = (n: number) => Float32Array.from({ length: n }, () => rng.uniformIn(-0.8, 0.8));
  return { wih: draw(inputSize * g), whh: draw(hidden * g), bih: draw(g), bhh: draw(g), g };
}

describe.each(CELLS)('%s layer: central finite differences (CPU, float32)', (cell) => {
  it.each([true, false])('returnSequence %s: every parameter and input derivative', async (returnSequence) => {
    const steps = 4;
    const batch = 2;
    const inputSize = 3;
    const hidden = 2;
    const rng = new Rng(3);
    const p = tinyLayer(cell, inputSize, hidden, rng);
    const values: Float32Array[] = [
      Float32Array.from({ length: steps * batch * inputSize }, () => rng.uniformIn(-1, 1)),
      p.wih,
      p.whh,
      p.bih,
      p.bhh,
    ];
    const shapes = [[steps * batch, inputSize], [inputSize, p.g], [hidden, p.g], [p.g], [p.g]];
    const outRows = returnSequence ? steps * batch : batch;
    const readout = tf.tensor2d(
      Float32Array.from({ length: outRows * hidden }, () => rng.uniformIn(-1, 1)),
      [outRows, hidden],
    );
    const options: LayerOptions = { steps, returnSequence, inputNeedsGrad: true };
    // L = sum(out * R): every output unit and step matters, with different weights.
    const lossOf = (x: tf.Tensor, wih: tf.Tensor, whh: tf.Tensor, bih: tf.Tensor, bhh: tf.Tensor): tf.Scalar => {
      const w: LayerWeights = {
        wih: wih as tf.Tensor2D,
        whh: whh as tf.Tensor2D,
        bih: bih as tf.Tensor1D,
        bhh: bhh as tf.Tensor1D,
      };
      return tf.sum(tf.mul(LAYER_OPS[cell](x as tf.Tensor2D, w, options), readout));
    };
    const tensorsOf = (vals: Float32Array[]) => vals.map((v, i) => tf.tensor(v, shapes[i], 'float32'));
    const evaluate = (vals: Float32Array[]): number =>
      tf.tidy(() => {
        const [x, wih, whh, bih, bhh] = tensorsOf(vals) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return lossOf(x, wih, whh, bih, bhh).dataSync()[0] ?? NaN;
      });
    const analytic = tf.tidy(() => {
      const inputs = tensorsOf(values);
      return tf
        .grads((...args: tf.Tensor[]) => {
          const [x, wih, whh, bih, bhh] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          return lossOf(x, wih, whh, bih, bhh);
        })(inputs)
        .map((g) => g.dataSync());
    });
    const eps = 1e-2;
    const names = ['x', 'W_ih', 'W_hh', 'b_ih', 'b_hh'];
    values.forEach((v, k) => {
      const numeric = Array.from(v, (original, i) => {
        v[i] = original + eps;
        const up = evaluate(values);
        v[i] = original - eps;
        const down = evaluate(values);
        v[i] = original;
        return (up - down) / (2 * eps);
      });
      // Central differences: truncation ~eps^2 and float32 rounding ~1e-7/eps, so 1e-3 is loose for a right
      // formula and tight for a wrong one (those are off by O(1)).
      expect(relativeError(analytic[k] ?? [], numeric), `d L / d ${names[k]}`).toBeLessThan(1e-3);
    });
    readout.dispose();
  });
});

describe('the hidden-gradient sink', () => {
  it('records nothing unless armed, and returns to the starting tensor count', async () => {
    const before = tf.memory().numTensors;
    const options: RecurrentOptions = { cell: 'lstm', hidden: 4, layers: 2, init: 'torch', recScale: 1 };
    const model = createRecurrentModel(options, recurrentInitialWeights(new Rng(1), options));
    const sink = model.hiddenGradSink as HiddenGradSink;
    const { x, y } = batchOf(new Rng(2), 3);
    const variables = model.params.map((p) => p.variable);
    const lossOf = (...args: tf.Tensor[]) => model.loss(args, x, y, []).loss;
    const afterSetup = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      // Not armed: the backward keeps nothing.
      tf.dispose(tf.tidy(() => tf.variableGrads(() => lossOf(...variables), variables).grads));
      expect(tf.memory().numTensors).toBe(afterSetup);
      // Armed: it keeps one [T] tensor per layer until taken.
      sink.arm();
      tf.dispose(tf.tidy(() => tf.variableGrads(() => lossOf(...variables), variables).grads));
      expect(tf.memory().numTensors).toBe(afterSetup + 2);
      const norms = sink.take();
      expect(norms.shape).toEqual([2 * MNIST_STEPS]);
      norms.dispose();
      expect(sink.recording).toBe(false);
      expect(tf.memory().numTensors).toBe(afterSetup);
    }
    // Armed and never taken (a failed step): reset frees it.
    sink.arm();
    tf.dispose(tf.tidy(() => tf.variableGrads(() => lossOf(...variables), variables).grads));
    sink.reset();
    expect(tf.memory().numTensors).toBe(afterSetup);
    x.dispose();
    y.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
