/**
 * What a run over several seeds did, in words: how many of its seeds diverged and when, and how many learned.
 * Written from each seed's outcome (train/seedBands.ts), once every seed of the run has finished or diverged; each
 * clause only where it applies (no "diverged in 0 of 10", no "learned" for a run whose every seed diverged).
 *
 * A seed "learned" as the narrator says a run did (narrator.ts's learnedClause): it stayed finite to its last step
 * and its final batch loss (the mean of its last tenth of steps) is at most half its first.
 */
import type { SeedOutcome } from '../train/seedBands.ts';
import type { Claim } from './claims.ts';
import { ADDING_BASELINE_MSE } from '../experiment/config.ts';
import type { TaskKind } from '../train/metricSchema.ts';
import { ADDING_CLEARLY_BELOW, BARELY_FELL } from './narrator.ts';

/**
 * A seed that stayed finite to its last step and whose final loss is at most BARELY_FELL of its first. On the adding
 * problem that is not enough: its first loss is far above the 1/6 of always answering 1, so halving it can leave the
 * run no better than that answer. There it must also end clearly below it, where the narrator stops calling it
 * "just below" (under 0.8 of 1/6).
 */
export function seedLearned(outcome: SeedOutcome, task: TaskKind = 'regression'): boolean {
  const { firstLoss, finalLoss } = outcome;
  if (outcome.divergedAt !== null || firstLoss === null || finalLoss === null || !(firstLoss > 0)) return false;
  if (task === 'adding' && !(finalLoss <= ADDING_CLEARLY_BELOW * ADDING_BASELINE_MSE)) return false;
  return finalLoss <= BARELY_FELL * firstLoss;
}

/** Whether every seed of the run has finished or diverged (the claims speak only then). */
export function seedsDone(outcomes: readonly SeedOutcome[]): boolean {
  return outcomes.length > 1 && outcomes.every((o) => o.done);
}

/** "in 10 of 10 seeds, by step 5 in all" / "in 3 of 10 seeds, at steps 4 to 9" / "in 1 of 10 seeds, at step 30"; null when none did. */
function divergedClause(outcomes: readonly SeedOutcome[]): string | null {
  const steps = outcomes.flatMap((o) => (o.divergedAt === null ? [] : [o.divergedAt]));
  if (steps.length === 0) return null;
  const first = Math.min(...steps);
  const last = Math.max(...steps);
  const when =
    steps.length === 1 ? `at step ${last}` : first === last ? `by step ${last} in all` : `at steps ${first} to ${last}`;
  return `diverged in ${steps.length} of ${outcomes.length} seeds, ${when}`;
}

/** "learned in 8 of 10 seeds"; null when no seed stayed finite (learning does not apply). */
function learnedClause(outcomes: readonly SeedOutcome[], task: TaskKind, short = false): string | null {
  if (outcomes.every((o) => o.divergedAt !== null)) return null;
  const learned = outcomes.filter((o) => seedLearned(o, task)).length;
  return `learned in ${learned} of ${outcomes.length}${short ? '' : ' seeds'}`;
}

/** One run's seeds: "The unclipped run diverged in 10 of 10 seeds, by step 5 in all." (null before they are done). */
export function runSeedsClaim(
  name: string,
  outcomes: readonly SeedOutcome[],
  task: TaskKind = 'regression',
): Claim | null {
  if (!seedsDone(outcomes)) return null;
  const diverged = divergedClause(outcomes);
  const learned = learnedClause(outcomes, task, diverged !== null);
  const parts = [diverged, learned].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  return { text: `The ${name} ${parts.join(', and ')}.`, figures: [] };
}

/**
 * A pair over seeds, where the clipping saved it: "The unclipped run diverged in 10 of 10 seeds, by step 5 in all;
 * clipped, it learned in 8 of 10 seeds." Otherwise each run's own sentence, one after the other.
 */
export function pairSeedsClaim(
  baseline: readonly SeedOutcome[],
  clipped: readonly SeedOutcome[],
  task: TaskKind = 'regression',
): Claim | null {
  const base = runSeedsClaim('unclipped run', baseline, task);
  const clip = runSeedsClaim('clipped run', clipped, task);
  if (!base || !clip) return base ?? clip;
  const baseDiverged = divergedClause(baseline);
  const clipDiverged = divergedClause(clipped);
  const clipLearned = learnedClause(clipped, task);
  if (baseDiverged && !clipDiverged && clipLearned)
    return { text: `The unclipped run ${baseDiverged}; clipped, it ${clipLearned}.`, figures: [] };
  return { text: `${base.text} ${clip.text}`, figures: [] };
}
