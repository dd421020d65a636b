import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER, STATIC_HOST_HEADERS } from './src/entry/csp.ts';

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

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  preview: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER } },
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
