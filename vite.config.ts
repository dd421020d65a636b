import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER, STATIC_HOST_HEADERS } from './src/entry/csp.ts';

const UNIT_TESTS = ['src/**/*.test.ts', 'test/unit/**/*.test.ts'];
/** Unit tests that need their own module graph (see `projects` below). */
const ISOLATED_TESTS = [
  'src/store/**/*.test.ts',
  'src/persist/**/*.test.ts',
  'src/charts/markers.test.ts',
  'test/unit/addingHistory.test.ts',
  'test/unit/goldenDense.test.ts',
];

/**
 * The built pages carry the policy as a <meta>, and the build writes `_headers` for static hosts that read one: the
 * same policy as a header, with `frame-ancestors` (which a <meta> cannot set). The dev server has neither (its hot
 * reload needs inline scripts); `vite preview`, which the browser tests use, sends the header.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'gradient-lab-csp',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: STATIC_HOST_HEADERS });
    },
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
 * Offline after one visit (Workbox, through vite-plugin-pwa): the service worker precaches the app shell, the
 * WASM binaries and the dense net's CSV at install, and keeps each MNIST chunk the first time an experiment
 * fetches it. A new version waits: the page announces it (ui/UpdateBanner.tsx) and takes it when asked, never
 * by itself in the middle of a run. The benchmark's page is not precached.
 */
const offline = VitePWA({
  registerType: 'prompt',
  injectRegister: false,
  includeAssets: ['icons/icon.svg'],
  manifest: {
    name: 'Gradient Lab',
    short_name: 'Gradient Lab',
    description: 'Watch gradients explode in the browser, and watch gradient clipping stop them.',
    theme_color: '#253a86',
    background_color: '#fbfbfd',
    display: 'standalone',
    start_url: '.',
    scope: '.',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{js,css,html,wasm,png,svg,csv,webmanifest}'],
    // The threaded WASM build is only for the benchmark: the lab keeps threads off (worker/backends.ts).
    globIgnores: ['**/bench*', 'mnist/**', '**/tfjs-backend-wasm-threaded-simd*'],
    // tfjs's WASM binaries and the main chunk are a few MB each.
    maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
    cleanupOutdatedCaches: true,
    runtimeCaching: [
      {
        // The chunks never change under one name; the list of them is asked for again when online.
        urlPattern: ({ url }) => url.pathname.includes('/mnist/') && url.pathname.endsWith('.bin'),
        handler: 'CacheFirst',
        options: { cacheName: 'gradient-lab-mnist', cacheableResponse: { statuses: [200] } },
      },
      {
        urlPattern: ({ url }) => url.pathname.endsWith('/mnist/manifest.json'),
        handler: 'NetworkFirst',
        options: {
          cacheName: 'gradient-lab-mnist-list',
          networkTimeoutSeconds: 3,
          cacheableResponse: { statuses: [200] },
        },
      },
    ],
  },
});

/**
 * vite-plugin-pwa links the app's manifest from every page it builds, as `./manifest.webmanifest` under a relative
 * base; from the benchmark's page (src/bench/) that address does not exist, and the page is no app to install.
 */
function benchWithoutManifest(): Plugin {
  return {
    name: 'gradient-lab-bench-without-manifest',
    apply: 'build',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler: (html, context) =>
        context.path.endsWith('/bench.html') ? html.replace(/<link rel="manifest"[^>]*>/, '') : html,
    },
  };
}

export default defineConfig({
  // Relative URLs throughout the build: the same dist/ works from a host's root or any sub-path, with no rebuild.
  base: './',
  plugins: [react(), contentSecurityPolicy(), offline, benchWithoutManifest()],
  preview: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER } },
  // Vite does not scan a worker's imports; without this the first dev load re-optimises and reloads.
  optimizeDeps: { entries: ['index.html', 'src/worker/lab.worker.ts', 'src/worker/*Role.ts'] },
  worker: { format: 'es' },
  // The benchmark's page is built beside the app, so it times exactly what users get.
  build: { rollupOptions: { input: { main: 'index.html', bench: 'src/bench/bench.html' } } },
  test: {
    environment: 'node',
    setupFiles: ['test/setup/tfjsCpu.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Most files share their process's modules: importing TensorFlow.js afresh for each of ~100 files cost more
    // than all their tests (172 s against 79 s on 2 cores). The files that hold state in a module or a global
    // (the store's singletons, fake IndexedDB, an absolute tensor count) keep a fresh module graph each.
    projects: [
      { extends: true, test: { name: 'shared', include: UNIT_TESTS, exclude: ISOLATED_TESTS, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED_TESTS } },
    ],
  },
});
