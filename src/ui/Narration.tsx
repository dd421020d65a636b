/**
 * "What happened": the narrator's events, numbered as the charts mark them, a few sentences per run, and
 * the pair or race compared, in the words `gradlab run --narrate` prints (present/narrator.ts).
 */
import { taskOf } from '../train/metricSchema.ts';
import { numberedEvents } from '../charts/markers.ts';
import { lookColor, lookTextColor, useChartLook } from '../charts/chartLook.ts';
import { runColors, runLabel } from '../charts/palette.ts';
import { RUN_SIDES } from '../experiment/config.ts';
import { summarizeStory } from '../present/narrator.ts';
import { useShallow } from 'zustand/react/shallow';
import { useLab } from '../store/labStore.ts';
import { comparedSentence, seedsSentence } from './comparedSentence.ts';

/** Events listed at most; the charts mark them all. */
const SHOWN = 12;

/** Re-renders when a story is published (an event, a run's end, or once a second), not with every batch. */
export function useNarrations(): void {
  useLab(useShallow((s) => RUN_SIDES.flatMap((side) => [s.runs[side]?.narration, s.runs[side]?.seeds])));
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
