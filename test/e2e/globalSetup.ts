/** Builds the app as users get it, serves it on a free local port, and hands the URL to the tests. */
import type { TestProject } from 'vitest/node';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

/** React's development JSX (`jsxDEV`) in the bundle means the tests would time a build nobody ships. */
function assertProductionBuild(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.js') && readFileSync(join(dir, name), 'utf8').includes('jsxDEV')) {
      throw new Error(`${name} holds React's development JSX: the browser tests need the production build`);
    }
  }
}

let server: PreviewServer | null = null;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await import('../../scripts/buildMnistAsset.ts');
  // vitest sets NODE_ENV=test, and Vite then builds React's development JSX; the browser tests must
  // drive the production build that users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  assertProductionBuild('dist/assets');
  server = await preview({ preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  return async () => {
    await server?.close();
  };
}
