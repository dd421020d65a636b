/**
 * The metric registry: every figure the lab records, described once. An entry says what the figure is called
 * (its id, the `StepMetrics` field, and its CSV column), its unit and shape, the sentence that explains it (true
 * for every model it applies to), where it travels in the one tensor a step reads back, how it is computed, and
 * which models, tasks and clip modes it applies to.
 *
 * Derived from this list, never written out again: the `StepMetrics` and `EvalMetrics` types, the order of the
 * packed step tensor (stepPacking.ts), the record assembled after read-back (`assembleStep`), the CSV header and
 * rows, the columns the page's series keep (store/series.ts), the history's zod schemas, and the table of
 * docs/METRICS.md (`gradlab metrics` prints it; a test compares it cell by cell).
 *
 * No tfjs here: the page imports this module, and tfjs lives only in workers (stepPacking.ts packs the tensors).
 */
import * as z from 'zod/mini';
import { CLIP_MODES, MODEL_KINDS, type ClipMode, type ModelKind } from '../experiment/config.ts';
import { layerNorms, type RunLayout } from './metrics.ts';

/** How many values a metric has per step: one, one per layer, per parameter, or per layer and time step. */
export type MetricShape = 'step' | 'layer' | 'parameter' | 'recurrent layer' | 'layer x time step' | 'evaluation';

/**
 * Where a figure travels in the one tensor a step reads back:
 * - `scalar`: one number at the head, in registry order;
 * - `per parameter`: one number per parameter (layout order), after the scalars, in registry order;
 * - `tail`: a block of its own length, present or not, after those, in registry order;
 * - `host`: not packed, computed after the read-back from packed figures (and the step's count);
 * - `evaluation`: not a step's figure: `Run.evaluate()` measures it on held-out data.
 */
export type Packing = 'scalar' | 'per parameter' | 'tail' | 'host' | 'evaluation';

/** What a run learns: the dense net's regression, sequential MNIST, or the adding problem. */
export type TaskKind = 'regression' | 'mnist' | 'adding';
export const TASK_KINDS = ['regression', 'mnist', 'adding'] as const satisfies readonly TaskKind[];

export interface MetricSpec {
  /**
   * The CSV column. Per-layer columns put the layer's name where `{layer}` is (e.g. `fc1`, `lstm0`, `out`),
   * per-parameter ones the parameter's (`fc1.weight`, `lstm0.W_hh`), and the per-time-step ones the layer's
   * index and the time step (`dL_dh_l0_t28`).
   */
  column: string;
  unit: string;
  shape: MetricShape;
  /** One sentence (or a few) that is true for every model, task and clip mode the metric applies to. */
  meaning: string;
  packing: Packing;
  /** How the figure is computed, for docs/METRICS.md. */
  computed: string;
  models: readonly ModelKind[];
  tasks: readonly TaskKind[];
  clipModes: readonly ClipMode[];
  /** The record holds null where the figure does not exist (e.g. a regression's accuracy). */
  nullable?: true;
  /** The record may lack the field: models without it, and runs stored before it was measured. */
  optional?: true;
  /** The page's series keep it for the charts. */
  charted?: true;
  /** Counts: the smallest valid value. */
  min?: number;
}

const ALL_MODELS = MODEL_KINDS;
const RECURRENT_MODELS = ['rnn', 'lstm', 'gru'] as const satisfies readonly ModelKind[];
const ALL_TASKS = TASK_KINDS;
const SEQUENCE_TASKS = ['mnist', 'adding'] as const satisfies readonly TaskKind[];
const ALL_CLIPS = CLIP_MODES;
const EVERYWHERE = { models: ALL_MODELS, tasks: ALL_TASKS, clipModes: ALL_CLIPS } as const;
const RECURRENT = { models: RECURRENT_MODELS, tasks: SEQUENCE_TASKS, clipModes: ALL_CLIPS } as const;

/** The denominator's floor of the update ratio: a parameter that is all zeros before a step (a bias) has no size. */
export const UPDATE_RATIO_FLOOR = 1e-8;

/**
 * Power-iteration rounds at the first step, from a random start, then two a step, warm-started from the last
 * vector. An orthogonal-times-scale start has all its singular values equal, and on such a cluster power
 * iteration converges slowly: with one round a step the estimate fell up to 5% low in the first 40 steps of
 * recurrentDiagnostics.test.ts, with two 3.8%, with four about 2%; each round costs about 12 kernels a layer.
 */
