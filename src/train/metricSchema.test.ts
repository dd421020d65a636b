/**
 * The metric registry and what is derived from it: the CSV header pinned by hand for real layouts (an LSTM with
 * b_hh, the dense net), the row under it, the history's schemas, and docs/METRICS.md read cell by cell against
 * the registry's own fields (not against text this module generates).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../cli/nodeData.ts';
import { DEFAULT_CONFIG, type ExperimentConfig } from '../experiment/config.ts';
import { loadTrainingData } from './data/trainingData.ts';
import {
  METRICS,
  RETIRED_COLUMNS,
  appliesToText,
  csvHeader,
  csvRow,
  metricApplies,
  recordSchemas,
  type MetricSpec,
} from './metricSchema.ts';
import type { EvalMetrics, RunLayout, StepMetrics } from './metrics.ts';
import { Run } from './trainer.ts';

/** The layout a real run of this experiment has. */
async function layoutOf(config: ExperimentConfig): Promise<RunLayout> {
  const data = await loadTrainingData(config, nodeDataLoader);
  const run = new Run({ config, side: 'baseline', data });
  const layout = run.layout;
  run.dispose();
  return layout;
}

const LSTM: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  model: 'lstm',
  task: 'adding',
  seqLen: 10,
  hidden: 4,
  layers: 1,
  trainSize: 100,
  testSize: 100,
  batch: 8,
  hiddenGradEvery: 1,
};

const PER_STEP = [
  'step',
  'epoch',
  'batch_loss',
  'batch_accuracy',
  'global_grad_norm_pre',
  'global_grad_norm_post',
  'clip_fraction',
  'clip_scale',
  'clip_cosine',
  'test_accuracy',
  'test_loss',
  'test_solved_fraction',
];

describe('the CSV header, pinned by hand for real layouts', () => {
  it('an LSTM with b_hh: one column per metric, per layer, per parameter and per time step', async () => {
    const layout = await layoutOf(LSTM);
    expect(csvHeader(layout)).toEqual([
      ...PER_STEP,
      'lstm0_grad_norm_pre',
      'lstm0_grad_norm_post',
      'out_grad_norm_pre',
      'out_grad_norm_post',
      'lstm0.W_ih_grad_norm_pre',
      'lstm0.W_ih_grad_norm_post',
      'lstm0.W_ih_norm',
      'lstm0.W_ih_update_ratio',
      'lstm0.W_hh_grad_norm_pre',
      'lstm0.W_hh_grad_norm_post',
      'lstm0.W_hh_norm',
      'lstm0.W_hh_update_ratio',
      'lstm0.b_ih_grad_norm_pre',
      'lstm0.b_ih_grad_norm_post',
      'lstm0.b_ih_norm',
      'lstm0.b_ih_update_ratio',
      'lstm0.b_hh_grad_norm_pre',
      'lstm0.b_hh_grad_norm_post',
      'lstm0.b_hh_norm',
      'lstm0.b_hh_update_ratio',
      'out.weight_grad_norm_pre',
      'out.weight_grad_norm_post',
      'out.weight_norm',
      'out.weight_update_ratio',
      'out.bias_grad_norm_pre',
      'out.bias_grad_norm_post',
      'out.bias_norm',
      'out.bias_update_ratio',
      'lstm0_whh_spectral_norm',
      'lstm0_saturated_fraction',
      'dL_dh_l0_t1',
      'dL_dh_l0_t2',
      'dL_dh_l0_t3',
      'dL_dh_l0_t4',
      'dL_dh_l0_t5',
      'dL_dh_l0_t6',
      'dL_dh_l0_t7',
      'dL_dh_l0_t8',
      'dL_dh_l0_t9',
      'dL_dh_l0_t10',
    ]);
  });

  it('the dense net: the tutorial figure fc1.weight.grad.norm() has one column, no duplicate', async () => {
    const layout = await layoutOf({ ...DEFAULT_CONFIG, data: 'generated', samples: 100, batch: 10 });
    const header = csvHeader(layout);
    expect(header).toEqual([
      ...PER_STEP,
      'fc1_grad_norm_pre',
      'fc1_grad_norm_post',
      'fc2_grad_norm_pre',
      'fc2_grad_norm_post',
      'fc1.weight_grad_norm_pre',
      'fc1.weight_grad_norm_post',
      'fc1.weight_norm',
      'fc1.weight_update_ratio',
      'fc1.bias_grad_norm_pre',
      'fc1.bias_grad_norm_post',
      'fc1.bias_norm',
      'fc1.bias_update_ratio',
      'fc2.weight_grad_norm_pre',
      'fc2.weight_grad_norm_post',
      'fc2.weight_norm',
      'fc2.weight_update_ratio',
      'fc2.bias_grad_norm_pre',
      'fc2.bias_grad_norm_post',
      'fc2.bias_norm',
      'fc2.bias_update_ratio',
    ]);
  });
});

