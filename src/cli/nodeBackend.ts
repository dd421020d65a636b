/**
 * Picks the fastest tfjs backend that starts in Node. tfjs-node cannot be
 * installed here (it downloads a binary), so the choice is WASM (measured
 * about 4x faster than CPU for the LSTM), then CPU. Every setBackend is
 * guarded by a timeout: a backend that hangs counts as one that failed.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

export type NodeBackend = 'wasm' | 'cpu';

const START_TIMEOUT_MS = 20_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

let wasmPathsSet = false;

function prepareWasm(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(`${path.join(dist, 'dist')}${path.sep}`);
  wasmPathsSet = true;
}

/** Starts the first backend of `order` that works; returns its name and why the others failed. */
export async function startNodeBackend(order: NodeBackend[] = ['wasm', 'cpu']): Promise<{ backend: NodeBackend; failures: string[] }> {
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') prepareWasm();
      const ok = await withTimeout(tf.setBackend(name), START_TIMEOUT_MS, `tfjs backend ${name}`);
      if (!ok) throw new Error(`tfjs backend ${name} refused to start`);
      await tf.ready();
      return { backend: name, failures };
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no tfjs backend started in Node (${failures.join('; ')})`);
}