/**
 * The adding problem: a test sequence counts as solved when its squared error is under this, the criterion of
 * Pascanu, Mikolov and Bengio (2013) (docs/ADDING.md).
 */
export const ADDING_SOLVED_ERROR = 0.04;

export const SPECTRAL_FIRST_ROUNDS = 30;
export const SPECTRAL_ROUNDS = 2;

export const METRICS = {
  step: {
    column: 'step',
    unit: 'count',
    shape: 'step',
    meaning: 'The step number, from 1.',
    packing: 'host',
    computed: 'Counted by the run.',
    ...EVERYWHERE,
    min: 1,
  },
  epoch: {
    column: 'epoch',
    unit: 'count',
    shape: 'step',
    meaning: 'The epoch the step belongs to, from 1 (one epoch is one pass over the training rows).',
    packing: 'host',
    computed: "From the batch order: the step's batch index over the batches per epoch.",
    ...EVERYWHERE,
  },
  loss: {
    column: 'batch_loss',
    unit: 'loss',
    shape: 'step',
    meaning:
      "The training loss on this step's batch, before the update: mean squared error for the dense net and " +
      'the adding problem, cross-entropy for the digit classifiers.',
    packing: 'scalar',
    computed: "The value of the loss whose gradients the step takes, on the step's batch.",
    ...EVERYWHERE,
    charted: true,
  },
  accuracy: {
    column: 'batch_accuracy',
    unit: 'fraction',
    shape: 'step',
    meaning: "Classifiers: the fraction of this step's batch classified right, before the update; empty otherwise.",
    packing: 'scalar',
    computed:
      'Packed as the count of rows whose largest logit is the label (-1 for a model with no classes), ' +
      'read back as that count over the batch size.',
    models: RECURRENT_MODELS,
    tasks: ['mnist'],
    clipModes: ALL_CLIPS,
    nullable: true,
    charted: true,
  },
  globalNormPre: {
    column: 'global_grad_norm_pre',
    unit: 'L2 norm',
    shape: 'step',
    meaning:
      'The L2 norm of all gradients together (every weight and bias), before clipping; the L2 norm whatever ' +
      'norm the clipping uses.',
    packing: 'host',
    computed: 'sqrt of the sum of the squared per-parameter norms before clipping, in double precision.',
    ...EVERYWHERE,
    charted: true,
  },
  globalNormPost: {
    column: 'global_grad_norm_post',
    unit: 'L2 norm',
    shape: 'step',
    meaning: 'The same after clipping: the L2 norm of the gradient the optimiser was given.',
    packing: 'host',
    computed: 'sqrt of the sum of the squared per-parameter norms after clipping, in double precision.',
    ...EVERYWHERE,
    charted: true,
  },
  clipFraction: {
    column: 'clip_fraction',
    unit: 'fraction',
    shape: 'step',
    meaning:
      'The fraction of gradient elements clipping changed (by value: the elements outside the bounds; ' +
      'norm modes: all elements of every tensor it rescaled). 0 when clipping did not act.',
    packing: 'scalar',
    computed: 'By the clipping function itself, from the raw gradients.',
    ...EVERYWHERE,
    charted: true,
  },
  clipScale: {
    column: 'clip_scale',
    unit: 'factor',
    shape: 'step',
    meaning:
      'The factor clipping applied: the one scale of global-norm modes, the smallest tensor factor of ' +
      'per-tensor norm clipping, ||clipped|| / ||raw|| for clipping by value; 1 when it did not act.',
    packing: 'scalar',
    computed: 'By the clipping function itself, from the raw gradients.',
    ...EVERYWHERE,
    charted: true,
  },
  clipCosine: {
    column: 'clip_cosine',
    unit: 'cosine',
    shape: 'step',
    meaning:
      'cos(g, clipped g) over every parameter: the direction of the step taken against the one the gradient ' +
      'asked for. 1: the same direction (no clipping, or a global-norm mode, which only shortens the step); ' +
      'below 1: clipping by value or per-tensor norm turned it.',
    packing: 'scalar',
    computed:
      '<g, c> / (||g|| ||c||) over all parameters as one vector; exactly 1 for the modes that scale every tensor alike.',
    ...EVERYWHERE,
    optional: true,
    charted: true,
  },
  layerNormPre: {
    column: '{layer}_grad_norm_pre',
    unit: 'L2 norm',
    shape: 'layer',
    meaning: "The L2 norm of the layer's gradients, weights and biases together, before clipping.",
    packing: 'host',
    computed: "sqrt of the sum of the squared norms of the layer's parameters before clipping.",
    ...EVERYWHERE,
    charted: true,
  },
  layerNormPost: {
    column: '{layer}_grad_norm_post',
    unit: 'L2 norm',
    shape: 'layer',
    meaning: "The L2 norm of the layer's gradients, weights and biases together, after clipping.",
    packing: 'host',
    computed: "sqrt of the sum of the squared norms of the layer's parameters after clipping.",
    ...EVERYWHERE,
    charted: true,
  },
  gradNormPre: {
    column: '{param}_grad_norm_pre',
    unit: 'L2 norm',
    shape: 'parameter',
    meaning:
      "The L2 norm of one parameter tensor's gradient, before clipping. The tutorial's `fc1.weight.grad.norm()` " +
      'read before clipping is `fc1.weight_grad_norm_pre`.',
    packing: 'per parameter',
    computed: 'sqrt(sum(g^2)) of the gradient backpropagation computed, in float32.',
    ...EVERYWHERE,
  },
  gradNormPost: {
    column: '{param}_grad_norm_post',
    unit: 'L2 norm',
    shape: 'parameter',
    meaning:
      "The L2 norm of one parameter tensor's gradient, after clipping. The tutorial's `fc1.weight.grad.norm()`, " +
      'which it reads after clipping, is `fc1.weight_grad_norm_post`.',
    packing: 'per parameter',
    computed: 'sqrt(sum(g^2)) of the gradient the optimiser was given, in float32.',
    ...EVERYWHERE,
  },
  weightNorm: {
    column: '{param}_norm',
    unit: 'L2 norm',
    shape: 'parameter',
    meaning: "The L2 norm of the parameter's values before this step's update.",
    packing: 'per parameter',
    computed: 'sqrt(sum(w^2)), taken before the optimiser assigns the new values.',
    ...EVERYWHERE,
  },
  updateRatio: {
    column: '{param}_update_ratio',
    unit: 'ratio',
    shape: 'parameter',
    meaning:
      '||update|| / ||parameter before the update||: how far this step moved the parameter, relative to its ' +
      `size. A parameter that is all zeros before the step (a bias that starts at 0) is divided by ${UPDATE_RATIO_FLOOR} ` +
      'instead, so its first step reads large but finite.',
    packing: 'per parameter',
    computed: `||w_after - w_before|| / max(||w_before||, ${UPDATE_RATIO_FLOOR}), in float32.`,
    ...EVERYWHERE,
  },
  spectralNorm: {
    column: '{layer}_whh_spectral_norm',
    unit: 'operator norm',
    shape: 'recurrent layer',
    meaning:
      "Recurrent nets: the largest singular value of the layer's recurrent matrix W_hh after this step's update " +
      '(for LSTM and GRU, the gates\u2019 recurrent matrices side by side: [H, 4H] and [H, 3H]). For the plain RNN, ' +
      'backpropagation through time multiplies the gradient by W_hh^T and by tanh\u2019 (at most 1) once a step, so ' +
      "below 1 the gradient to early steps can only shrink; an LSTM's or GRU's gates and additive state path " +
      'change that product, so for them the value bounds nothing by itself. NaN once the update has left W_hh ' +
      'non-finite.',
    packing: 'tail',
    computed:
      'Power iteration on W_hh scaled by its largest |entry| (so no square overflows float32), ' +
      `${SPECTRAL_FIRST_ROUNDS} rounds at the first step from a seeded start, then ${SPECTRAL_ROUNDS} a step from ` +
      'the last vector; an estimate from below, within a few percent when the top singular values are close.',
    ...RECURRENT,
    optional: true,
    charted: true,
  },
  saturation: {
    column: '{layer}_saturated_fraction',
    unit: 'fraction',
    shape: 'recurrent layer',
    meaning:
      "Recurrent nets: the fraction of the layer's hidden values with |h| > 0.99 over the batch and every time " +
      'step, before the update. For the plain RNN, h = tanh(z), and such a unit passes less than 2% of the ' +
      'gradient through its tanh (1 - h^2 < 0.02); for LSTM and GRU it says how close the hidden state is to its ' +
      'bounds, while the gates decide how much gradient passes.',
    packing: 'tail',
    computed:
      "Counted in the hand-written layers' forward pass (the default backward; the autodiff reference has none).",
    ...RECURRENT,
    optional: true,
    charted: true,
  },
  hiddenGradNorms: {
    column: 'dL_dh_l{l}_t{t}',
    unit: 'L2 norm',
    shape: 'layer x time step',
    meaning:
      "Recurrent nets: ||dL/dh_t||, the gradient of the loss with respect to layer l's hidden state at " +
      'time step t (1 to T: 28 for MNIST, the sequence length for the adding problem), over the whole batch; ' +
      'empty on steps where it was not measured.',
    packing: 'tail',
    computed:
      "From the hand-written backward's loop over time (or zero probes added to every h_t in the autodiff " +
      'reference), on the steps `hiddenGradEvery` selects.',
    ...RECURRENT,
    nullable: true,
  },
  testAccuracy: {
    column: 'test_accuracy',
    unit: 'fraction',
    shape: 'evaluation',
    meaning:
      'Classifiers: the fraction of the held-out test digits classified right after this step; filled ' +
      'only on the steps where the run was evaluated, empty on the others and for the adding problem.',
    packing: 'evaluation',
    computed: 'Run.evaluate(): the whole test set in chunks of 500, after the step.',
    models: RECURRENT_MODELS,
    tasks: ['mnist'],
    clipModes: ALL_CLIPS,
    nullable: true,
  },
  testLoss: {
    column: 'test_loss',
    unit: 'loss',
    shape: 'evaluation',
    meaning:
      'Recurrent nets, on the steps where the run was evaluated: the mean cross-entropy on the held-out test ' +
      "digits, or the adding problem's mean squared error on its held-out test sequences (always answering 1 " +
      'scores 1/6, about 0.167).',
    packing: 'evaluation',
    computed: 'Run.evaluate(): the whole test set in chunks of 500, after the step.',
    ...RECURRENT,
  },
  testSolved: {
    column: 'test_solved_fraction',
    unit: 'fraction',
    shape: 'evaluation',
    meaning:
      'The adding problem, on the steps where the run was evaluated: the fraction of the held-out test sequences ' +
      `solved, a sequence counting as solved when its squared error is under ${ADDING_SOLVED_ERROR} (the criterion of ` +
      'Pascanu, Mikolov and Bengio 2013); empty for classifiers.',
    packing: 'evaluation',
    computed:
      `Run.evaluate(): (prediction - target)^2 < ${ADDING_SOLVED_ERROR} counted per test sequence over the whole ` +
      'test set, in chunks of 500, after the step.',
    models: RECURRENT_MODELS,
    tasks: ['adding'],
    clipModes: ALL_CLIPS,
    nullable: true,
    // Runs stored before it was measured have none.
    optional: true,
  },
} as const satisfies Record<string, MetricSpec>;

