/**
 * The sentences that compare the runs on the page: the pair or race as trained, and over several seeds. Pure: the
 * page's runs in, words out (present/narrator.ts and present/seedClaims.ts make the words).
 */
import { runLabel } from '../charts/palette.ts';
import { RUN_SIDES } from '../experiment/config.ts';
import { compareRace, comparePair } from '../present/narrator.ts';
import { pairSeedsClaim, runSeedsClaim } from '../present/seedClaims.ts';
import type { LabState } from '../store/labStore.ts';
import type { TaskKind } from '../train/metricSchema.ts';

/**
 * A pair or race over several seeds, once every seed has finished or diverged: how many diverged and how many
 * learned ("The unclipped run diverged in 10 of 10 seeds, by step 5 in all; clipped, it learned in 8 of 10 seeds.").
 * '' for a run of one seed.
 */
export function seedsSentence(runs: LabState['runs'], task: TaskKind): string {
  const baseline = runs.baseline?.seeds;
  const clipped = runs.clipped?.seeds;
  const pairAsTrained = runs.baseline?.clip.mode === 'none' && runs.clipped?.clip.mode !== 'none' && !runs.third;
  if (pairAsTrained && baseline && clipped) return pairSeedsClaim(baseline, clipped, task)?.text ?? '';
  return RUN_SIDES.flatMap((side) => {
    const outcomes = runs[side]?.seeds;
    const name = side === 'third' || side === 'fourth' ? `${side} run` : `${runLabel(runs, side).toLowerCase()} run`;
    const claim = outcomes ? runSeedsClaim(name, outcomes, task) : null;
    return claim ? [claim.text] : [];
  }).join(' ');
}

/** The pair or the race compared, once every run has taken a step; '' before, or for a single run. */
export function comparedSentence(runs: LabState['runs']): string {
  // A run whose worker crashed stopped early, not at the end: it is told on its card and in its own paragraph, and
  // neither ranked with the runs that went on nor counted as one that "stayed finite".
  const sides = RUN_SIDES.filter((side) => runs[side]?.narration && runs[side]?.phase !== 'crashed');
  const started = sides.length > 0 && sides.every((side) => (runs[side]?.narration?.steps ?? 0) > 0);
  if (!started) return '';
  const entries = sides.flatMap((side) => {
    const run = runs[side];
    return run?.narration ? [{ name: runLabel(runs, side), clip: run.clip, story: run.narration }] : [];
  });
  const baseline = runs.baseline?.narration;
  const clipped = runs.clipped?.narration;
  // comparePair speaks of "the unclipped run" and "the clipped run": true of a pair as trained, not of two
  // stored runs compared (either may be the clipped one) or of a race, whose runs are told apart by name.
  const pairAsTrained = sides.length === 2 && runs.baseline?.clip.mode === 'none' && runs.clipped?.clip.mode !== 'none';
  if (pairAsTrained && baseline && clipped) return comparePair(baseline, clipped);
  return entries.length > 1 ? compareRace(entries) : '';
}
