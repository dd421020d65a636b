/**
 * Whether the page is quiet: no run has trained for QUIET_MS. Work that can wait does, until then: the service
 * worker's first install (entry/serviceWorker.ts) and auto's backend trial (session.ts tells the workers). Either
 * beside a run took the cores from it and from the page: the trial's WebGL timing, run as soon as a race's diverged
 * run was over, was most of the race's long tasks (docs/PERFORMANCE.md).
 */
import { useLab } from './labStore.ts';

/** A Pause shorter than this is part of watching a run, not the end of it. */
export const QUIET_MS = 3000;

/**
 * Calls `listener` with each change of quietness, the first being the state now (false: a page that has just opened,
 * or pressed Play, becomes quiet after QUIET_MS). Returns the unsubscribe.
 */
export function onQuietChange(listener: (quiet: boolean) => void): () => void {
  let quiet = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const set = (now: boolean) => {
    if (now === quiet) return;
    quiet = now;
    listener(now);
  };
  const check = () => {
    if (useLab.getState().playing) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      set(false);
    } else if (!quiet)
      timer ??= setTimeout(() => {
        timer = null;
        set(true);
      }, QUIET_MS);
  };
  const stop = useLab.subscribe(check);
  listener(false);
  check();
  return () => {
    stop();
    if (timer !== null) clearTimeout(timer);
  };
}

/** Calls `then` once, the first time the page is quiet. */
export function whenQuiet(then: () => void): void {
  // Never quiet within onQuietChange's own call (its first word is always false), so `stop` is set by then.
  const stop = onQuietChange((quiet) => {
    if (!quiet) return;
    stop();
    then();
  });
}
