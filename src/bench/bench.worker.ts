/// <reference lib="webworker" />
/**
 * The benchmark's browser side: one worker per backend (tfjs has one backend
 * per thread), timing the same cases as the Node runner, with the lab's own
 * backend start-up and data loading.
 * Boundary: tfjs, the training core and the bench's measure code; no DOM.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { loadTrainingData } from '../train/data/trainingData.ts';
import { backendOrder, startBackend } from '../worker/backends.ts';
import { browserDataLoader } from '../worker/browserData.ts';
import type { BackendName } from '../worker/protocol.ts';
import type { BenchBudget, BenchCase } from './cases.ts';
import { measureCase, measureSurface, type CaseResult } from './measure.ts';

declare const self: DedicatedWorkerGlobalScope;

/**
 * When this module's imports (tfjs, the training core) had been fetched, compiled and run: ms since the worker
 * was created (a worker's clock starts then). The lab's training worker pays the same before its first message.
 */
const importedMs = performance.now();

export type BenchBackend = BackendName | 'wasm-threads' | 'webgpu';

const WEBGPU_TIMEOUT_MS = 15_000;

/** WebGPU is measured here only: the lab does not offer it yet, so it is started by hand, with the same guard. */
async function startWebGpu(): Promise<void> {
  if (
    !('gpu' in navigator) ||
    !(await (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter())
  ) {
    throw new Error('this browser offers no WebGPU adapter');
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`webgpu did not start within ${WEBGPU_TIMEOUT_MS / 1000} s`)), WEBGPU_TIMEOUT_MS),
  );
  if (!(await Promise.race([tf.setBackend('webgpu'), timeout]))) throw new Error('webgpu refused to start');
  await tf.ready();
}

export interface BenchRequest {
  backend: BenchBackend;
  cases: BenchCase[];
  budget: BenchBudget;
}

export type BenchReply =
  | {
      type: 'done';
      backend: BenchBackend;
      threads: number | null;
      /** The worker's own start-up: its imports (ms after creation), then the backend (fetch, compile, setBackend). */
      startup: { importMs: number; backendMs: number };
      results: CaseResult[];
      surface: Awaited<ReturnType<typeof measureSurface>>;
    }
  | { type: 'skipped'; backend: BenchBackend; reason: string };

self.onmessage = async (event: MessageEvent<BenchRequest>) => {
  const { backend, cases, budget } = event.data;
  const backendStarted = performance.now();
  try {
    if (backend === 'webgpu') {
      await startWebGpu();
    } else {
      const name: BackendName = backend === 'wasm-threads' ? 'wasm' : backend;
      if (backend === 'wasm-threads' && !self.crossOriginIsolated)
        throw new Error(
          'WASM threads need SharedArrayBuffer, which needs a cross-origin isolated page (COOP/COEP headers)',
        );
      const failures: string[] = [];
      const started = await startBackend(backendOrder(name).slice(0, 1), (_, reason) => failures.push(reason), {
        wasmThreads: backend === 'wasm-threads',
      });
      if (started !== name) throw new Error(failures.join('; '));
    }
    const startup = { importMs: importedMs, backendMs: performance.now() - backendStarted };
    const results: CaseResult[] = [];
    for (const benchCase of cases) {
      const data = await loadTrainingData(benchCase.config, browserDataLoader);
      results.push(await measureCase(benchCase, data, budget));
    }
    const surface = await measureSurface(budget.surfaceSide);
    const threads = tf.getBackend() === 'wasm' ? getThreadsCount() : null;
    self.postMessage({ type: 'done', backend, threads, startup, results, surface } satisfies BenchReply);
  } catch (error) {
    self.postMessage({
      type: 'skipped',
      backend,
      reason: error instanceof Error ? error.message : String(error),
    } satisfies BenchReply);
  }
};
