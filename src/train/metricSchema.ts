/**
 * Every figure the lab records, described once: its CSV column, its unit, its
 * shape and what it means in a sentence. The CSV header and rows, the series
 * the charts draw and docs/METRICS.md (checked by a test) are all written from
 * this list, so a column cannot be named one way in one place and another way
 * in the next.
 */
import { layerWeightNorms, type EvalMetrics, type RunLayout, type StepMetrics } from './metrics.ts';

/** How many values a metric has per step: one, one per layer, per parameter, or per layer and time step. */
export type MetricShape = 'step' | 'layer' | 'parameter' | 'recurrent layer' | 'layer x time step' | 'evaluation';

export interface MetricSpec {
  /**
   * The CSV column. Per-layer columns put the layer's name where `{layer}` is (e.g. `fc1`, `lstm0`,
   * `out`), per-parameter ones the parameter's (`fc1.weight`, `lstm0.W_hh`), and the
   * per-time-step ones the layer's index and the time step (`dL_dh_l0_t28`).
   */
  column: string;
  unit: string;
  shape: MetricShape;
  meaning: string;
}

export const METRICS = {
  step: { column: 'step', unit: 'count', shape: 'step', meaning: 'The step number, from 1.' },
  epoch: {
    column: 'epoch',
    unit: 'count',
    shape: 'step',
    meaning: 'The epoch the step belongs to, from 1 (one epoch is one pass over the training rows).',
  },
  loss: {
    column: 'batch_loss',
    unit: 'loss',
    shape: 'step',
    meaning:
      "The training loss on this step's batch, before the update: mean squared error for the dense net and " +
      'the adding problem, cross-entropy for the digit classifiers.',
  },
  accuracy: {
    column: 'batch_accuracy',
    unit: 'fraction',
    shape: 'step',
    meaning: "Classifiers: the fraction of this step's batch classified right, before the update; empty otherwise.",
  },
  globalNormPre: {
    column: 'global_grad_norm_pre',
    unit: 'L2 norm',
    shape: 'step',
    meaning: 'The L2 norm of all gradients together (every weight and bias), before clipping.',
  },
  globalNormPost: {
    column: 'global_grad_norm_post',
    unit: 'L2 norm',
    shape: 'step',
    meaning: 'The same after clipping: the gradient the optimiser was given.',
  },
  clipFraction: {
    column: 'clip_fraction',
    unit: 'fraction',
    shape: 'step',
    meaning:
      'The fraction of gradient elements clipping changed (by value: the elements outside the bounds; ' +
      'norm modes: all elements of every tensor it rescaled). 0 when clipping did not act.',
  },
  clipScale: {
    column: 'clip_scale',
    unit: 'factor',
    shape: 'step',
    meaning:
      'The factor clipping applied: the one scale of global-norm modes, the smallest tensor factor of ' +
      'per-tensor norm clipping, ||clipped|| / ||raw|| for clipping by value; 1 when it did not act.',
  },
  clipCosine: {
    column: 'clip_cosine',
    unit: 'cosine',
    shape: 'step',
    meaning:
      'cos(g, clipped g) over every parameter: the direction of the step taken against the one the gradient ' +
      'asked for. 1: the same direction (no clipping, or a global-norm mode, which only shortens the step); ' +
      'below 1: clipping by value or per-tensor norm turned it.',
  },
  layerNormPre: {
    column: '{layer}_grad_norm_pre',
    unit: 'L2 norm',
    shape: 'layer',
    meaning: "The L2 norm of the layer's gradients, weights and biases together, before clipping.",
  },
  layerNormPost: {
    column: '{layer}_grad_norm_post',
    unit: 'L2 norm',
    shape: 'layer',
    meaning: "The L2 norm of the layer's gradients, weights and biases together, after clipping.",
  },
  layerWeightNormPre: {
    column: '{layer}_weight_grad_norm_pre',
    unit: 'L2 norm',
    shape: 'layer',
    meaning:
      "The L2 norm of the gradient of the layer's weight matrices only (no biases), before clipping: " +
      "the tutorial's `fc1.weight.grad.norm()` read before clipping.",
  },
  layerWeightNormPost: {
    column: '{layer}_weight_grad_norm_post',
    unit: 'L2 norm',
    shape: 'layer',
    meaning:
      "The L2 norm of the gradient of the layer's weight matrices only, after clipping: the figure the " +
      'tutorial records and plots.',
  },
  gradNormPre: {
    column: '{param}_grad_norm_pre',
    unit: 'L2 norm',
    shape: 'parameter',
    meaning: "The L2 norm of one parameter tensor's gradient, before clipping.",
  },
  gradNormPost: {
    column: '{param}_grad_norm_post',
    unit: 'L2 norm',
    shape: 'parameter',
    meaning: "The L2 norm of one parameter tensor's gradient, after clipping.",
  },
  weightNorm: {
    column: '{param}_norm',
    unit: 'L2 norm',
    shape: 'parameter',
    meaning: "The L2 norm of the parameter's values before this step's update.",
  },
  updateRatio: {
    column: '{param}_update_ratio',
    unit: 'ratio',
    shape: 'parameter',
    meaning: '||update|| / ||parameter||: how far this step moved the parameter, relative to its size.',
  },
  spectralNorm: {
    column: '{layer}_whh_spectral_norm',
    unit: 'operator norm',
    shape: 'recurrent layer',
    meaning:
      "Recurrent nets: the largest singular value of the layer's recurrent matrix W_hh after this step's " +
      'update, estimated by a few rounds of power iteration a step (from below: within a few percent when ' +
      'the top singular values are close). Backpropagation through time multiplies by W_hh once a step: ' +
      'above 1 the gradient to early steps can grow, below 1 it can only shrink.',
  },
  saturation: {
    column: '{layer}_saturated_fraction',
    unit: 'fraction',
    shape: 'recurrent layer',
    meaning:
      "Recurrent nets: the fraction of the layer's hidden values with |h| > 0.99 over the batch and every " +
      'time step, before the update. A saturated tanh passes almost no gradient.',
  },
  hiddenGradNorms: {
    column: 'dL_dh_l{l}_t{t}',
    unit: 'L2 norm',
    shape: 'layer x time step',
    meaning:
      "Recurrent nets: ||dL/dh_t||, the gradient of the loss with respect to layer l's hidden state at " +
      'time step t (1 to T: 28 for MNIST, the sequence length for the adding problem), over the whole batch; ' +
      'empty on steps where it was not measured.',
  },
  testAccuracy: {
    column: 'test_accuracy',
    unit: 'fraction',
    shape: 'evaluation',
    meaning:
      'Classifiers: the fraction of the held-out test digits classified right after this step; filled ' +
      'only on the steps where the run was evaluated, empty on the others and for the adding problem.',
  },
  testLoss: {
    column: 'test_loss',
    unit: 'loss',
    shape: 'evaluation',
    meaning:
      'Recurrent nets, on the steps where the run was evaluated: the mean cross-entropy on the held-out test ' +
      "digits, or the adding problem's mean squared error on its held-out test sequences (always answering 1 " +
      'scores 1/6, about 0.167).',
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricId = keyof typeof METRICS;

/** A per-layer or per-parameter column for one layer or parameter. */
export function columnFor(id: MetricId, name: string): string {
  return METRICS[id].column.replace('{layer}', name).replace('{param}', name);
}

function hiddenColumn(layer: number, t: number): string {
  return METRICS.hiddenGradNorms.column.replace('{l}', String(layer)).replace('{t}', String(t));
}

/** The recurrent layers' names: the first `hiddenLayers` of the layout's layers. */
function recurrentLayers(layout: RunLayout): string[] {
  return layout.layers.slice(0, layout.hiddenLayers);
}

/** Every CSV column of a run with this layout, in order. */
export function csvHeader(layout: RunLayout): string[] {
  const columns: string[] = [];
  for (const spec of Object.values(METRICS) as MetricSpec[]) {
    if (spec.shape === 'step' || spec.shape === 'evaluation') columns.push(spec.column);
  }
  for (const layer of layout.layers) {
    for (const id of ['layerNormPre', 'layerNormPost', 'layerWeightNormPre', 'layerWeightNormPost'] as const) {
      columns.push(columnFor(id, layer));
    }
  }
  for (const p of layout.params) {
    for (const id of ['gradNormPre', 'gradNormPost', 'weightNorm', 'updateRatio'] as const) {
      columns.push(columnFor(id, p.name));
    }
  }
  for (const layer of recurrentLayers(layout)) {
    columns.push(columnFor('spectralNorm', layer), columnFor('saturation', layer));
  }
  for (let l = 0; l < layout.hiddenLayers; l++) {
    for (let t = 1; t <= layout.timeSteps; t++) columns.push(hiddenColumn(l, t));
  }
  return columns;
}

/** One CSV row, in `csvHeader`'s order; `evaluation` fills the test columns on the steps that had one. */
export function csvRow(layout: RunLayout, m: StepMetrics, evaluation: EvalMetrics | null = null): (number | string)[] {
  // A missing figure is an empty cell, never a shifted row.
  const cell = (values: readonly number[] | null, i: number): number | string => values?.[i] ?? '';
  const stepValues: Record<string, number | string> = {
    step: m.step,
    epoch: m.epoch,
    loss: m.loss,
    accuracy: m.accuracy ?? '',
    globalNormPre: m.globalNormPre,
    globalNormPost: m.globalNormPost,
    clipFraction: m.clipFraction,
    clipScale: m.clipScale,
    clipCosine: m.clipCosine ?? '',
    testAccuracy: evaluation?.testAccuracy ?? '',
    testLoss: evaluation?.testLoss ?? '',
  };
  const row: (number | string)[] = [];
  for (const [id, spec] of Object.entries(METRICS) as [MetricId, MetricSpec][]) {
    if (spec.shape === 'step' || spec.shape === 'evaluation') row.push(stepValues[id] ?? '');
  }
  const weightPre = layerWeightNorms(layout, m.gradNormPre);
  const weightPost = layerWeightNorms(layout, m.gradNormPost);
  layout.layers.forEach((_, i) => {
    row.push(cell(m.layerNormPre, i), cell(m.layerNormPost, i), cell(weightPre, i), cell(weightPost, i));
  });
  layout.params.forEach((_, i) => {
    row.push(cell(m.gradNormPre, i), cell(m.gradNormPost, i), cell(m.weightNorm, i), cell(m.updateRatio, i));
  });
  recurrentLayers(layout).forEach((_, l) => row.push(cell(m.spectralNorm ?? null, l), cell(m.saturation ?? null, l)));
  const hidden = layout.hiddenLayers * layout.timeSteps;
  for (let k = 0; k < hidden; k++) row.push(cell(m.hiddenGradNorms, k));
  return row;
}

/** The table of docs/METRICS.md and `gradlab metrics`: every column with its unit and meaning. */
export function metricsTable(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['| column | unit | one per | meaning |', '|---|---|---|---|'];
  for (const spec of Object.values(METRICS) as MetricSpec[]) {
    lines.push(`| \`${spec.column}\` | ${spec.unit} | ${spec.shape} | ${escape(spec.meaning)} |`);
  }
  return lines.join('\n');
}
