/**
 * An independent check of the step record. For real `Run` steps (the dense net, an RNN, an LSTM and a GRU with
 * b_hh, under every clip mode), the gradients are computed again here with tf.grads on the same weights and
 * batch (the recurrent nets through the autodiff reference model, not the hand-written backward the run uses),
 * read out as arrays, clipped with plain arithmetic in double precision, and every figure the step reports is
 * compared with what those arrays say: per-parameter, per-layer and global norms before and after clipping,
 * the clip fraction, scale and cosine, the weight norm before the update, the update ratio (from the weights
 * read before and after the step), the loss, the batch accuracy and ||W_hh||_2 after the update (exact SVD).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../../src/cli/nodeData.ts';
import {
  DEFAULT_CONFIG,
  NO_CLIP,
  REGRESSION_FEATURES,
  type ClipConfig,
  type ExperimentConfig,
} from '../../src/experiment/config.ts';
import { BatchOrder } from '../../src/train/batchOrder.ts';
import { loadTrainingData, makeBatch, trainRows, type TrainingData } from '../../src/train/data/trainingData.ts';
import { UPDATE_RATIO_FLOOR } from '../../src/train/metricSchema.ts';
import type { StepMetrics } from '../../src/train/metrics.ts';
import { createDenseModel } from '../../src/train/models/dense.ts';
import type { InitialWeights, Model } from '../../src/train/models/model.ts';
import { createRecurrentModel } from '../../src/train/models/recurrent.ts';
import { Run, initialWeightsFor, sequenceShapeFor } from '../../src/train/trainer.ts';
import { exactSpectralNorm } from '../support/exactSvd.ts';

// ---- plain arithmetic, double precision ----

const sumSquares = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x * x, 0);
const norm = (xs: ArrayLike<number>) => Math.sqrt(sumSquares(xs));
const normOfAll = (tensors: ArrayLike<number>[]) => Math.sqrt(tensors.reduce((s, t) => s + sumSquares(t), 0));

interface PlainClip {
  grads: number[][];
  fraction: number;
  scale: number;
}

/** Each clip mode's formula, written again from its definition (torch / tf), on plain arrays. */
function clipPlain(raw: number[][], clip: ClipConfig): PlainClip {
  const total = raw.reduce((n, g) => n + g.length, 0);
  switch (clip.mode) {
    case 'none':
      return { grads: raw, fraction: 0, scale: 1 };
    case 'value': {
      const grads = raw.map((g) => g.map((x) => Math.min(Math.max(x, clip.min), clip.max)));
      const outside = raw.flat().filter((x) => x < clip.min || x > clip.max).length;
      return { grads, fraction: outside / total, scale: normOfAll(grads) / normOfAll(raw) };
    }
    case 'norm': {
      const factors = raw.map((g) => clip.threshold / Math.max(norm(g), clip.threshold));
      const changed = raw.filter((g) => norm(g) > clip.threshold).reduce((n, g) => n + g.length, 0);
      return {
        grads: raw.map((g, i) => g.map((x) => x * (factors[i] ?? NaN))),
        fraction: changed / total,
        scale: Math.min(...factors),
      };
    }
    case 'global': {
      const size = clip.normType === 'inf' ? Math.max(...raw.flat().map(Math.abs)) : normOfAll(raw);
      const coef = Math.min(1, clip.threshold / (size + 1e-6));
      return { grads: raw.map((g) => g.map((x) => x * coef)), fraction: coef < 1 ? 1 : 0, scale: coef };
    }
    case 'global-tf': {
      const size = normOfAll(raw);
      const scale = clip.threshold * Math.min(1 / size, 1 / clip.threshold);
      return { grads: raw.map((g) => g.map((x) => x * scale)), fraction: size > clip.threshold ? 1 : 0, scale };
    }
  }
}

/** |a - b| within `rel` of the larger, or within `abs`. */
function expectNear(actual: number | undefined, expected: number, rel: number, what: string, abs = 0): void {
  expect(actual, what).toBeTypeOf('number');
  const a = actual ?? NaN;
  const limit = Math.max(rel * Math.max(Math.abs(a), Math.abs(expected)), abs);
  if (!(Math.abs(a - expected) <= limit)) expect.fail(`${what}: reported ${a}, recomputed ${expected}`);
}

// ---- the reference gradients ----

function referenceModel(config: ExperimentConfig, weights: InitialWeights): Model {
  if (config.model === 'dense')
    return createDenseModel({ features: REGRESSION_FEATURES, hidden: config.hidden, loss: config.loss }, weights);
  const { hidden, layers, init, recScale } = config;
  return createRecurrentModel(
    { cell: config.model, hidden, layers, init, recScale, backward: 'autodiff', sequence: sequenceShapeFor(config) },
    weights,
  );
}

