/**
 * An experiment in words, written from its settings (never from a preset's text, which goes stale as soon as a
 * setting changes), and what differs between two experiments. Shared by the page and any text report.
 */
import {
  isRecurrent,
  seedOf,
  type ClipConfig,
  type ExperimentConfig,
  type OptimizerKind,
} from '../experiment/config.ts';
import { PRESETS, type PresetId } from '../experiment/presets.ts';
import { describeClip, formatNumber } from './describe.ts';

const MODEL_NAMES = { rnn: 'Vanilla RNN (tanh)', lstm: 'LSTM', gru: 'GRU' } as const;

const OPTIMIZER_NAMES: Record<OptimizerKind, string> = {
  sgd: 'SGD',
  adam: 'Adam',
  'adam-keras': "Keras's Adam",
  rmsprop: 'RMSprop',
};

/** 10000 -> "10,000": counts for people. */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

function describeModel(c: ExperimentConfig): string {
  if (c.model === 'dense') return `Dense 20-${c.hidden}-1 ReLU net`;
  // The initialisers apply to every recurrent model (the RNN's W_ih, biases and output layer too); its W_hh is
  // orthogonal x the recurrent scale whatever they are.
  const initialisers = c.init === 'keras' ? 'Keras initialisers' : 'PyTorch initialisers';
  const init = c.model === 'rnn' ? `, recurrent scale ${c.recScale}, ${initialisers}` : `, ${initialisers}`;
  return `${MODEL_NAMES[c.model]}, ${plural(c.layers, 'layer')} of ${c.hidden} units${init}`;
}

function describeData(c: ExperimentConfig): string {
  if (isRecurrent(c.model) && c.task === 'adding')
    return `on the adding problem, T = ${c.seqLen} (${plural(c.trainSize, 'training sequence')}, ${plural(c.testSize, 'test sequence')}; MSE loss)`;
  if (isRecurrent(c.model))
    return `on sequential MNIST (${count(c.trainSize)} training digits, ${count(c.testSize)} test digits)`;
  const data =
    c.data === 'rs1' ? "the tutorial's data (make_regression, random_state=1)" : `${count(c.samples)} generated rows`;
  return `on ${data}, ${c.loss === 'literal' ? "the tutorial's broadcast MSE (a bug)" : 'MSE loss'}`;
}

/** "SGD lr 0.05 momentum 0.9", "Keras's Adam lr 0.001". */
export function describeOptimizer(c: ExperimentConfig): string {
  const parts = [`${OPTIMIZER_NAMES[c.optimizer]} lr ${formatNumber(c.lr, 4)}`];
  if ((c.optimizer === 'sgd' || c.optimizer === 'rmsprop') && c.momentum > 0)
    parts.push(`momentum ${formatNumber(c.momentum, 4)}`);
  if (c.optimizer === 'rmsprop') parts.push(`alpha ${formatNumber(c.alpha, 4)}`);
  if ((c.optimizer === 'adam' || c.optimizer === 'adam-keras') && (c.beta1 !== 0.9 || c.beta2 !== 0.999))
    parts.push(`betas ${formatNumber(c.beta1, 4)}, ${formatNumber(c.beta2, 4)}`);
  return parts.join(' ');
}

function describeRuns(c: ExperimentConfig): string {
  if (!c.pair) return `One run: ${describeClip(c.clip)}.`;
  if (c.race.length > 0) {
    const clips = [c.baseClip, c.clip, ...c.race].map(describeClip);
    return `A race of ${clips.length} runs from the same weights and batches: ${clips.join('; ')}.`;
  }
  return `Two runs from the same weights and batches: the baseline (${describeClip(c.baseClip)}) and the clipped run (${describeClip(c.clip)}).`;
}

/**
 * The experiment as three sentences, e.g. "GRU, 1 layer of 32 units, on sequential MNIST (...). SGD lr 0.05
 * momentum 0.9, batch 32, 1,000 steps, seed 0. One run: clip by value to [-1, 1]."
 */
export function describeExperiment(c: ExperimentConfig): string {
  return [
    `${describeModel(c)}, ${describeData(c)}.`,
    `${describeOptimizer(c)}, batch ${c.batch}, ${plural(c.steps, 'step')}, ${describeSeeds(c)}.`,
    describeRuns(c),
  ].join(' ');
}

/** "seed 0", or for a run over several seeds "5 seeds (0 to 4)", in the order they train (seedOf wraps). */
export function describeSeeds(c: Pick<ExperimentConfig, 'seed' | 'seeds'>): string {
  if (c.seeds <= 1) return `seed ${c.seed}`;
  return `${c.seeds} seeds (${seedOf(c, 0)} to ${seedOf(c, c.seeds - 1)})`;
}

