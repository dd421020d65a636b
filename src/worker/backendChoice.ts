/**
 * `auto` in the training worker: which backend trains this model fastest here.
 * It never delays training: a model size timed before trains at once on the
 * remembered choice (kept in IndexedDB per model size); one not timed yet trains
 * at once on the static first choice (WASM), and WASM and WebGL are timed on a
 * throwaway Run (src/train/backendTrial.ts) once that run is over, for the next
 * run. The run itself never switches backend mid-way: its numbers stay those of
 * the backend it started on. CPU is used only when neither starts. A Web Lock
 * makes the second worker of a pair wait for the first one's timings and read
 * them from the cache instead of timing again (and competing for the cores).
 */
import * as tf from '@tensorflow/tfjs-core';
import { openDB } from 'idb';
import type { ExperimentConfig } from '../experiment/config.ts';
import {
  describeChoice,
  backendLabel,
  describeChoiceAfterRun,
  orderAfterChoice,
  trialBackends,
  trialKey,
  untimedChoiceSentence,
  type BackendChoiceResult,
  type BackendTiming,
} from '../train/backendTrial.ts';
import type { TrainingData } from '../train/data/trainingData.ts';
import { startBackend, webglContext } from './backends.ts';
import { BACKENDS, type BackendName, type FromWorker } from './protocol.ts';

/** Timed in this order: WASM first (it starts fast and sets the bar), then WebGL (it compiles kernels first). */
export const AUTO_CANDIDATES: readonly BackendName[] = ['wasm', 'webgl'];
/**
 * What a model size not timed yet trains on: WASM starts in a fraction of a second and is the faster for the
 * lab's small nets wherever WebGL is software-rendered (8x here); a GPU that beats it wins the next run.
 */
export const AUTO_FIRST: BackendName = 'wasm';
const DB_NAME = 'gradient-lab-backend-choice';
const STORE = 'choices';
const LOCK = 'gradient-lab-backend-trial';
/** The longest a trial after a run may take (the LSTM 2x128 on a software WebGL takes about 10 s). */
const TRIAL_TIMEOUT_MS = 90_000;
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

/** The order to start backends in for `auto`: the remembered choice's, or the first choice's when none is. */
export function autoOrder(remembered: BackendChoiceResult<BackendName> | null): BackendName[] {
  if (remembered) return orderAfterChoice(remembered.chosen, remembered.timings, 'cpu');
  return [...new Set<BackendName>([AUTO_FIRST, ...AUTO_CANDIDATES, 'cpu'])];
}

export interface AutoBackendPlan {
  /** The order to start backends in: the chosen one first, then the fallbacks. */
  order: BackendName[];
  /**
   * For a model size not timed yet: times the candidates, to be called once the run is over (it switches the
   * worker's backend while it times, and back after). It never throws. Null when the choice was remembered.
   */
  trialAfterRun: ((data: TrainingData) => Promise<void>) | null;
}

function chosenView(
  key: string,
  result: BackendChoiceResult<BackendName>,
  sentence: string,
  cached: boolean,
): FromWorker {
  return {
    type: 'backend-choice',
    choice: {
      state: 'chosen',
      key,
      chosen: result.chosen,
      sentence,
      timings: result.timings,
      measuredAt: result.measuredAt,
      cached,
    },
  };
}

/** Times the candidates after the run on `trainedOn` is over, remembers the choice and tells the page. */
async function timeAfterRun(
  config: ExperimentConfig,
  data: TrainingData,
  post: (message: FromWorker) => void,
): Promise<void> {
  const key = trialKey(config);
  const active = tf.getBackend();
  const trainedOn: BackendName = isBackend(active) ? active : AUTO_FIRST;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A backend that hangs must not hold the lock for ever: the pair's other run would wait on it to the end.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it took over ${TRIAL_TIMEOUT_MS / 1000} s`)), TRIAL_TIMEOUT_MS);
  });
  try {
    const { result, fromCache } = await withLock(() =>
      Promise.race([
        (async () => {
          // The other run of the pair may have timed this size while this one waited for the lock.
          const known = await cached(key);
          if (known) return { result: known, fromCache: true };
          const measured = await measure(config, data);
          await remember(key, measured);
          return { result: measured, fromCache: false };
        })(),
        timedOut,
      ]),
    );
    post(chosenView(key, result, describeChoiceAfterRun(result, trainedOn), fromCache));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    post({
      type: 'notice',
      message: `Auto could not time WASM and WebGL on this model (${why}); the next run of this size starts on ${backendLabel(AUTO_FIRST)} again.`,
    });
  } finally {
    clearTimeout(timer);
    // The run is over, but its tensors (and a later dispose) belong to the backend it trained on.
    await tf.setBackend(trainedOn).catch(() => false);
  }
}

/**
 * Picks the backend for `auto` without timing anything first: the remembered choice for this model size, or
 * the first choice with a trial to run once the run is over. Tells the page which, and why.
 */
export async function chooseAutoBackend(
  config: ExperimentConfig,
  post: (message: FromWorker) => void,
): Promise<AutoBackendPlan> {
  const key = trialKey(config);
  const known = await cached(key);
  if (known) {
    post(chosenView(key, known, describeChoice(known), true));
    return { order: autoOrder(known), trialAfterRun: null };
  }
  const first = { chosen: AUTO_FIRST, timings: [], measuredAt: Date.now() };
  post(chosenView(key, first, untimedChoiceSentence(AUTO_FIRST, AUTO_CANDIDATES), false));
  return { order: autoOrder(null), trialAfterRun: (data) => timeAfterRun(config, data, post) };
}
