/**
 * "A new version is ready": shown once the new version's service worker has installed. It is taken when the
 * student reloads with the button, never in the middle of a run (the button waits while anything trains).
 */
import { useSyncExternalStore } from 'react';
import { subscribeUpdate, waitingUpdate } from './appUpdate.ts';

export function UpdateBanner({ busy }: { busy: boolean }) {
  const take = useSyncExternalStore(subscribeUpdate, waitingUpdate, () => null);
  if (!take) return null;
  return (
    <div className="update-banner" role="status">
      <span>
        A new version of Gradient Lab is ready.{' '}
        {busy ? 'It will be used when you reload, once training has stopped.' : 'Reload to use it.'}
      </span>{' '}
      <button type="button" className="small" disabled={busy} onClick={() => void take()}>
        Reload now
      </button>
    </div>
  );
}