/**
 * Columns the CSV once had and no longer writes, with what holds the same figure now. Printed after the table
 * (`gradlab metrics`, docs/METRICS.md) so a script written against an old file can be ported.
 */
export const RETIRED_COLUMNS = [
  {
    column: '{layer}_weight_grad_norm_pre',
    now:
      'The same figure as the parameter column of the layer\u2019s one weight matrix: `fc1_weight_grad_norm_pre` is ' +
      '`fc1.weight_grad_norm_pre` (likewise `fc2`, `out`). A recurrent layer has two (W_ih, W_hh): its old value is ' +
      'sqrt(`{layer}.W_ih_grad_norm_pre`^2 + `{layer}.W_hh_grad_norm_pre`^2).',
  },
  {
    column: '{layer}_weight_grad_norm_post',
    now:
      'Likewise after clipping: `fc1_weight_grad_norm_post` (the tutorial\u2019s `fc1.weight.grad.norm()`) is ' +
      '`fc1.weight_grad_norm_post`; a recurrent layer\u2019s is sqrt(`{layer}.W_ih_grad_norm_post`^2 + ' +
      '`{layer}.W_hh_grad_norm_post`^2).',
  },
] as const;

type Registry = typeof METRICS;
export type MetricId = keyof Registry;

type IdsWhere<Condition> = { [K in MetricId]: Registry[K] extends Condition ? K : never }[MetricId];