interface Reference {
  loss: number;
  /** Rows whose largest logit is the label; null without logits. */
  correct: number | null;
  grads: number[][];
}

/** Loss and raw gradients of `weights` on the rows at `indices`, by tf.grads, read out as arrays. */
async function referenceStep(
  config: ExperimentConfig,
  weights: InitialWeights,
  data: TrainingData,
  indices: number[],
): Promise<Reference> {
  const model = referenceModel(config, weights);
  const batch = makeBatch(data, indices);
  const variables = model.params.map((p) => p.variable);
  const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => model.loss(values, batch.x, batch.y, []).loss)(
    variables,
  );
  let correct: number | null = null;
  const forward: { loss: tf.Tensor; logits?: tf.Tensor } = tf.tidy(() => {
    const out = model.loss(variables, batch.x, batch.y, []);
    return out.logits ? { loss: out.loss, logits: out.logits } : { loss: out.loss };
  });
  if (forward.logits) {
    const [scores, labels] = [(await forward.logits.array()) as number[][], (await batch.y.array()) as number[][]];
    const argmax = (row: number[]) => row.indexOf(Math.max(...row));
    correct = scores.filter((row, b) => argmax(row) === argmax(labels[b] ?? [])).length;
  }
  [forward.loss, forward.logits].forEach((t) => t?.dispose());
  const result = {
    loss: (await value.data())[0] ?? NaN,
    correct,
    grads: await Promise.all(grads.map(async (g) => Array.from(await g.data()))),
  };
  [value, ...grads, batch.x, batch.y].forEach((t) => t.dispose());
  model.dispose();
  return result;
}

// ---- the cases ----

const DENSE: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  model: 'dense',
  hidden: 8,
  data: 'generated',
  samples: 64,
  batch: 16,
  optimizer: 'sgd',
  lr: 0.01,
  momentum: 0.5,
};
const RECURRENT: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  hidden: 6,
  layers: 1,
  task: 'adding',
  seqLen: 10,
  trainSize: 100,
  testSize: 100,
  batch: 8,
  optimizer: 'adam',
  lr: 0.01,
  hiddenGradEvery: 1,
};
const MODELS: Record<string, ExperimentConfig> = {
  dense: DENSE,
  rnn: { ...RECURRENT, model: 'rnn', init: 'torch', optimizer: 'sgd', lr: 0.05, momentum: 0.9 },
  // Keras initialisers: b_ih and b_hh start at 0 (the forget gate's b_ih at 1), the case of an update ratio over 0.
  lstm: { ...RECURRENT, model: 'lstm', init: 'keras', optimizer: 'adam-keras', lr: 0.001 },
  // On MNIST: cross-entropy and a batch accuracy to check; two layers, so W_hh of both. Torch's uniform
  // initialisers give W_hh a gap between its top singular values, where 30 first rounds converge and 2 do not.
  gru: { ...RECURRENT, model: 'gru', init: 'torch', layers: 2, task: 'mnist', trainSize: 100, testSize: 100 },
};

type ClipCase = 'none' | 'value' | 'norm' | 'global' | 'global inf' | 'global-tf';
const CLIP_CASES: ClipCase[] = ['none', 'value', 'norm', 'global', 'global inf', 'global-tf'];

/**
 * A clipping that acts on this model's first gradients without sitting on a boundary: value bounds inside the
 * spread of the elements, a per-tensor threshold between two tensors' norms (so some are cut, some not), global
 * thresholds at half the gradient's size.
 */
function clipFor(kind: ClipCase, raw: number[][]): ClipConfig {
  const all = raw.flat().map(Math.abs);
  switch (kind) {
    case 'none':
      return NO_CLIP;
    case 'value': {
      const bound = [...all].sort((a, b) => a - b)[Math.floor(all.length * 0.8)] ?? 1;
      return { ...NO_CLIP, mode: 'value', min: -bound, max: bound };
    }
    case 'norm': {
      const norms = raw.map(norm).sort((a, b) => a - b);
      const k = Math.floor(norms.length / 2);
      return { ...NO_CLIP, mode: 'norm', threshold: Math.sqrt((norms[k - 1] ?? 1) * (norms[k] ?? 1)) };
    }
    case 'global':
      return { ...NO_CLIP, mode: 'global', threshold: normOfAll(raw) / 2 };
    case 'global inf':
      return { ...NO_CLIP, mode: 'global', normType: 'inf', threshold: Math.max(...all) / 2 };
    case 'global-tf':
      return { ...NO_CLIP, mode: 'global-tf', threshold: normOfAll(raw) / 2 };
  }
}