const LAYOUT: RunLayout = {
  params: [
    { name: 'lstm0.W_ih', layer: 'lstm0', size: 32 },
    { name: 'lstm0.W_hh', layer: 'lstm0', size: 64 },
    { name: 'lstm0.b_ih', layer: 'lstm0', size: 16 },
    { name: 'lstm0.b_hh', layer: 'lstm0', size: 16 },
    { name: 'out.weight', layer: 'out', size: 4 },
    { name: 'out.bias', layer: 'out', size: 1 },
  ],
  layers: ['lstm0', 'out'],
  hiddenLayers: 1,
  timeSteps: 2,
  classifier: false,
};

const STEP: StepMetrics = {
  step: 7,
  epoch: 2,
  loss: 0.5,
  accuracy: null,
  globalNormPre: 13,
  globalNormPost: 1,
  clipFraction: 1,
  clipScale: 1 / 13,
  clipCosine: 1,
  gradNormPre: [1, 2, 3, 4, 5, 6],
  gradNormPost: [11, 12, 13, 14, 15, 16],
  weightNorm: [21, 22, 23, 24, 25, 26],
  updateRatio: [31, 32, 33, 34, 35, 36],
  layerNormPre: [41, 42],
  layerNormPost: [51, 52],
  hiddenGradNorms: [0.5, 2],
  spectralNorm: [1.25],
  saturation: [0.375],
};

