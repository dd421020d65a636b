/**
 * The service worker (vite-plugin-pwa, Workbox): registered once the page has loaded, so it never competes with
 * the first screen. When a new version has installed, the page says so (UpdateBanner); it takes over only when the
 * student reloads with the banner's button, not by itself in the middle of a run.
 */
import { registerSW } from 'virtual:pwa-register';
import { announceUpdate } from '../widgets/appUpdate.ts';

export function startServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const updateServiceWorker = registerSW({
    immediate: false,
    onNeedRefresh: () => announceUpdate(() => updateServiceWorker(true)),
  });
}