/** Float32 against double: the autodiff reference sums in another order than the hand-written backward. */
const REL = 2e-4;

/** Runs two steps and checks every figure of each against the recomputation; returns the records. */
async function checkSteps(base: ExperimentConfig, kind: ClipCase): Promise<StepMetrics[]> {
  const data = await loadTrainingData(base, nodeDataLoader);
  const order = new BatchOrder(base.seed, trainRows(data), base.batch);
  const start = initialWeightsFor(base);
  const first = order.next(0).indices;
  const clip = clipFor(kind, (await referenceStep(base, start, data, first)).grads);
  const config: ExperimentConfig = { ...base, clip, steps: 2 };
  const replay = new BatchOrder(config.seed, trainRows(data), config.batch);

  const tensorsBefore = tf.memory().numTensors;
  const run = new Run({ config, side: 'clipped', data });
  const { layout } = run;
  const records: StepMetrics[] = [];
  for (let s = 0; s < 2; s++) {
    const before = await run.weights();
    const { indices } = replay.next(s);
    const ref = await referenceStep(config, before, data, indices);
    const clipped = clipPlain(ref.grads, clip);
    const inStep = tf.memory().numTensors;
    const m = await run.trainStep();
    // The first step creates the optimiser's state; after that a step leaves no tensor behind.
    if (s > 0) expect(tf.memory().numTensors, 'tensors after a step').toBe(inStep);
    const after = await run.weights();
    records.push(m);
    const at = `${config.model} ${kind} step ${m.step}`;

    expect(m.step).toBe(s + 1);
    expectNear(m.loss, ref.loss, 1e-5, `${at} loss`);
    if (ref.correct === null) expect(m.accuracy, `${at} accuracy`).toBeNull();
    else expect(m.accuracy, `${at} accuracy`).toBe(ref.correct / indices.length);

    const global = normOfAll(ref.grads);
    // A per-parameter figure far below the global norm is float32 noise at that scale.
    const floor = global * 1e-6;
    layout.params.forEach((p, i) => {
      const w = before[p.name] ?? new Float32Array();
      expectNear(m.gradNormPre[i], norm(ref.grads[i] ?? []), REL, `${at} ${p.name} grad norm pre`, floor);
      expectNear(m.gradNormPost[i], norm(clipped.grads[i] ?? []), REL, `${at} ${p.name} grad norm post`, floor);
      expectNear(m.weightNorm[i], norm(w), 1e-6, `${at} ${p.name} weight norm before the update`);
      const moved = norm(Array.from(after[p.name] ?? [], (x, k) => x - (w[k] ?? NaN)));
      const ratio = m.updateRatio[i];
      expect(Number.isFinite(ratio), `${at} ${p.name} update ratio is finite`).toBe(true);
      expectNear(ratio, moved / Math.max(norm(w), UPDATE_RATIO_FLOOR), 2e-3, `${at} ${p.name} update ratio`);
    });
    layout.layers.forEach((layer, l) => {
      const of = (grads: number[][]) => normOfAll(grads.filter((_, i) => layout.params[i]?.layer === layer));
      expectNear(m.layerNormPre[l], of(ref.grads), REL, `${at} ${layer} grad norm pre`, floor);
      expectNear(m.layerNormPost[l], of(clipped.grads), REL, `${at} ${layer} grad norm post`, floor);
    });
    expectNear(m.globalNormPre, global, REL, `${at} global norm pre`);
    expectNear(m.globalNormPost, normOfAll(clipped.grads), REL, `${at} global norm post`);
    expect(m.clipFraction, `${at} clip fraction`).toBeCloseTo(clipped.fraction, 6);
    expectNear(m.clipScale, clipped.scale, REL, `${at} clip scale`);
    const dot = ref.grads.reduce((s, g, i) => s + g.reduce((t, x, k) => t + x * (clipped.grads[i]?.[k] ?? NaN), 0), 0);
    expectNear(m.clipCosine, dot / (global * normOfAll(clipped.grads)), REL, `${at} clip cosine`);

    if (config.model === 'dense') {
      expect(Object.keys(m).sort(), `${at} fields`).toEqual([
        'accuracy',
        'clipCosine',
        'clipFraction',
        'clipScale',
        'epoch',
        'globalNormPost',
        'globalNormPre',
        'gradNormPost',
        'gradNormPre',
        'hiddenGradNorms',
        'layerNormPost',
        'layerNormPre',
        'loss',
        'step',
        'updateRatio',
        'weightNorm',
      ]);
      expect(m.hiddenGradNorms).toBeNull();
    } else {
      expect(m.hiddenGradNorms, `${at} dL/dh_t`).toHaveLength(layout.hiddenLayers * layout.timeSteps);
      expect(m.saturation, `${at} saturation`).toHaveLength(config.layers);
      expect(m.spectralNorm, `${at} spectral norm`).toHaveLength(config.layers);
      for (let l = 0; l < config.layers; l++) {
        const whh = after[`${layout.layers[l]}.W_hh`] ?? new Float32Array();
        const cols = whh.length / config.hidden;
        const rows = Array.from({ length: config.hidden }, (_, r) =>
          Array.from(whh.subarray(r * cols, (r + 1) * cols)),
        );
        // An estimate from below: within 1% after the first step's 30 rounds; after that, 2 rounds a step from
        // the last vector, within 5% (Keras's orthogonal start has all its singular values at 1, a slow cluster).
        const exact = exactSpectralNorm(rows);
        const what = `${at} ${layout.layers[l]} ||W_hh||_2`;
        expectNear(m.spectralNorm?.[l], exact, s === 0 ? 1e-2 : 5e-2, what);
        expect(m.spectralNorm?.[l], `${what} from below`).toBeLessThanOrEqual(exact * (1 + 1e-5));
      }
    }
  }
  run.dispose();
  expect(tf.memory().numTensors, 'tensors after the run is disposed').toBe(tensorsBefore);
  return records;
}