describe('a CSV row', () => {
  it('writes each figure under its own column', () => {
    const header = csvHeader(LAYOUT);
    const row = csvRow(LAYOUT, STEP);
    expect(row).toHaveLength(header.length);
    const value = (column: string) => row[header.indexOf(column)];
    expect(value('batch_loss')).toBe(0.5);
    expect(value('batch_accuracy')).toBe('');
    expect(value('clip_scale')).toBe(1 / 13);
    expect(value('lstm0_grad_norm_pre')).toBe(41);
    expect(value('out_grad_norm_post')).toBe(52);
    expect(value('lstm0.b_hh_grad_norm_pre')).toBe(4);
    expect(value('lstm0.b_hh_grad_norm_post')).toBe(14);
    expect(value('lstm0.b_hh_norm')).toBe(24);
    expect(value('out.bias_update_ratio')).toBe(36);
    expect(value('lstm0_whh_spectral_norm')).toBe(1.25);
    expect(value('lstm0_saturated_fraction')).toBe(0.375);
    expect(value('dL_dh_l0_t1')).toBe(0.5);
    expect(value('dL_dh_l0_t2')).toBe(2);
    expect(value('test_accuracy')).toBe('');
    expect(value('test_loss')).toBe('');
  });

  it('two recurrent layers: per-layer figures in layer order, dL/dh_t layer-major (layer 0: t = 1..T, then 1)', () => {
    const layout: RunLayout = {
      params: [
        { name: 'gru0.W_hh', layer: 'gru0', size: 4 },
        { name: 'gru1.W_hh', layer: 'gru1', size: 4 },
        { name: 'out.weight', layer: 'out', size: 2 },
      ],
      layers: ['gru0', 'gru1', 'out'],
      hiddenLayers: 2,
      timeSteps: 2,
      classifier: true,
    };
    const step: StepMetrics = {
      ...STEP,
      accuracy: 0.25,
      gradNormPre: [1, 2, 3],
      gradNormPost: [1, 2, 3],
      weightNorm: [1, 2, 3],
      updateRatio: [1, 2, 3],
      layerNormPre: [61, 62, 63],
      layerNormPost: [71, 72, 73],
      hiddenGradNorms: [1, 2, 3, 4],
      spectralNorm: [0.5, 1.5],
      saturation: [0.25, 0.75],
    };
    const header = csvHeader(layout);
    const row = csvRow(layout, step);
    expect(header.slice(-8)).toEqual([
      'gru0_whh_spectral_norm',
      'gru0_saturated_fraction',
      'gru1_whh_spectral_norm',
      'gru1_saturated_fraction',
      'dL_dh_l0_t1',
      'dL_dh_l0_t2',
      'dL_dh_l1_t1',
      'dL_dh_l1_t2',
    ]);
    expect(row.slice(-8)).toEqual([0.5, 0.25, 1.5, 0.75, 1, 2, 3, 4]);
    expect(row[header.indexOf('gru1_grad_norm_post')]).toBe(72);
    expect(row[header.indexOf('batch_accuracy')]).toBe(0.25);
  });

  it('fills the evaluation columns only on an evaluated step', () => {
    const header = csvHeader(LAYOUT);
    const evaluation: EvalMetrics = { step: 7, testAccuracy: 0.9, testLoss: 0.3, examples: 1000 };
    const row = csvRow(LAYOUT, STEP, evaluation);
    expect(row[header.indexOf('test_accuracy')]).toBe(0.9);
    expect(row[header.indexOf('test_loss')]).toBe(0.3);
    expect(row[header.indexOf('test_solved_fraction')]).toBe('');
    const adding = csvRow(LAYOUT, STEP, { step: 7, testAccuracy: null, testLoss: 0.05, testSolved: 0.75, examples: 8 });
    expect(row).toHaveLength(header.length);
    expect(adding[header.indexOf('test_solved_fraction')]).toBe(0.75);
    expect(adding[header.indexOf('test_accuracy')]).toBe('');
  });

  it('leaves a cell empty, not the row shifted, when a figure is missing', () => {
    const { spectralNorm, saturation, clipCosine, ...older } = STEP;
    expect([spectralNorm, saturation, clipCosine]).toEqual([[1.25], [0.375], 1]);
    const row = csvRow(LAYOUT, { ...older, hiddenGradNorms: null });
    const header = csvHeader(LAYOUT);
    expect(row).toHaveLength(header.length);
    expect(row.slice(-4)).toEqual(['', '', '', '']);
    expect(row[header.indexOf('clip_cosine')]).toBe('');
  });
});

describe("the history's schemas, derived from the registry", () => {
  const { step: stepRecordSchema, evaluation: evalRecordSchema } = recordSchemas();

  it('are made once, on first use', () => {
    expect(recordSchemas()).toBe(recordSchemas());
  });

  it('accept a step record, with or without the optional figures, and refuse one missing a figure', () => {
    expect(stepRecordSchema.safeParse(STEP).success).toBe(true);
    const { spectralNorm, saturation, clipCosine, ...older } = STEP;
    expect([spectralNorm, saturation, clipCosine]).toHaveLength(3);
    expect(stepRecordSchema.safeParse(older).success).toBe(true);
    expect(stepRecordSchema.safeParse({ ...STEP, loss: NaN, globalNormPre: Infinity }).success).toBe(true);
    const { updateRatio, ...withoutRatio } = STEP;
    expect(updateRatio).toHaveLength(6);
    expect(stepRecordSchema.safeParse(withoutRatio).success).toBe(false);
    expect(stepRecordSchema.safeParse({ ...STEP, hiddenGradNorms: undefined }).success).toBe(false);
    expect(stepRecordSchema.safeParse({ ...STEP, step: 0 }).success).toBe(false);
    expect(stepRecordSchema.safeParse({ ...STEP, accuracy: 'high' }).success).toBe(false);
  });

  it('accept an adding-problem evaluation (no accuracy) and refuse one without its loss', () => {
    expect(evalRecordSchema.safeParse({ step: 5, testAccuracy: null, testLoss: 0.2, examples: 100 }).success).toBe(
      true,
    );
    expect(evalRecordSchema.safeParse({ step: 5, testAccuracy: 0.5, examples: 100 }).success).toBe(false);
    // With the fraction solved, and without it (runs stored before it was measured).
    const solved = { step: 5, testAccuracy: null, testLoss: 0.2, testSolved: 0.5, examples: 100 };
    expect(evalRecordSchema.safeParse(solved).success).toBe(true);
    expect(evalRecordSchema.safeParse({ ...solved, testSolved: null }).success).toBe(true);
    expect(evalRecordSchema.safeParse({ ...solved, testSolved: 'half' }).success).toBe(false);
  });
});

