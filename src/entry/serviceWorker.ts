/**
 * Registers the service worker that keeps the lab working offline (vite.config.ts `offline`). A newer version
 * that it fetches waits, announced by ui/UpdateBanner.tsx; the student takes it with the banner's button,
 * which the banner offers only while no run trains. Without service workers (an old browser, a page opened
 * from disk, a context that blocks them) the lab works online as before.
 */
import { registerSW } from 'virtual:pwa-register';
import { useLab } from '../store/labStore.ts';

export function startOffline(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  const update = registerSW({
    onNeedRefresh: () => useLab.setState({ updateReady: true }),
    onRegisterError: (error: unknown) => {
      console.warn('Gradient Lab will not work offline: its service worker could not be registered.', error);
    },
  });
  useLab.setState({ takeUpdate: () => void update(true) });
}
