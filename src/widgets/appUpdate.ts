/**
 * Whether a new version of the lab is waiting (its service worker installed, not yet in charge), and how to take
 * it. Set by src/entry/update.ts, read by UpdateBanner; a tiny store of its own so the widget needs no app store.
 */
type Listener = () => void;

let waiting: (() => Promise<void>) | null = null;
const listeners = new Set<Listener>();

/** A new version is ready; `take` makes it the page's (the service worker takes over, the page reloads). */
export function announceUpdate(take: () => Promise<void>): void {
  waiting = take;
  for (const listener of listeners) listener();
}

export function subscribeUpdate(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function waitingUpdate(): (() => Promise<void>) | null {
  return waiting;
}