export type EvalId = IdsWhere<{ packing: 'evaluation' }>;
export type StepId = Exclude<MetricId, EvalId>;
export type ScalarId = IdsWhere<{ packing: 'scalar' }>;
export type PerParameterId = IdsWhere<{ packing: 'per parameter' }>;
export type TailId = IdsWhere<{ packing: 'tail' }>;
export type HostId = IdsWhere<{ packing: 'host' }>;
/** The metrics the page's series keep, one value a step... */
export type ChartedStepId = IdsWhere<{ charted: true; shape: 'step' }>;
/** ...and one a layer (or a recurrent layer) a step. */
export type ChartedLayerId = IdsWhere<{ charted: true; shape: 'layer' | 'recurrent layer' }>;

type BaseValue<K extends MetricId> = Registry[K]['shape'] extends 'step' | 'evaluation' ? number : number[];
type Value<K extends MetricId> = Registry[K] extends { nullable: true } ? BaseValue<K> | null : BaseValue<K>;
type OptionalId = IdsWhere<{ optional: true }>;

/**
 * What a training step measured, as plain numbers that can cross a worker boundary, be stored and be written as
 * CSV: one field per registry entry that is not an evaluation. Per-parameter arrays follow the layout's
 * parameters; per-layer ones its layers; recurrent-layer ones its first `hiddenLayers` layers; `hiddenGradNorms`
 * is layer-major (layer 0: t = 1..T, then layer 1).
 */
