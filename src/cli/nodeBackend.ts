/**
 * Picks the fastest tfjs backend that starts in Node. tfjs-node cannot be
 * installed here (it downloads a binary), so the candidates are WASM and CPU:
 * unless one is forced, a few steps of the experiment's own model are timed on
 * each (a throwaway Run, src/train/backendTrial.ts), once per model size per
 * process. Every setBackend is guarded by a timeout: a backend that hangs
 * counts as one that failed.
 */
import * as tf from '@tensorflow/tfjs-core';
// In Node, the umbrella package's bundle is what registers autodiff's gradients and the CPU backend (tfjs-core's own
// register_all_gradients is ES modules Node cannot load); the browser's workers load the parts (worker/backends.ts).
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExperimentConfig } from '../experiment/config.ts';
import {
  describeChoice,
  orderAfterChoice,
  trialBackends,
  trialKey,
  type BackendChoiceResult,
} from '../train/backendTrial.ts';
import type { TrainingData } from '../train/data/trainingData.ts';
import { registerTanhKernel } from '../train/kernels/fusedRegistry.ts';
import { silenceNodeBackendAdvice } from './quietTfjs.ts';

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
export async function startNodeBackend(
  order: NodeBackend[] = ['wasm', 'cpu'],
): Promise<{ backend: NodeBackend; failures: string[] }> {
  silenceNodeBackendAdvice();
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') prepareWasm();
      const ok = await withTimeout(tf.setBackend(name), START_TIMEOUT_MS, `tfjs backend ${name}`);
      if (!ok) throw new Error(`tfjs backend ${name} refused to start`);
      await tf.ready();
      registerTanhKernel();
      return { backend: name, failures };
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no tfjs backend started in Node (${failures.join('; ')})`);
}

/** Timed in this order: WASM sets the bar, so a much slower CPU is given up on after one step. */
export const NODE_CANDIDATES: readonly NodeBackend[] = ['wasm', 'cpu'];

/** Choices made in this process, by model size (trialKey). */
const choices = new Map<string, BackendChoiceResult<NodeBackend>>();

export interface NodeBackendPick {
  backend: NodeBackend;
  /** The line the CLI prints before training: "backend: wasm (auto: WASM chosen: 128 steps/s, CPU 20 steps/s)". */
  line: string;
  choice: BackendChoiceResult<NodeBackend> | null;
}

/** `forced`: the user's --backend, started as is; null: the fastest for this model, timed (or remembered). */
export async function pickNodeBackend(
  config: ExperimentConfig,
  data: TrainingData,
  forced: NodeBackend | null,
): Promise<NodeBackendPick> {
  if (forced) {
    const { backend, failures } = await startNodeBackend([forced]);
    return {
      backend,
      line: `backend: ${backend}${failures.length ? ` (skipped: ${failures.join('; ')})` : ''}`,
      choice: null,
    };
  }
  const key = trialKey(config);
  let choice = choices.get(key);
  const remembered = choice !== undefined;
  if (!choice) {
    const candidates = NODE_CANDIDATES.map((backend) => ({
      backend,
      start: async () => {
        await startNodeBackend([backend]);
        return null;
      },
    }));
    choice = await trialBackends(config, data, candidates, 'cpu');
    choices.set(key, choice);
  }
  const { backend, failures } = await startNodeBackend(orderAfterChoice(choice.chosen, choice.timings, 'cpu'));
  const skipped = failures.length ? `; skipped: ${failures.join('; ')}` : '';
  const how = remembered ? 'timed earlier in this process' : 'timed on this model';
  return { backend, line: `backend: ${backend} (auto, ${how}: ${describeChoice(choice)}${skipped})`, choice };
}