describe('the step record, recomputed from the raw and clipped gradients', () => {
  for (const [model, config] of Object.entries(MODELS)) {
    it.each(CLIP_CASES)(
      `${model}, clip %s: every norm, the clip figures, weight norms and update ratios`,
      async (kind) => {
        const records = await checkSteps(config, kind);
        // The cases are chosen so clipping acts: post differs from pre where it should.
        const [m] = records;
        if (kind === 'none') expect(m?.globalNormPost).toBe(m?.globalNormPre);
        else expect(m?.globalNormPost ?? NaN).toBeLessThan(m?.globalNormPre ?? NaN);
        if (kind === 'norm') {
          const cut = m?.gradNormPre.filter((n, i) => n !== m.gradNormPost[i]).length ?? 0;
          expect(cut, 'per-tensor clipping cuts some tensors and leaves others').toBeGreaterThan(0);
          expect(cut).toBeLessThan(m?.gradNormPre.length ?? 0);
        }
      },
    );
  }

  it('the first update ratio of a parameter that starts at zero is finite: ||update|| / 1e-8', async () => {
    const [m] = await checkSteps(MODELS.lstm as ExperimentConfig, 'none');
    const lstm = MODELS.lstm as ExperimentConfig;
    const data = await loadTrainingData(lstm, nodeDataLoader);
    const run = new Run({ config: lstm, side: 'clipped', data });
    const names = run.layout.params.map((p) => p.name);
    run.dispose();
    for (const name of ['lstm0.b_hh', 'out.bias']) {
      const i = names.indexOf(name);
      expect(m?.weightNorm[i], `${name} starts at zero`).toBe(0);
      expect(m?.updateRatio[i], name).toBeGreaterThan(1e3);
      expect(Number.isFinite(m?.updateRatio[i]), name).toBe(true);
    }
  });
});

describe('||W_hh||_2 at 1e20 scale', () => {
  it('an LSTM whose W_hh is scaled by 1e20 reports it finite and right after the update, never 0', async () => {
    const config: ExperimentConfig = { ...(MODELS.lstm as ExperimentConfig), steps: 1, hiddenGradEvery: 0 };
    const data = await loadTrainingData(config, nodeDataLoader);
    const weights = initialWeightsFor(config);
    const whh = weights['lstm0.W_hh'] ?? new Float32Array();
    weights['lstm0.W_hh'] = whh.map((x) => x * 1e20);
    const run = new Run({ config, side: 'clipped', data, initialWeights: weights });
    const m = await run.trainStep();
    const after = (await run.weights())['lstm0.W_hh'] ?? new Float32Array();
    run.dispose();
    const cols = after.length / config.hidden;
    // The exact method's tolerances are absolute: it reads the matrix scaled back by 1e-20.
    const rows = Array.from({ length: config.hidden }, (_, r) =>
      Array.from(after.subarray(r * cols, (r + 1) * cols), (x) => x * 1e-20),
    );
    const exact = exactSpectralNorm(rows) * 1e20;
    expect(exact).toBeGreaterThan(1e19);
    const [sigma] = m.spectralNorm ?? [];
    expect(Number.isFinite(sigma)).toBe(true);
    expectNear(sigma, exact, 1e-2, '||W_hh||_2 at 1e20');
  });
});
