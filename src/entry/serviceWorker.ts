/**
 * Registers the service worker that keeps the lab working offline (vite.config.ts `offline`). A newer version
 * that it fetches waits, announced by ui/UpdateBanner.tsx; the student takes it with the banner's button,
 * which the banner offers only while no run trains. Without service workers (an old browser, a page opened
 * from disk, a context that blocks them) the lab works online as before.
 */
import { registerSW } from 'virtual:pwa-register';
import { useLab } from '../store/labStore.ts';
import { afterFirstPaint } from '../store/session.ts';

/**
 * How long after the page's first paint the service worker is registered. Its install fetches and caches the whole
 * app (some megabytes of WebAssembly among it) on the cores that start the page and its workers; a first visit
 * has nothing to gain from it before the page is up.
 */
export const OFFLINE_AFTER_PAINT_MS = 3000;

export function startOffline(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  void afterFirstPaint().then(() => setTimeout(register, OFFLINE_AFTER_PAINT_MS));
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
