/**
 * The allowed values of every experiment setting, one zod schema each, with
 * the words a person reads when a value is refused. The URL codec, the
 * controls and the CLI all validate through these, so a limit lives in one place.
 */
import * as z from 'zod/mini';
import {
  CLIP_MODES,
  DATA_SOURCES,
  INIT_KINDS,
  LOSS_KINDS,
  MAX_SEEDS,
  MODEL_KINDS,
  NORM_TYPES,
  OPTIMIZERS,
  TASKS,
  sequenceSteps,
  type ClipConfig,
  type ExperimentConfig,
} from './config.ts';

/** Numbers in links only in plain decimal or exponent form: no hex, no "Infinity", no empty string. */
export function isDecimal(text: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
}

/** A decimal's finite value (+ 0 turns -0 into 0: both mean zero, and a link writes them alike), or null. */
export function parseDecimal(text: string): number | null {
  if (!isDecimal(text)) return null;
  const n = Number(text) + 0;
  return Number.isFinite(n) ? n : null;
}

export interface FieldSpec {
  schema: z.ZodMiniType<unknown>;
  /** What is allowed, in words, for error messages and control hints. */
  allowed: string;
  /** Numeric bounds, for sliders and inputs. */
  min?: number;
  max?: number;
  integer?: boolean;
  choices?: readonly string[];
}

export function intSpec(min: number, max: number): FieldSpec {
  return {
    schema: z.int().check(z.gte(min), z.lte(max)),
    allowed: `an integer from ${min} to ${max}`,
    min,
    max,
    integer: true,
  };
}

export function numSpec(
  min: number,
  max: number,
  opts: { exclusiveMin?: boolean; exclusiveMax?: boolean } = {},
): FieldSpec {
  const s = z.number().check(opts.exclusiveMin ? z.gt(min) : z.gte(min), opts.exclusiveMax ? z.lt(max) : z.lte(max));
  const lo = opts.exclusiveMin ? `more than ${min}` : `at least ${min}`;
  const hi = opts.exclusiveMax ? `less than ${max}` : `at most ${max}`;
  return { schema: s, allowed: `a number ${lo} and ${hi}`, min, max };
}

function enumSpec(choices: readonly [string, ...string[]]): FieldSpec {
  return { schema: z.enum(choices), allowed: `one of ${choices.join(', ')}`, choices };
}

const boolSpec: FieldSpec = { schema: z.boolean(), allowed: '0 or 1', choices: ['0', '1'] };

/** Largest sizes the lab accepts: beyond them a step would exhaust a laptop's memory or take minutes. */
export const LIMITS = {
  hidden: 512,
  batch: 1024,
  steps: 100_000,
  samples: 20_000,
  trainSize: 60_000,
  testSize: 10_000,
  clipBound: 1e6,
  /** The adding problem's sequence length T. */
  seqLenMin: 10,
  seqLenMax: 200,
} as const;

type ScalarKey = Exclude<keyof ExperimentConfig, 'clip' | 'baseClip' | 'race' | 'schedule' | 'v'>;

export const FIELD_SPECS: Record<ScalarKey, FieldSpec> = {
  model: enumSpec(MODEL_KINDS),
  hidden: intSpec(1, LIMITS.hidden),
  layers: intSpec(1, 2),
  init: enumSpec(INIT_KINDS),
  recScale: numSpec(0, 5),
  data: enumSpec(DATA_SOURCES),
  samples: intSpec(50, LIMITS.samples),
  loss: enumSpec(LOSS_KINDS),
  task: enumSpec(TASKS),
  seqLen: intSpec(LIMITS.seqLenMin, LIMITS.seqLenMax),
  trainSize: intSpec(100, LIMITS.trainSize),
  testSize: intSpec(100, LIMITS.testSize),
  evalEvery: intSpec(0, LIMITS.steps),
  optimizer: enumSpec(OPTIMIZERS),
  lr: numSpec(0, 10, { exclusiveMin: true }),
  momentum: numSpec(0, 1, { exclusiveMax: true }),
  beta1: numSpec(0, 1, { exclusiveMax: true }),
  beta2: numSpec(0, 1, { exclusiveMax: true }),
  eps: numSpec(0, 1, { exclusiveMin: true }),
  alpha: numSpec(0, 1, { exclusiveMax: true }),
  batch: intSpec(1, LIMITS.batch),
  steps: intSpec(1, LIMITS.steps),
  seed: intSpec(0, 2 ** 31 - 1),
  seeds: intSpec(1, MAX_SEEDS),
  hiddenGradEvery: intSpec(0, LIMITS.steps),
  pair: boolSpec,
};

export const CLIP_FIELD_SPECS: Record<keyof ClipConfig, FieldSpec> = {
  mode: enumSpec(CLIP_MODES),
  min: numSpec(-LIMITS.clipBound, LIMITS.clipBound),
  max: numSpec(-LIMITS.clipBound, LIMITS.clipBound),
  threshold: numSpec(0, LIMITS.clipBound, { exclusiveMin: true }),
  normType: enumSpec(NORM_TYPES),
};

/** Checks that span fields; each returns a message naming the values, or null. */
export function checkClip(clip: ClipConfig): string | null {
  if (clip.mode === 'value' && clip.min > clip.max) {
    return `clip min (${clip.min}) is greater than clip max (${clip.max}); min must be at most max`;
  }
  return null;
}

/**
 * Refuses sizes that would exhaust the machine before anything is allocated:
 * the recurrent activations kept for backprop grow as batch x T x hidden x layers x gates
 * (T = 28 for MNIST, the adding problem's seqLen).
 */
export function checkBudget(config: ExperimentConfig): string | null {
  if (config.model === 'dense') {
    const rows = config.data === 'rs1' ? 1000 : config.samples;
    if (config.batch > rows) return `batch (${config.batch}) is larger than the data set (${rows} rows)`;
    return null;
  }
  const steps = sequenceSteps(config);
  const activations = config.batch * steps * config.hidden * config.layers * 6;
  const MAX_ACTIVATIONS = 64 * 28 * 512 * 2 * 6;
  if (activations > MAX_ACTIVATIONS) {
    if (config.task === 'mnist') {
      return `batch x hidden x layers (${config.batch} x ${config.hidden} x ${config.layers}) is too large for one step in a browser; keep batch x hidden x layers at most ${64 * 512 * 2}`;
    }
    return `batch x T x hidden x layers (${config.batch} x ${steps} x ${config.hidden} x ${config.layers}) is too large for one step in a browser; keep batch x T x hidden x layers at most ${64 * 28 * 512 * 2}`;
  }
  if (config.batch > config.trainSize) return `batch (${config.batch}) is larger than trainSize (${config.trainSize})`;
  return null;
}
