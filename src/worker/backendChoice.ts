/**
 * `auto` in the training worker: which backend trains this model fastest here.
 * WASM and WebGL are timed on a throwaway Run (src/train/backendTrial.ts), once
 * per model size: the result is kept in IndexedDB for later runs and pages.
 * CPU is used only when neither starts. The two workers of a pair start
 * together; a Web Lock makes the second wait for the first one's timings and
 * read them from the cache instead of timing again (and competing for the cores).
 */
import * as tf from '@tensorflow/tfjs';
import { openDB } from 'idb';
import type { ExperimentConfig } from '../experiment/config.ts';
import {
  describeChoice,
  orderAfterChoice,
  trialBackends,
  trialKey,
  type BackendChoiceResult,
  type BackendTiming,
} from '../train/backendTrial.ts';
import type { TrainingData } from '../train/data/trainingData.ts';
import { startBackend, webglContext } from './backends.ts';
import { BACKENDS, type BackendName, type FromWorker } from './protocol.ts';

/** Timed in this order: WASM first (it starts fast and sets the bar), then WebGL (it compiles kernels first). */
export const AUTO_CANDIDATES: readonly BackendName[] = ['wasm', 'webgl'];
const DB_NAME = 'gradient-lab-backend-choice';
const STORE = 'choices';
const LOCK = 'gradient-lab-backend-trial';
/** Timings older than this are measured again (browsers and drivers update). */
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;

interface CachedChoice {
  key: string;
  /** What the timings depend on besides the model: the tfjs version and the browser. */
  env: string;
  result: BackendChoiceResult<BackendName>;
}

function environment(): string {
  return `tfjs ${tf.version_core}; ${navigator.userAgent}; ${navigator.hardwareConcurrency} cores`;
}

function isBackend(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKENDS as readonly string[]).includes(value);
}

function isTiming(value: unknown): value is BackendTiming<BackendName> {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  const ms = t['msPerStep'];
  return isBackend(t['backend']) && (ms === null || (typeof ms === 'number' && ms > 0 && Number.isFinite(ms)));
}

/** A stored record is data from an earlier page: checked before it is believed. */
export function readCachedChoice(
  value: unknown,
  key: string,
  env: string,
  now: number,
): BackendChoiceResult<BackendName> | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Partial<CachedChoice>;
  const result = record.result;
  if (record.key !== key || record.env !== env || !result || !isBackend(result.chosen)) return null;
  if (!Array.isArray(result.timings) || !result.timings.every(isTiming)) return null;
  if (typeof result.measuredAt !== 'number' || now - result.measuredAt > MAX_AGE_MS || result.measuredAt > now)
    return null;
  return result;
}

async function openCache() {
  return openDB(DB_NAME, 1, { upgrade: (db) => void db.createObjectStore(STORE, { keyPath: 'key' }) });
}

async function cached(key: string): Promise<BackendChoiceResult<BackendName> | null> {
  try {
    const db = await openCache();
    const value: unknown = await db.get(STORE, key);
    db.close();
    return readCachedChoice(value, key, environment(), Date.now());
  } catch {
    return null; // No IndexedDB (a private window): time again.
  }
}

async function remember(key: string, result: BackendChoiceResult<BackendName>): Promise<void> {
  try {
    const db = await openCache();
    await db.put(STORE, { key, env: environment(), result } satisfies CachedChoice);
    db.close();
  } catch {
    // Not kept: the next run of this size times again.
  }
}

/** "software-rendered" when the WebGL renderer is a CPU emulation (SwiftShader, llvmpipe). */
function webglDetail(): string | null {
  const gl = webglContext();
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  return /swiftshader|llvmpipe|softpipe|software/i.test(renderer) ? 'software-rendered' : null;
}

async function startOnly(name: BackendName): Promise<string | null> {
  let reason = '';
  await startBackend([name], (_, why) => (reason = why)).catch(() => {
    throw new Error(reason || `${name} did not start`);
  });
  return name === 'webgl' ? webglDetail() : null;
}

async function measure(config: ExperimentConfig, data: TrainingData): Promise<BackendChoiceResult<BackendName>> {
  const candidates = AUTO_CANDIDATES.map((backend) => ({
    backend,
    start: () => startOnly(backend),
    compiles: backend === 'webgl',
  }));
  return trialBackends(config, data, candidates, 'cpu');
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return work();
  // Where the browser denies the page its storage (Chromium, for a page embedded from another site in a private
  // window) it refuses the Locks API too, "The request was denied.": the run must start anyway, timed without the lock.
  let ran = false;
  try {
    return await locks.request(LOCK, () => {
      ran = true;
      return work();
    });
  } catch (error) {
    if (ran) throw error;
    return work();
  }
}

/**
 * Picks the backend for `auto`: from the cache, or by timing the candidates (telling the page it is timing).
 * Returns the order to start backends in: the chosen one first, then the fallbacks.
 */
export async function chooseAutoBackend(
  config: ExperimentConfig,
  data: TrainingData,
  post: (message: FromWorker) => void,
): Promise<BackendName[]> {
  const key = trialKey(config);
  const { result, fromCache } = await withLock(async () => {
    const known = await cached(key);
    if (known) return { result: known, fromCache: true };
    post({ type: 'backend-choice', choice: { state: 'timing', key } });
    const measured = await measure(config, data);
    await remember(key, measured);
    return { result: measured, fromCache: false };
  });
  post({
    type: 'backend-choice',
    choice: {
      state: 'chosen',
      key,
      chosen: result.chosen,
      sentence: describeChoice(result),
      timings: result.timings,
      measuredAt: result.measuredAt,
      cached: fromCache,
    },
  });
  return orderAfterChoice(result.chosen, result.timings, 'cpu');
}
