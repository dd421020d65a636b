/**
 * Whether what a student predicted happened. A teacher's choice can stand for an outcome (experiment/lesson.ts);
 * after the runs, the lab judges it from the figures its own "What happened" sentence is written from: the
 * narrator's stories (whether a run diverged) and its ranking of the runs at the end (narrator.ts rankRuns: test
 * accuracy for classifiers, the test MSE when measured, else the final batch loss). No figure is computed here.
 */
import { clipOf, sidesOf, type ClipConfig, type ExperimentConfig, type RunSide } from '../experiment/config.ts';
import type { Outcome } from '../experiment/lesson.ts';
import { clipName } from './clipName.ts';
import { rankRuns, type RunStory } from './narrator.ts';

/** One finished run, as the lesson's verdict reads it. */
export interface LessonRun {
  side: RunSide;
  clip: ClipConfig;
  story: RunStory;
}

/** Runs whose final figures differ by at most this fraction of the larger one "end close". */
export const CLOSE_FRACTION = 0.05;

/**
 * Whether the outcome happened: true or false, or null when these runs cannot tell (a best run among one run, an
 * outcome about a run that was not trained, runs that have nothing to rank by).
 */
export function outcomeHolds(outcome: Outcome, runs: readonly LessonRun[]): boolean | null {
  if (runs.length === 0) return null;
  switch (outcome.kind) {
    case 'diverges': {
      const run = runs.find((r) => r.side === outcome.side);
      return run ? run.story.divergence !== null : null;
    }
    case 'none-diverge':
      return runs.every((r) => r.story.divergence === null);
    case 'all-diverge':
      return runs.every((r) => r.story.divergence !== null);
    case 'best': {
      if (runs.length < 2 || !runs.some((r) => r.side === outcome.side)) return null;
      const { ranked, value } = rankRuns(runs);
      const [first, second] = ranked;
      if (!first) return false; // every run diverged: none ended best
      // A tie is no run's win: two runs that took the very same steps end level.
      if (second && value(second) === value(first)) return false;
      return first.side === outcome.side;
    }
    case 'close': {
      if (runs.length < 2) return null;
      if (runs.some((r) => r.story.divergence !== null)) return false;
      const { ranked, value } = rankRuns(runs);
      if (ranked.length < runs.length) return null;
      const values = ranked.map(value);
      const spread = Math.max(...values) - Math.min(...values);
      const scale = Math.max(...values.map(Math.abs));
      return scale === 0 || spread <= CLOSE_FRACTION * scale;
    }
  }
}

/** What each run of the experiment is called in a lesson's choices: "the clipped run", or its clipping's name. */
export function lessonRunNames(config: ExperimentConfig): Partial<Record<RunSide, string>> {
  const sides = sidesOf(config);
  const names: Partial<Record<RunSide, string>> = {};
  const pairAsTrained = sides.length === 2 && config.baseClip.mode === 'none' && config.clip.mode !== 'none';
  for (const side of sides) {
    if (sides.length === 1) names[side] = 'the run';
    else if (pairAsTrained) names[side] = side === 'baseline' ? 'the unclipped run' : 'the clipped run';
    else names[side] = `the run "${clipName(clipOf(config, side))}"`;
  }
  return names;
}

/** An outcome in words, for the teacher's editor and the student's verdict: "the clipped run ends best". */
export function outcomeWords(outcome: Outcome, names: Partial<Record<RunSide, string>>): string {
  const count = Object.keys(names).length;
  switch (outcome.kind) {
    case 'best':
      return `${names[outcome.side] ?? outcome.side} ends best`;
    case 'diverges':
      return `${names[outcome.side] ?? outcome.side} diverges`;
    case 'none-diverge':
      return count === 1 ? 'the run stays finite' : 'no run diverges';
    case 'all-diverge':
      return count === 2 ? 'both runs diverge' : 'every run diverges';
    case 'close':
      return `the runs end within ${Math.round(CLOSE_FRACTION * 100)}% of each other`;
  }
}
