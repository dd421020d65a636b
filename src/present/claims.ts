/**
 * Claims: a sentence the lab says about a run, with the figures it quotes. Every such sentence is written by a
 * function of the run (its model, task, clipping and layout) and its figures that returns null where the
 * sentence does not apply, so a test can walk every kind of run and hold each quoted number to the metric it
 * names (test/unit/claims.test.ts).
 */
import type { ClipConfig, ModelKind } from '../experiment/config.ts';
import type { RunLayout } from '../train/metrics.ts';
import { formatNumber } from './describe.ts';

/**
 * What a quoted number is. The StepMetrics fields by their names; the others are derived from one step's
 * metrics (`appliedRatio` = globalNormPost / globalNormPre, `hiddenGradRatio` = ||dL/dh_1|| / ||dL/dh_T|| of a
 * layer and `hiddenGradShrink` its inverse, `spikeRatio` = the norm over the running median, `shortening` = 1 / appliedRatio) or from a run's
 * story (`mean...`, `firstLoss`, `finalLoss`), or from an evaluation (`testLoss`, `testSolved`, `testAccuracy`).
 */
export type FigureMetric =
  | 'loss'
  | 'globalNormPre'
  | 'clipFraction'
  | 'gradNormPre'
  | 'appliedRatio'
  | 'shortening'
  | 'runningMedian'
  | 'spikeRatio'
  | 'hiddenGradRatio'
  | 'hiddenGradShrink'
  | 'spectralNorm'
  | 'saturation'
  | 'meanAppliedRatio'
  | 'meanShortening'
  | 'meanTurnDegrees'
  | 'clippedStepsFraction'
  | 'firstLoss'
  | 'finalLoss'
  | 'testLoss'
  | 'testSolved'
  | 'testAccuracy'
  // After a knob turned at step S (knobClaims.ts): the median step length over the steps up to S and after it,
  // and their ratio (the larger over the smaller).
  | 'stepLengthBefore'
  | 'stepLengthAfter'
  | 'stepLengthChange';

export interface Figure {
  metric: FigureMetric;
  /** The layer or parameter a per-layer or per-parameter figure is of. */
  of?: string;
  /** The run it is of, where a sentence speaks of several. */
  run?: string;
  /** The step it was read at, for one step's figure; the evaluation's step for a test figure. */
  step?: number;
  value: number;
  /** The number as the sentence prints it ("25%" for a fraction of 0.25, "60°", "4x"). */
  printed: string;
}

export interface Claim {
  text: string;
  figures: Figure[];
}

export type TaskKind = 'regression' | 'mnist' | 'adding';

/** What a claim needs to know of a run to say only what applies to it. */
export interface RunContext {
  model: ModelKind;
  task: TaskKind;
  clip: ClipConfig;
  layout: RunLayout;
  /** Time steps a recurrent net reads (28 for MNIST, the adding problem's T); 0 for the dense net. */
  timeSteps: number;
}

/** The model a layout belongs to, from its first layer's name (`fc1`, `rnn0`, `lstm0`, `gru0`). */
export function modelOf(layout: RunLayout): ModelKind {
  const match = /^(rnn|lstm|gru)\d+$/.exec(layout.layers[0] ?? '');
  return match ? (match[1] as ModelKind) : 'dense';
}

export function taskOf(layout: RunLayout): TaskKind {
  if (modelOf(layout) === 'dense') return 'regression';
  return layout.classifier ? 'mnist' : 'adding';
}

export function runContext(clip: ClipConfig, layout: RunLayout): RunContext {
  return { model: modelOf(layout), task: taskOf(layout), clip, layout, timeSteps: layout.timeSteps };
}

/** The recurrent layers' names (the first `hiddenLayers`, or every layer named like one). */
export function recurrentLayers(layout: RunLayout): string[] {
  return layout.layers.filter((name) => /^(rnn|lstm|gru)\d+$/.test(name));
}

/**
 * A number printed with as many significant digits as it takes (3 at least) to be on the same side of `bound`
 * as the value: 1.003 is "1.003" beside "above 1", never "1".
 */
export function formatAgainst(value: number, bound: number, digits = 3): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  const side = Math.sign(value - bound);
  // Equal to its bound: no number of digits puts it on a side (the loop would print all 17).
  if (side === 0) return formatNumber(value, digits);
  for (let d = digits; d <= 17; d++) {
    const printed = formatNumber(value, d);
    if (Math.sign(Number(printed) - bound) === side) return printed;
  }
  return String(value);
}

/** A fraction as a percentage, "25%", printed on the same side of `bound` (a fraction too) as the value. */
export function percentAgainst(fraction: number, bound: number | null = null, digits = 2): string {
  return `${bound === null ? formatNumber(100 * fraction, digits) : formatAgainst(100 * fraction, 100 * bound, digits)}%`;
}

/** A figure as printed, with what it is. */
export function figure(
  metric: FigureMetric,
  value: number,
  printed: string,
  where: { of?: string; run?: string; step?: number } = {},
): Figure {
  return { metric, value, printed, ...where };
}

/** The parameter tensor names of a layer, as the layout lists them. */
export function layerParams(layout: RunLayout, layer: string): { name: string; size: number; index: number }[] {
  return layout.params.flatMap((p, index) => (p.layer === layer ? [{ name: p.name, size: p.size, index }] : []));
}

/**
 * An evaluation worth quoting: of a net that was still finite. A diverged run's evaluation at or after the step it
 * diverged at measures overflowed weights (a test MSE of 7e27 says nothing), and a non-finite figure is no figure.
 */
export function quotableEvaluation<E extends { step: number; testLoss: number; testAccuracy: number | null }>(
  evaluation: E | null | undefined,
  divergence: { step: number } | null | undefined,
): E | null {
  if (!evaluation) return null;
  if (divergence && evaluation.step >= divergence.step) return null;
  if (!Number.isFinite(evaluation.testLoss)) return null;
  if (evaluation.testAccuracy !== null && !Number.isFinite(evaluation.testAccuracy)) return null;
  return evaluation;
}

/** Gates stacked in a recurrent layer's W_hh: its columns are gates x hidden. */
export const GATES: Record<Exclude<ModelKind, 'dense'>, number> = { rnn: 1, gru: 3, lstm: 4 };
