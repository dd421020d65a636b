/**
 * Says that a new version of the lab is ready, and takes it (a reload) when the student asks: never while a run
 * trains, since the reload would stop it (the history keeps its steps, but the student is watching).
 */
import { useLab } from '../store/labStore.ts';
import './update.css';

/** What the banner shows: nothing until a version waits and can be taken; its button refused while a run trains. */
export function UpdateNotice({ take, training }: { take: (() => void) | null; training: boolean }) {
  if (!take) return null;
  return (
    <div className="update-banner" role="status">
      <span>A new version of Gradient Lab is ready.</span>{' '}
      <button type="button" onClick={take} disabled={training}>
        Reload to use it
      </button>
      {training && <span className="update-wait"> Pause or let the run finish first.</span>}
    </div>
  );
}

export function UpdateBanner() {
  const ready = useLab((s) => s.updateReady);
  const take = useLab((s) => s.takeUpdate);
  const playing = useLab((s) => s.playing);
  return <UpdateNotice take={ready ? take : null} training={playing} />;
}
