/**
 * "What happened": the narrator's events, numbered as the charts mark them, a few sentences per run, and
 * the pair compared, in the words `gradlab run --narrate` prints (present/narrator.ts).
 */
import { numberedEvents } from '../charts/markers.ts';
import { SIDE_COLOR, runLabel } from '../charts/palette.ts';
import { comparePair, summarizeStory } from '../present/narrator.ts';
import { useShallow } from 'zustand/react/shallow';
import { useLab } from '../store/labStore.ts';

/** Events listed at most; the charts mark them all. */
const SHOWN = 12;

export function Narration() {
  // Re-rendered when a story is published (an event, a run's end, or once a second), not with every batch.
  useLab(useShallow((s) => [s.runs.baseline?.narration, s.runs.clipped?.narration]));
  const runs = useLab.getState().runs;
  const events = numberedEvents(runs);
  const sides = (['baseline', 'clipped'] as const).filter((side) => runs[side]?.narration);
  if (sides.length === 0) return null;
  const baseline = runs.baseline?.narration;
  const clipped = runs.clipped?.narration;
  const pair = baseline && clipped && baseline.steps > 0 && clipped.steps > 0 ? comparePair(baseline, clipped) : '';
  return (
    <section className="narration" aria-labelledby="narration-title" data-testid="narration">
      <h2 id="narration-title">What happened</h2>
      {pair && <p className="pair-story">{pair}</p>}
      {sides.map((side) => {
        const run = runs[side];
        if (!run?.narration || run.narration.steps === 0) return null;
        return (
          <p key={side}>
            <strong style={{ color: SIDE_COLOR[side] }}>{runLabel(runs, side)}:</strong>{' '}
            {summarizeStory(run.narration, run.clip)}
          </p>
        );
      })}
      {events.length > 0 && (
        <ol className="events">
          {events.slice(0, SHOWN).map((e) => (
            <li key={e.n} value={e.n} style={{ borderLeftColor: SIDE_COLOR[e.side] }}>
              <span className="who">{runLabel(runs, e.side)}.</span> {e.sentence}
            </li>
          ))}
          {events.length > SHOWN && <li className="more">and {events.length - SHOWN} more, marked on the charts.</li>}
        </ol>
      )}
    </section>
  );
}