export type StepMetrics = { [K in Exclude<StepId, OptionalId>]: Value<K> } & {
  [K in Extract<StepId, OptionalId>]?: Value<K>;
};

/** The held-out test set after a step: MNIST's test digits, or the adding problem's test sequences. */
export type EvalMetrics = { step: number; examples: number } & { [K in Exclude<EvalId, OptionalId>]: Value<K> } & {
  [K in Extract<EvalId, OptionalId>]?: Value<K>;
};

/** A step's figures read back from the packed tensor, by metric id (`accuracy`: the count of right answers). */
export type UnpackedStep = Record<ScalarId, number> &
  Record<PerParameterId, number[]> &
  Record<TailId, number[] | null>;

/** How many numbers each part of a packed step holds (a tail part: 0 when not packed this step). */
export type PackedCounts = { params: number } & Record<TailId, number>;

function idsWhere<K extends MetricId>(test: (spec: MetricSpec) => boolean): K[] {
  return (Object.keys(METRICS) as MetricId[]).filter((id) => test(METRICS[id])) as K[];
}

/** The packed step tensor's parts, in the order they are packed. */
export const PACKED_SCALARS: readonly ScalarId[] = idsWhere<ScalarId>((s) => s.packing === 'scalar');
export const PACKED_PER_PARAMETER: readonly PerParameterId[] = idsWhere<PerParameterId>(
  (s) => s.packing === 'per parameter',
);
export const PACKED_TAIL: readonly TailId[] = idsWhere<TailId>((s) => s.packing === 'tail');
export const CHARTED_STEP: readonly ChartedStepId[] = idsWhere<ChartedStepId>(
  (s) => s.charted === true && s.shape === 'step',
);
export const CHARTED_LAYER: readonly ChartedLayerId[] = idsWhere<ChartedLayerId>(
  (s) => s.charted === true && (s.shape === 'layer' || s.shape === 'recurrent layer'),
);

/** What a step knows besides its packed figures. */
export interface StepContext {
  step: number;
  epoch: number;
  /** Rows in the step's batch. */
  batchSize: number;
  layout: RunLayout;
}

/** The figures not read back as they are: computed on the host from the packed ones. */
const DERIVED: { [K in HostId | 'accuracy']: (packed: UnpackedStep, context: StepContext) => StepMetrics[K] } = {
  step: (_, c) => c.step,
  epoch: (_, c) => c.epoch,
  accuracy: (p, c) => (p.accuracy >= 0 ? p.accuracy / c.batchSize : null),
  globalNormPre: (p) => Math.hypot(...p.gradNormPre),
  globalNormPost: (p) => Math.hypot(...p.gradNormPost),
  layerNormPre: (p, c) => layerNorms(c.layout, p.gradNormPre),
  layerNormPost: (p, c) => layerNorms(c.layout, p.gradNormPost),
};

const STEP_IDS = idsWhere<StepId>((s) => s.packing !== 'evaluation');

