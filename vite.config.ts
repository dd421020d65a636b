import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';
import { CONTENT_SECURITY_POLICY } from './src/entry/csp.ts';

/** The built pages carry the policy; the dev server does not (its hot reload needs inline scripts). */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'gradient-lab-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * The service worker (Workbox, through vite-plugin-pwa): after one visit the lab works offline. It precaches the
 * app shell, the workers and tfjs's WASM binaries, and keeps the MNIST chunks once an experiment has fetched them.
 * A new version waits until the page says so and the student reloads (registerType 'prompt', src/entry/update.ts).
 */
function offline(): Plugin[] {
  return VitePWA({
    registerType: 'prompt',
    injectRegister: null,
    manifest: {
      name: 'Gradient Lab',
      short_name: 'Gradient Lab',
      description: 'Watch gradients explode in the browser, and watch gradient clipping stop them.',
      start_url: './',
      scope: './',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#1f5fbf',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{html,js,css,wasm,csv,svg,png}'],
      // The benchmark's page is not the lab; MNIST is cached when an experiment first needs it (below), not on
      // every first visit.
      globIgnores: ['src/bench/**', '**/bench*.js', 'mnist/**'],
      // The workers bundle tfjs (about 2 MB each).
      maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      // The first service worker takes the page it was installed from, so MNIST fetched on that first visit is
      // kept too. An update never comes in this way: a waiting version takes over only when the page asks.
      clientsClaim: true,
      // A link in the `?v=1&...` form is the same page.
      ignoreURLParametersMatching: [/.*/],
      runtimeCaching: [
        {
          urlPattern: ({ url }) => /\/mnist\/[^/]+$/.test(url.pathname),
          handler: 'CacheFirst',
          options: { cacheName: 'gradient-lab-mnist', cacheableResponse: { statuses: [200] } },
        },
      ],
    },
  });
}

export default defineConfig({
  // Relative: the build works from any folder of any static host (a sub-path such as /gradient-lab/ included).
  base: './',
  plugins: [react(), contentSecurityPolicy(), offline()],
  // Vite does not scan a worker's imports; without this the first dev load re-optimises and reloads.
  optimizeDeps: { entries: ['index.html', 'src/worker/trainer.worker.ts', 'src/worker/cliff.worker.ts'] },
  worker: { format: 'es' },
  // The benchmark's page is built beside the app, so it times exactly what users get.
  build: { rollupOptions: { input: { main: 'index.html', bench: 'src/bench/bench.html' } } },
  test: {
    include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup/tfjsCpu.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
