/**
 * Registers the service worker that keeps the lab working offline (vite.config.ts `offline`). A newer version
 * that it fetches waits, announced by ui/UpdateBanner.tsx; the student takes it with the banner's button,
 * which the banner offers only while no run trains. Without service workers (an old browser, a page opened
 * from disk, a context that blocks them) the lab works online as before.
 */
import { registerSW } from 'virtual:pwa-register';
import { useLab } from '../store/labStore.ts';
import { whenQuiet } from '../store/quiet.ts';
import { afterFirstPaint } from '../store/session.ts';

/**
 * The service worker registers once the page has painted and is then quiet (store/quiet.ts: no run has trained for
 * a few seconds). Its install fetches and caches the whole app (megabytes of WebAssembly among it) on the same cores
 * as the page and its workers: at start-up it was most of Lighthouse's mobile blocking time, and during training it
 * made long tasks (docs/PERFORMANCE.md). A student who presses Play at once gets it at the first pause of a few
 * seconds, or on the next visit.
 */
export function startOffline(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  void afterFirstPaint().then(() => whenQuiet(register));
}

function register(): void {
  const update = registerSW({
    onNeedRefresh: () => useLab.setState({ updateReady: true }),
    onRegisterError: (error: unknown) => {
      console.warn('Gradient Lab will not work offline: its service worker could not be registered.', error);
    },
  });
  useLab.setState({ takeUpdate: () => void update(true) });
}