/** A step's record from its read-back figures: each metric packed as it is, or derived as `DERIVED` says. */
export function assembleStep(packed: UnpackedStep, context: StepContext): StepMetrics {
  const record: Record<string, unknown> = {};
  for (const id of STEP_IDS) {
    const spec: MetricSpec = METRICS[id];
    const value =
      id in DERIVED ? DERIVED[id as keyof typeof DERIVED](packed, context) : packed[id as keyof UnpackedStep];
    // A tail part not packed this step: absent where the field is optional, null where it is nullable.
    if (value === null && spec.optional) continue;
    record[id] = value;
  }
  return record as StepMetrics;
}

/** Whether a metric exists for a run of this model, task and clip mode. */
export function metricApplies(id: MetricId, run: { model: ModelKind; task: TaskKind; clipMode: ClipMode }): boolean {
  const spec: MetricSpec = METRICS[id];
  return spec.models.includes(run.model) && spec.tasks.includes(run.task) && spec.clipModes.includes(run.clipMode);
}

/** The task of an experiment: the dense net always learns its regression. */
export function taskOf(config: { model: ModelKind; task: 'mnist' | 'adding' }): TaskKind {
  return config.model === 'dense' ? 'regression' : config.task;
}

/** A per-layer or per-parameter column for one layer or parameter. */
export function columnFor(id: MetricId, name: string): string {
  return METRICS[id].column.replace('{layer}', name).replace('{param}', name);
}

function hiddenColumn(id: MetricId, layer: number, t: number): string {
  return METRICS[id].column.replace('{l}', String(layer)).replace('{t}', String(t));
}

const BY_SHAPE = (shape: MetricShape) => idsWhere((s) => s.shape === shape);
const SCALAR_COLUMNS = idsWhere((s) => s.shape === 'step' || s.shape === 'evaluation');
const LAYER_IDS = BY_SHAPE('layer');
const PARAMETER_IDS = BY_SHAPE('parameter');
const RECURRENT_LAYER_IDS = BY_SHAPE('recurrent layer');
const TIME_IDS = BY_SHAPE('layer x time step');

/** The recurrent layers' names: the first `hiddenLayers` of the layout's layers. */
function recurrentLayers(layout: RunLayout): string[] {
  return layout.layers.slice(0, layout.hiddenLayers);
}

/**
 * Every CSV column of a run with this layout, in order: the per-step and evaluation columns, then per layer,
 * per parameter, per recurrent layer, and per recurrent layer and time step.
 */
export function csvHeader(layout: RunLayout): string[] {
  const columns: string[] = SCALAR_COLUMNS.map((id) => METRICS[id].column);
  for (const layer of layout.layers) for (const id of LAYER_IDS) columns.push(columnFor(id, layer));
  for (const p of layout.params) for (const id of PARAMETER_IDS) columns.push(columnFor(id, p.name));
  for (const layer of recurrentLayers(layout)) for (const id of RECURRENT_LAYER_IDS) columns.push(columnFor(id, layer));
  for (let l = 0; l < layout.hiddenLayers; l++) {
    for (let t = 1; t <= layout.timeSteps; t++) for (const id of TIME_IDS) columns.push(hiddenColumn(id, l, t));
  }
  return columns;
}

type Cell = number | string;

/** One CSV row, in `csvHeader`'s order; `evaluation` fills the test columns on the steps that had one. */
export function csvRow(layout: RunLayout, m: StepMetrics, evaluation: EvalMetrics | null = null): Cell[] {
  // A missing figure is an empty cell, never a shifted row.
  const record = m as Partial<Record<StepId, number | number[] | null>>;
  const scalar = (id: MetricId): Cell => {
    const value = METRICS[id].packing === 'evaluation' ? evaluation?.[id as EvalId] : record[id as StepId];
    return typeof value === 'number' ? value : '';
  };
  const cell = (id: MetricId, i: number): Cell => {
    const values = record[id as StepId];
    return Array.isArray(values) ? (values[i] ?? '') : '';
  };
  const row: Cell[] = SCALAR_COLUMNS.map(scalar);
  layout.layers.forEach((_, i) => LAYER_IDS.forEach((id) => row.push(cell(id, i))));
  layout.params.forEach((_, i) => PARAMETER_IDS.forEach((id) => row.push(cell(id, i))));
  recurrentLayers(layout).forEach((_, l) => RECURRENT_LAYER_IDS.forEach((id) => row.push(cell(id, l))));
  for (let l = 0; l < layout.hiddenLayers; l++) {
    for (let t = 1; t <= layout.timeSteps; t++)
      TIME_IDS.forEach((id) => row.push(cell(id, l * layout.timeSteps + t - 1)));
  }
  return row;
}

