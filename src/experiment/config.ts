/**
 * What an experiment is, as data. The browser's URL, the worker and the CLI
 * all speak this one typed, versioned shape; `urlCodec.ts` turns it into a
 * link and back, and `schema.ts` holds the allowed range of every field.
 */

import type { KnobChange } from './schedule.ts';

export const CONFIG_VERSION = 1;

export const MODEL_KINDS = ['dense', 'rnn', 'lstm', 'gru'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const CLIP_MODES = ['none', 'value', 'norm', 'global', 'global-tf'] as const;
/**
 * - none
 * - value:     g <- min(max(g, min), max) elementwise (tf.clip_by_value, torch clip_grad_value_, Keras clipvalue)
 * - norm:      per tensor, g <- g * c / max(||g||, c) (tf.clip_by_norm, Keras clipnorm)
 * - global:    torch clip_grad_norm_: total = ||(||g_i||)||_p, g <- g * min(1, c / (total + 1e-6))
 * - global-tf: tf.clip_by_global_norm: total = sqrt(sum ||g_i||^2), g <- g * c / max(total, c); NaN if total is not finite
 */
export type ClipMode = (typeof CLIP_MODES)[number];

export const NORM_TYPES = ['2', 'inf'] as const;
export type NormType = (typeof NORM_TYPES)[number];

/** adam: torch.optim.Adam (eps after bias correction); adam-keras: Keras's Adam (eps on the uncorrected sqrt(v)). */
export const OPTIMIZERS = ['sgd', 'adam', 'adam-keras', 'rmsprop'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];

export const DATA_SOURCES = ['generated', 'rs1'] as const;
/** generated: our seeded port of make_regression; rs1: the tutorial's exact data set (sklearn random_state=1). */
export type RegressionData = (typeof DATA_SOURCES)[number];

export const LOSS_KINDS = ['corrected', 'literal'] as const;
/** literal: the tutorial's MSELoss on [B,1] vs [B] predictions, which broadcasts to [B,B] (the lesson). */
export type RegressionLoss = (typeof LOSS_KINDS)[number];

export const TASKS = ['mnist', 'adding'] as const;
/**
 * What the recurrent models learn. mnist: sequential MNIST, a digit read as 28 rows of 28 pixels (10 classes).
 * adding: the adding problem of Pascanu, Mikolov and Bengio (2013): T steps of (value, marker), the target the sum
 * of the two marked values, mean squared error.
 */
export type RecurrentTask = (typeof TASKS)[number];

export const INIT_KINDS = ['torch', 'keras'] as const;
export type RecurrentInit = (typeof INIT_KINDS)[number];

export interface ClipConfig {
  mode: ClipMode;
  /** value mode: lower and upper bound. */
  min: number;
  max: number;
  /** norm, global and global-tf modes: the threshold c. */
  threshold: number;
  /** global mode only: the p of torch's clip_grad_norm_. */
  normType: NormType;
}

export interface ExperimentConfig {
  v: typeof CONFIG_VERSION;
  model: ModelKind;
  /** Dense: width of the hidden layer. Recurrent: hidden units per layer. */
  hidden: number;
  /** Recurrent layers (1-2); the dense net always has one hidden layer. */
  layers: number;
  init: RecurrentInit;
  /** Vanilla RNN: the recurrent matrix starts orthogonal times this scale. */
  recScale: number;
  data: RegressionData;
  /** Rows of generated regression data. */
  samples: number;
  loss: RegressionLoss;
  /** Recurrent models: what they learn (the dense net always learns its regression). */
  task: RecurrentTask;
  /** The adding problem: its sequence length T (time steps). */
  seqLen: number;
  /** MNIST: training images used (the first N of the 60k training set). Adding problem: training sequences generated. */
  trainSize: number;
  /** MNIST: held-out images used for test accuracy. Adding problem: test sequences generated for the test MSE. */
  testSize: number;
  /** The test set is measured every this many steps (0: only at the end). */
  evalEvery: number;
  optimizer: OptimizerKind;
  lr: number;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** RMSprop smoothing constant (torch's alpha). */
  alpha: number;
  batch: number;
  steps: number;
  seed: number;
  /**
   * Seeds each run is trained over (1 to MAX_SEEDS): seed k of n trains from `seedOf(config, k)`, the link's seed
   * for k = 0, so the one-seed run is the link's run. The charts then show the median and the band from the lowest
   * to the highest seed (train/seedBands.ts).
   */
  seeds: number;
  /** Recurrent models: ||dL/dh_t|| for every t is measured every this many steps (0: never). */
  hiddenGradEvery: number;
  /** Train the baseline run beside the clipped one. */
  pair: boolean;
  /** The clipped run. */
  clip: ClipConfig;
  /** The baseline run (unclipped by default). */
  baseClip: ClipConfig;
  /**
   * A race: the clipping of a third and a fourth run trained beside the pair, from the same weights and batches
   * (at most two; only with `pair`). Empty: the pair alone.
   */
  race: ClipConfig[];
  /**
   * Knobs turned while it trains (schedule.ts): the learning rate and the runs' clippings change after the steps
   * listed, in step order. The fields above are the settings at the start.
   */
  schedule: KnobChange[];
}

export const NO_CLIP: ClipConfig = { mode: 'none', min: -1, max: 1, threshold: 1, normType: '2' };

export const DEFAULT_CONFIG: ExperimentConfig = {
  v: CONFIG_VERSION,
  model: 'dense',
  hidden: 25,
  layers: 1,
  init: 'torch',
  recScale: 1,
  data: 'rs1',
  samples: 1000,
  loss: 'corrected',
  task: 'mnist',
  seqLen: 50,
  trainSize: 10000,
  testSize: 1000,
  evalEvery: 100,
  optimizer: 'sgd',
  lr: 0.07,
  momentum: 0.8,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  alpha: 0.99,
  batch: 128,
  steps: 400,
  seed: 0,
  seeds: 1,
  hiddenGradEvery: 0,
  pair: true,
  clip: { mode: 'value', min: -1, max: 1, threshold: 1, normType: '2' },
  baseClip: NO_CLIP,
  race: [],
  schedule: [],
};

/** The most seeds a run is trained over at once (`seeds=` in the link). */
export const MAX_SEEDS = 10;
/** Seeds wrap here: the largest seed a link may give is 2^31 - 1. */
const SEED_MODULUS = 2 ** 31;

/**
 * The seed of seed k (0-based) of a run over `config.seeds` seeds: the link's seed plus k, wrapping past 2^31 - 1 to
 * 0, so seeds=10 with seed=0 trains seeds 0 to 9 (what `npm run lessons` checks the tour on) and seed k=0 is the
 * link's own run.
 */
export function seedOf(config: Pick<ExperimentConfig, 'seed'>, k: number): number {
  return (config.seed + k) % SEED_MODULUS;
}

/** The experiment as seed k trains it: one seed, `seedOf(config, k)`. */
export function seedConfig(config: ExperimentConfig, k: number): ExperimentConfig {
  return { ...config, seed: seedOf(config, k), seeds: 1 };
}

export function isRecurrent(model: ModelKind): boolean {
  return model !== 'dense';
}

/** Which run of a pair or race a run is: the pair's two, then the race's third and fourth. */
export const RUN_SIDES = ['baseline', 'clipped', 'third', 'fourth'] as const;
export type RunSide = (typeof RUN_SIDES)[number];

/** The most runs a race trains side by side. */
export const MAX_RACE_RUNS = 4;
const RACE_SIDES = ['third', 'fourth'] as const;

export function clipOf(config: ExperimentConfig, side: RunSide): ClipConfig {
  switch (side) {
    case 'clipped':
      return config.clip;
    case 'baseline':
      return config.baseClip;
    case 'third':
      return config.race[0] ?? NO_CLIP;
    case 'fourth':
      return config.race[1] ?? NO_CLIP;
  }
}

export function sidesOf(config: ExperimentConfig): RunSide[] {
  if (!config.pair) return ['clipped'];
  return ['baseline', 'clipped', ...RACE_SIDES.slice(0, config.race.length)];
}

/** A race is a pair with a third (and maybe fourth) run. */
export function isRace(config: ExperimentConfig): boolean {
  return config.pair && config.race.length > 0;
}

/** Sequential MNIST: 28 rows read as 28 time steps of 28 pixels. */
export const MNIST_STEPS = 28;
export const MNIST_PIXELS = 28;
export const MNIST_CLASSES = 10;
export const REGRESSION_FEATURES = 20;

/** The adding problem: each step reads (a value uniform in [0, 1], a marker 0 or 1). */
export const ADDING_INPUTS = 2;
/**
 * The MSE of always predicting 1, the mean of the target: the target is the sum of two U(0, 1) values, whose
 * variance is 2 x 1/12 = 1/6. A model below it has learned something about which values are marked.
 */
export const ADDING_BASELINE_MSE = 1 / 6;

/** Guessing one of MNIST's ten digits: the test accuracy of a net that has learned nothing. */
export const MNIST_CHANCE_ACCURACY = 0.1;

/** The time steps a recurrent model reads: 28 rows of a digit, or the adding problem's T. */
export function sequenceSteps(config: Pick<ExperimentConfig, 'task' | 'seqLen'>): number {
  return config.task === 'adding' ? config.seqLen : MNIST_STEPS;
}