/**
 * What a sweep trains, in words: the net, its data, the optimiser without its learning rate, batch and seed.
 * The learning rates, thresholds and steps are the sweep's own, so the experiment's are not repeated.
 */
export function describeSweptExperiment(c: ExperimentConfig): string {
  const optimizer = describeOptimizer(c).replace(/ lr [^ ]+/, '');
  return `${describeModel(c)}, ${describeData(c)}. ${optimizer}, batch ${c.batch}, ${describeSeeds(c)}.`;
}

function sameClip(a: ClipConfig, b: ClipConfig): boolean {
  return describeClip(a) === describeClip(b);
}

/** Every setting of the experiment, in words, keyed by what a person calls it. */
function settingsInWords(c: ExperimentConfig): [string, string][] {
  const recurrent = isRecurrent(c.model);
  const rows: [string, string | null][] = [
    ['model', describeModel(c)],
    ['data', describeData(c)],
    ['optimiser', describeOptimizer(c)],
    ['optimiser eps', c.optimizer === 'sgd' ? null : formatNumber(c.eps)],
    ['batch', String(c.batch)],
    ['seed', String(c.seed)],
    ['seeds', String(c.seeds)],
    ['planned steps', String(c.steps)],
    ['test every', recurrent ? String(c.evalEvery) : null],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== null);
}

/**
 * What differs between two experiments, as "name: a vs b" phrases (clipping is compared separately, per run);
 * empty when they train the same way.
 */
export function settingDifferences(a: ExperimentConfig, b: ExperimentConfig): string[] {
  const wordsB = new Map(settingsInWords(b));
  const out: string[] = [];
  for (const [name, value] of settingsInWords(a)) {
    const other = wordsB.get(name) ?? '-';
    if (other !== value) out.push(`${name}: ${value} vs ${other}`);
  }
  return out;
}

/** Whether two experiments are the same setting for setting (both clippings included). */
export function sameExperiment(a: ExperimentConfig, b: ExperimentConfig): boolean {
  const sameClip = (x: ClipConfig, y: ClipConfig) =>
    (Object.keys(x) as (keyof ClipConfig)[]).every((f) => x[f] === y[f]);
  const keys = Object.keys(a) as (keyof ExperimentConfig)[];
  return keys.every((k) => {
    if (k === 'schedule') return JSON.stringify(a.schedule) === JSON.stringify(b.schedule);
    const x = a[k];
    const y = b[k];
    if (Array.isArray(x) && Array.isArray(y))
      return x.length === y.length && x.every((clip, i) => y[i] !== undefined && sameClip(clip, y[i]));
    if (typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y)) return sameClip(x, y);
    return x === y;
  });
}

/** The experiment's name: its preset's title, or "custom, from <title>" once a setting differs from the preset. */
export function experimentName(config: ExperimentConfig, preset: PresetId): string {
  const base = PRESETS[preset];
  return sameExperiment(config, base.config) ? base.title : `custom, from ${base.title}`;
}

export interface ComparedRun {
  config: ExperimentConfig;
  clip: ClipConfig;
  /** Steps stored. */
  steps: number;
}

/**
 * Two stored runs side by side, in words: what is the same and what differs. "Same weights, same batches" is
 * said only when it is true (same model, data, batch and seed); otherwise the settings that differ are named.
 */
export function compareRuns(a: ComparedRun, b: ComparedRun): string {
  const differences = settingDifferences(a.config, b.config);
  const sentences: string[] = [];
  const sameStart =
    describeModel(a.config) === describeModel(b.config) &&
    describeData(a.config) === describeData(b.config) &&
    a.config.seed === b.config.seed &&
    a.config.batch === b.config.batch;
  const clip = sameClip(a.clip, b.clip)
    ? `Both ${describeClip(a.clip)}.`
    : `Clipping: A ${describeClip(a.clip)}, B ${describeClip(b.clip)}.`;
  if (differences.length === 0) sentences.push(`Same settings, same weights, same batches. ${clip}`);
  else {
    sentences.push(`${clip} They also differ in ${differences.join('; ')}.`);
    if (!sameStart) sentences.push('They did not start from the same weights and batches.');
  }
  sentences.push(
    a.steps === b.steps
      ? `Both have ${plural(a.steps, 'step')}.`
      : `A has ${plural(a.steps, 'step')}, B has ${plural(b.steps, 'step')}: the charts show steps 1 to ${count(Math.max(a.steps, b.steps))}.`,
  );
  return sentences.join(' ');
}