/** Which runs a metric applies to, in words for the table: what it is limited to, or "all". */
export function appliesToText(spec: MetricSpec): string {
  const parts: string[] = [];
  if (spec.models.length < ALL_MODELS.length) parts.push(spec.models.join(', '));
  if (spec.tasks.length < ALL_TASKS.length) parts.push(spec.tasks.join(', '));
  if (spec.clipModes.length < ALL_CLIPS.length) parts.push(`clip ${spec.clipModes.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'all';
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

/** The tables of docs/METRICS.md and `gradlab metrics`: every column, then the retired ones. */
export function metricsTable(): string {
  const lines = [
    '| column | unit | one per | applies to | meaning | how it is measured |',
    '|---|---|---|---|---|---|',
  ];
  for (const spec of Object.values(METRICS) as MetricSpec[]) {
    const cells = [`\`${spec.column}\``, spec.unit, spec.shape, appliesToText(spec), spec.meaning, spec.computed];
    lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
  }
  lines.push('', 'Columns no longer written:', '', '| old column | the same figure now |', '|---|---|');
  for (const retired of RETIRED_COLUMNS) lines.push(`| \`${retired.column}\` | ${escapeCell(retired.now)} |`);
  return lines.join('\n');
}

// The history's schemas: what an imported archive's records must look like, from the same entries.

/** Any number, NaN and Infinity included: a diverged run's last step has them. */
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');

/** The longest array a shape may hold in a stored record. */
const MAX_LENGTH: Record<MetricShape, number> = {
  step: 1,
  evaluation: 1,
  layer: 64,
  parameter: 64,
  'recurrent layer': 8,
  'layer x time step': 4096,
};

function fieldSchema(spec: MetricSpec): z.ZodMiniType {
  const one = spec.unit === 'count' ? z.int().check(z.gte(spec.min ?? 0)) : anyNumber;
  const base: z.ZodMiniType =
    spec.shape === 'step' || spec.shape === 'evaluation'
      ? one
      : z.array(anyNumber).check(z.maxLength(MAX_LENGTH[spec.shape]));
  const nullable = spec.nullable ? z.union([base, z.null()]) : base;
  return spec.optional ? z.optional(nullable) : nullable;
}

function recordSchema(ids: readonly MetricId[], extra: Record<string, z.ZodMiniType>) {
  return z.object({ ...Object.fromEntries(ids.map((id) => [id, fieldSchema(METRICS[id])])), ...extra });
}

/** The schemas of what a run stores, for reading a run file back. */
export interface RecordSchemas {
  /** A stored step: one field per non-evaluation metric. */
  step: z.ZodMiniType<StepMetrics>;
  /** A stored evaluation: the evaluation metrics, the step it followed and how many examples it read. */
  evaluation: z.ZodMiniType<EvalMetrics>;
  /** A stored run layout (see RunLayout). */
  layout: z.ZodMiniType<RunLayout>;
}

let recordSchemasMade: RecordSchemas | null = null;

/**
 * Made on first use, not when the registry loads: the page loads the registry at start-up but reads a run file only
 * when asked, and building these is about a tenth of its start-up JavaScript's run on a slow phone (docs/PERFORMANCE.md).
 */
export function recordSchemas(): RecordSchemas {
  if (recordSchemasMade) return recordSchemasMade;
  const shortText = () => z.string().check(z.maxLength(100));
  recordSchemasMade = {
    step: recordSchema(STEP_IDS, {}) as unknown as z.ZodMiniType<StepMetrics>,
    evaluation: recordSchema(
      idsWhere((s) => s.packing === 'evaluation'),
      { step: z.int().check(z.gte(0)), examples: z.int() },
    ) as unknown as z.ZodMiniType<EvalMetrics>,
    layout: z.object({
      params: z
        .array(z.object({ name: shortText(), layer: shortText(), size: z.int().check(z.gte(0)) }))
        .check(z.maxLength(64)),
      layers: z.array(shortText()).check(z.maxLength(64)),
      hiddenLayers: z.int().check(z.gte(0), z.lte(8)),
      timeSteps: z.int().check(z.gte(0), z.lte(1000)),
      classifier: z.boolean(),
    }) satisfies z.ZodMiniType<RunLayout>,
  };
  return recordSchemasMade;
}
