/**
 * "What happened": the narrator's events, numbered as the charts mark them, a few sentences per run, and
 * the pair or race compared, in the words `gradlab run --narrate` prints (present/narrator.ts).
 */
import { taskOf, type TaskKind } from '../train/metricSchema.ts';
import { numberedEvents } from '../charts/markers.ts';
import { lookColor, lookTextColor, useChartLook } from '../charts/chartLook.ts';
import { runColors, runLabel } from '../charts/palette.ts';
import { RUN_SIDES } from '../experiment/config.ts';
import { compareRace, comparePair, summarizeStory } from '../present/narrator.ts';
import { pairSeedsClaim, runSeedsClaim } from '../present/seedClaims.ts';
import { useShallow } from 'zustand/react/shallow';
import { useLab, type LabState } from '../store/labStore.ts';

/** Events listed at most; the charts mark them all. */
const SHOWN = 12;

/** Re-renders when a story is published (an event, a run's end, or once a second), not with every batch. */
export function useNarrations(): void {
  useLab(useShallow((s) => RUN_SIDES.flatMap((side) => [s.runs[side]?.narration, s.runs[side]?.seeds])));
}

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
  const sides = RUN_SIDES.filter((side) => runs[side]?.narration);
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

export function Narration() {
  useNarrations();
  const runs = useLab.getState().runs;
  const events = numberedEvents(runs);
  const look = useChartLook();
  const colors = runColors(runs);
  const sides = RUN_SIDES.filter((side) => runs[side]?.narration);
  if (sides.length === 0) return null;
  const together = comparedSentence(runs);
  const seeds = seedsSentence(runs, taskOf(useLab.getState().config));
  return (
    <section className="narration" aria-labelledby="narration-title" data-testid="narration">
      <h2 id="narration-title">What happened</h2>
      {seeds && (
        <p className="pair-story" data-testid="seeds-story">
          {seeds}
        </p>
      )}
      {together && <p className="pair-story">{together}</p>}
      {sides.map((side) => {
        const run = runs[side];
        if (!run?.narration || run.narration.steps === 0) return null;
        return (
          <p key={side}>
            <strong style={{ color: lookTextColor(look, colors[side] ?? '#333333') }}>{runLabel(runs, side)}:</strong>{' '}
            {summarizeStory(run.narration, run.clip)}
          </p>
        );
      })}
      {events.length > 0 && (
        <ol className="events">
          {events.slice(0, SHOWN).map((e) => (
            <li key={e.n} value={e.n} style={{ borderLeftColor: lookColor(look, colors[e.side] ?? '') }}>
              <span className="who">{runLabel(runs, e.side)}.</span> {e.sentence}
            </li>
          ))}
          {events.length > SHOWN && <li className="more">and {events.length - SHOWN} more, marked on the charts.</li>}
        </ol>
      )}
    </section>
  );
}