/** The rows of the markdown table whose first cell is a code span, split on unescaped pipes. */
function tableRows(doc: string): string[][] {
  return doc
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((cell) => cell.replace(/\\\|/g, '|')),
    );
}

describe('docs/METRICS.md', () => {
  const doc = readFileSync(new URL('../../docs/METRICS.md', import.meta.url), 'utf8');
  const rows = tableRows(doc);

  it('has one row per metric with its unit, shape, scope, sentence and method, word for word', () => {
    const specs = Object.values(METRICS) as MetricSpec[];
    const metricRows = rows.filter((r) => r.length === 6);
    expect(metricRows.map((r) => r[0])).toEqual(specs.map((s) => `\`${s.column}\``));
    metricRows.forEach((row, i) => {
      const spec = specs[i] as MetricSpec;
      expect(row, spec.column).toEqual([
        `\`${spec.column}\``,
        spec.unit,
        spec.shape,
        appliesToText(spec),
        spec.meaning,
        spec.computed,
      ]);
    });
  });

  it('names every retired column and what holds its figure now', () => {
    const retiredRows = rows.filter((r) => r.length === 2);
    expect(retiredRows).toEqual(RETIRED_COLUMNS.map((r) => [`\`${r.column}\``, r.now]));
    expect(doc).toContain('fc1.weight.grad.norm()');
  });
});

describe('the sentences', () => {
  const specs = Object.entries(METRICS) as [string, MetricSpec][];

  it('every metric has a unit, a method and a sentence that ends', () => {
    for (const [id, spec] of specs) {
      expect(spec.unit.length, id).toBeGreaterThan(0);
      expect(spec.meaning, id).toMatch(/^\S.{20,}\.$/s);
      expect(spec.computed, id).toMatch(/^\S.{10,}\.$/s);
    }
  });

  it("state the plain RNN's maths only as the plain RNN's where LSTM and GRU read them too", () => {
    const rnnOnly = /can only shrink|tanh\(z\)|diag\(tanh|passes almost no gradient/;
    for (const [id, spec] of specs) {
      if (!spec.models.includes('lstm') && !spec.models.includes('gru')) continue;
      for (const sentence of spec.meaning.split(/(?<=\.) /)) {
        if (rnnOnly.test(sentence)) expect(sentence, id).toMatch(/plain RNN/);
      }
    }
  });

  it('quote 28 time steps only as MNIST\u2019s, never for the adding problem', () => {
    for (const [id, spec] of specs) {
      for (const sentence of spec.meaning.split(/(?<=\.) /)) {
        if (/\b28\b/.test(sentence)) expect(sentence, id).toMatch(/28 for MNIST/);
      }
    }
  });

  it('say where each metric applies', () => {
    const dense = { model: 'dense', task: 'regression', clipMode: 'value' } as const;
    const lstmAdding = { model: 'lstm', task: 'adding', clipMode: 'global' } as const;
    expect(metricApplies('spectralNorm', dense)).toBe(false);
    expect(metricApplies('spectralNorm', lstmAdding)).toBe(true);
    expect(metricApplies('accuracy', lstmAdding)).toBe(false);
    expect(metricApplies('accuracy', { ...lstmAdding, task: 'mnist' })).toBe(true);
    expect(metricApplies('testLoss', dense)).toBe(false);
    expect(metricApplies('testSolved', lstmAdding)).toBe(true);
    expect(metricApplies('testSolved', { ...lstmAdding, task: 'mnist' })).toBe(false);
    expect(appliesToText(METRICS.testSolved)).toBe('rnn, lstm, gru; adding');
    expect(metricApplies('updateRatio', dense)).toBe(true);
    expect(appliesToText(METRICS.accuracy)).toBe('rnn, lstm, gru; mnist');
    expect(appliesToText(METRICS.loss)).toBe('all');
  });
});
