/**
 * What followed a knob turned while it trained ("After the clip threshold went from 1 to 0.1 at step 120, the
 * steps got 10x shorter"), measured from the run's own record: the length of each step, ||w_after - w_before||
 * over every parameter, recovered from the update ratio and the weight norm the step reports, compared over the
 * steps just before the change and just after. The narrator (narrator.ts) decides when to tell it.
 */
import type { ClipConfig } from '../experiment/config.ts';
import type { ClipKnob } from '../experiment/schedule.ts';
import type { Divergence, StepMetrics } from '../train/metrics.ts';
import { UPDATE_RATIO_FLOOR } from '../train/metricSchema.ts';
import { figure, formatAgainst, type Claim } from './claims.ts';
import { clipName } from './clipName.ts';
import { formatNumber } from './describe.ts';

/** Steps compared on each side of a change. */
export const KNOB_WINDOW = 10;
/** Fewer steps than this before a change (a change at step 0, say): nothing to compare with. */
export const KNOB_MIN_BEFORE = 3;
/** "Shorter" or "longer" only beyond this factor either way; inside it the steps "stayed about as long". */
export const KNOB_CHANGED = 1.25;

/** A knob as it was turned: the value before and after, for the sentence. */
export type KnobTurn = { step: number } & (
  { knob: 'lr'; from: number | null; to: number } | { knob: ClipKnob; from: ClipConfig; to: ClipConfig }
);

/**
 * How far a step moved the weights: sqrt(sum_i ||update_i||^2), each ||update_i|| = update ratio x
 * max(||w_i|| before, floor), exactly the division the step reported undone. NaN when a figure is not finite.
 */
export function stepLength(m: StepMetrics): number {
  let sum = 0;
  for (const [i, ratio] of m.updateRatio.entries()) {
    const update = ratio * Math.max(m.weightNorm[i] ?? NaN, UPDATE_RATIO_FLOOR);
    sum += update * update;
  }
  return Number.isFinite(sum) ? Math.sqrt(sum) : NaN;
}

export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** "the learning rate went from 0.07 to 0.01", "the clip threshold went from 1 to 0.1", ... */
export function turnWords(turn: KnobTurn): string {
  if (turn.knob === 'lr')
    return turn.from === null
      ? `the learning rate went to ${formatNumber(turn.to, 4)}`
      : `the learning rate went from ${formatNumber(turn.from, 4)} to ${formatNumber(turn.to, 4)}`;
  const { from, to } = turn;
  const whose =
    turn.knob === 'clip' || turn.knob === 'baseClip'
      ? 'clip'
      : `${turn.knob === 'run3' ? 'third' : 'fourth'} run's clip`;
  const symmetric = (c: ClipConfig) => c.mode === 'value' && c.min === -c.max;
  if (symmetric(from) && symmetric(to))
    return `the ${whose} bound went from ±${formatNumber(from.max, 4)} to ±${formatNumber(to.max, 4)}`;
  if (from.mode === to.mode && from.mode !== 'none' && from.mode !== 'value' && from.normType === to.normType)
    return `the ${whose} threshold went from ${formatNumber(from.threshold, 4)} to ${formatNumber(to.threshold, 4)}`;
  return `the ${whose}ping went from "${clipName(from)}" to "${clipName(to)}"`;
}

/**
 * The sentence about a change, once it can be said: the steps' median length over the KNOB_WINDOW steps up to
 * the change and the KNOB_WINDOW after it, or the divergence that came first. Null while the steps after are
 * still to come, and where there is nothing to compare (fewer than KNOB_MIN_BEFORE finite steps before).
 */
export function knobClaim(
  turn: KnobTurn,
  before: readonly StepMetrics[],
  after: readonly StepMetrics[],
  divergence: Divergence | null,
): Claim | null {
  const what = turnWords(turn);
  const at = turn.step;
  if (divergence && divergence.step > at && divergence.step <= at + KNOB_WINDOW)
    return {
      text: `After ${what} at step ${at}, the run diverged at step ${divergence.step}.`,
      figures: [],
    };
  const lengths = (steps: readonly StepMetrics[]) => steps.map(stepLength).filter(Number.isFinite);
  const was = lengths(before.filter((m) => m.step <= at).slice(-KNOB_WINDOW));
  const now = lengths(after.filter((m) => m.step > at).slice(0, KNOB_WINDOW));
  if (was.length < KNOB_MIN_BEFORE || now.length < KNOB_WINDOW) return null;
  const [a, b] = [medianOf(was), medianOf(now)];
  if (!(a > 0) || !(b > 0)) return null;
  const ratio = a / b;
  const [aPrinted, bPrinted] = [formatAgainst(a, b), formatAgainst(b, a)];
  const where = { step: at };
  const figures = [figure('stepLengthBefore', a, aPrinted, where), figure('stepLengthAfter', b, bPrinted, where)];
  const lengthsText = `(median step length ${aPrinted} over the ${was.length} steps before, ${bPrinted} over the ${now.length} after)`;
  if (ratio >= KNOB_CHANGED) {
    const printed = `${formatAgainst(ratio, KNOB_CHANGED, 2)}x`;
    return {
      text: `After ${what} at step ${at}, the steps got ${printed} shorter ${lengthsText}.`,
      figures: [...figures, figure('stepLengthChange', ratio, printed, where)],
    };
  }
  if (ratio <= 1 / KNOB_CHANGED) {
    const printed = `${formatAgainst(1 / ratio, KNOB_CHANGED, 2)}x`;
    return {
      text: `After ${what} at step ${at}, the steps got ${printed} longer ${lengthsText}.`,
      figures: [...figures, figure('stepLengthChange', 1 / ratio, printed, where)],
    };
  }
  return { text: `After ${what} at step ${at}, the steps stayed about as long ${lengthsText}.`, figures };
}
