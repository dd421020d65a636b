/**
 * Which tfjs backend is fastest for this model on this machine: a few timed
 * steps of a throwaway Run on each candidate, then the fastest wins. The page's
 * worker (WebGL, WASM) and the CLI (WASM, CPU) both use it; each starts its own
 * backends and keeps its own cache, keyed by `trialKey` (the model's size).
 * The page never times before training: a model size not timed yet trains on a
 * static first choice, and is timed once that run is over and no run trains, for the next run.
 *
 * A trial never touches the real run: it trains a Run of its own, disposed
 * after, and the real Run then starts from the seed as it always does.
 * No DOM and no Node here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../experiment/config.ts';
import type { TrainingData } from './data/trainingData.ts';
import { Run } from './trainer.ts';

/** One candidate's trial: its speed, or why it has none. */
export interface BackendTiming<N extends string = string> {
  backend: N;
  /** Median ms per step after warm-up; null when the backend did not start or failed a step. */
  msPerStep: number | null;
  /** Timed steps (warm-up not counted). */
  steps: number;
  /** Stopped early: already far slower than a faster candidate (with no timed step, msPerStep is a lower bound). */
  gaveUp: boolean;
  /** Why it has no speed. */
  error: string | null;
  /** E.g. "software-rendered" for a WebGL that a CPU emulates. */
  detail: string | null;
}

export interface BackendChoiceResult<N extends string = string> {
  chosen: N;
  /** Every candidate, in the order tried. */
  timings: BackendTiming<N>[];
  /** When the timings were measured (ms since the epoch). */
  measuredAt: number;
  /** When the timing began (ms since the epoch); absent in a choice remembered before it was kept. */
  startedAt?: number;
}

export interface TrialBudget {
  /** Untimed steps first; backends that compile kernels (WebGL) need two. */
  warmupSteps: number;
  /** Stop after this many timed steps once `minMs` has passed... */
  minSteps: number;
  minMs: number;
  /** ...and in any case after this long (at least one timed step) or this many steps. */
  maxMs: number;
  maxSteps: number;
  /** Give a candidate up when one of its steps takes this many times the best median so far... */
  giveUpFactor: number;
  /** ...and longer than this: a short step costs little to finish measuring, and first steps are slow. */
  giveUpFloorMs: number;
}

export const TRIAL_BUDGET: TrialBudget = {
  warmupSteps: 1,
  minSteps: 3,
  minMs: 300,
  maxMs: 1_000,
  maxSteps: 30,
  giveUpFactor: 3,
  giveUpFloorMs: 200,
};

/** Two candidates closer than this (relative) count as a tie; the earlier one in the candidate list wins. */
export const TIE_TOLERANCE = 0.05;

/**
 * The cache key: what a step's speed depends on, the model's kind and size and the batch.
 * Two experiments with the same key train at the same speed whatever their seed, clipping or rate.
 */
export function trialKey(config: ExperimentConfig): string {
  if (config.model === 'dense') return `dense h${config.hidden} b${config.batch}`;
  return `${config.model} ${config.layers}x${config.hidden} b${config.batch}`;
}

/** The fastest candidate that ran; a tie goes to the earlier one; `fallback` when none ran. */
export function chooseBackend<N extends string>(timings: readonly BackendTiming<N>[], fallback: N): N {
  let best: BackendTiming<N> | null = null;
  for (const timing of timings) {
    if (timing.msPerStep === null || timing.gaveUp) continue;
    if (best === null || best.msPerStep === null || timing.msPerStep < best.msPerStep * (1 - TIE_TOLERANCE)) {
      best = timing;
    }
  }
  return best?.backend ?? fallback;
}

/**
 * The order to start backends in after a choice: the chosen one, then the others that ran
 * (fastest first), then `last` (CPU): the run falls over along it when a backend dies.
 */
export function orderAfterChoice<N extends string>(chosen: N, timings: readonly BackendTiming<N>[], last: N): N[] {
  const ran = timings
    .filter((t): t is BackendTiming<N> & { msPerStep: number } => t.msPerStep !== null && t.backend !== chosen)
    .sort((a, b) => a.msPerStep - b.msPerStep)
    .map((t) => t.backend);
  return [...new Set([chosen, ...ran, last])];
}

/** Steps per second, rounded as a person reads them: 128, 15, 2.4, 0.38. */
export function formatStepsPerSecond(msPerStep: number): string {
  const perSecond = 1000 / msPerStep;
  if (perSecond >= 10) return perSecond.toFixed(0);
  if (perSecond >= 1) return perSecond.toFixed(1);
  return perSecond.toPrecision(2);
}

const LABELS: Record<string, string> = { webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU', webgpu: 'WebGPU' };

export function backendLabel(name: string): string {
  return LABELS[name] ?? name;
}

function describeTiming(timing: BackendTiming): string {
  const label = backendLabel(timing.backend);
  if (timing.msPerStep === null) return `${label} failed (${timing.error ?? 'no reason given'})`;
  // Given up on in warm-up: one step's time, so the speed is at most this.
  const under = timing.gaveUp && timing.steps === 0 ? 'under ' : '';
  const speed = `${under}${formatStepsPerSecond(timing.msPerStep)} steps/s`;
  return `${label} ${speed}${timing.detail ? ` (${timing.detail})` : ''}`;
}

/** "WASM chosen: 128 steps/s, WebGL 15 steps/s (software-rendered)". */
export function describeChoice(result: BackendChoiceResult): string {
  const chosen = result.timings.find((t) => t.backend === result.chosen);
  const others = result.timings.filter((t) => t.backend !== result.chosen).map(describeTiming);
  const label = backendLabel(result.chosen);
  const head =
    chosen !== undefined && chosen.msPerStep !== null
      ? `${label} chosen: ${formatStepsPerSecond(chosen.msPerStep)} steps/s`
      : `${label} chosen`;
  return others.length > 0 ? `${head}, ${others.join(', ')}` : head;
}

/**
 * What `auto` says while a model size has not been timed yet: the run trains on `first` at once, and the
 * candidates are timed once it is over and no run trains. Short, as it shares the status line with the step and
 * the speed: "WASM for now (this model size is not timed yet); WASM and WebGL are timed once no run is training".
 * What follows (the faster trains the next run of this size) the page says on hover (present/pageWords.ts).
 */
export function untimedChoiceSentence(first: string, candidates: readonly string[]): string {
  const names = candidates.map(backendLabel);
  const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  return `${backendLabel(first)} for now (this model size is not timed yet); ${listed} are timed once no run is training`;
}

/**
 * A trial's result, told by a run that trained on `trainedOn` before it: the choice and the speeds, and, when
 * the choice is another backend, that this run stays where it is (a switch mid-run would change its numbers).
 */
export function describeChoiceAfterRun(result: BackendChoiceResult, trainedOn: string): string {
  const sentence = describeChoice(result);
  if (result.chosen === trainedOn) return sentence;
  return `${sentence}; this run trained on ${backendLabel(trainedOn)}, the next run of this size trains on ${backendLabel(result.chosen)}`;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Times steps of a throwaway Run of `config` on the backend that is active now. A Run that
 * finishes or diverges mid-trial is replaced by a fresh one (the trial is about speed, not numbers).
 * `giveUpMs`: stop as soon as a warm-up step (not the first of a backend that `compiles` kernels) or the
 * median of the timed steps takes longer: this backend is far slower than the best, no need to know how far.
 */
export async function timeActiveBackend(
  config: ExperimentConfig,
  data: TrainingData,
  budget: TrialBudget,
  giveUpMs: number | null = null,
  compiles = false,
): Promise<{ msPerStep: number; steps: number; gaveUp: boolean }> {
  let run = new Run({ config, side: 'clipped', data });
  const step = async (): Promise<number> => {
    if (run.status !== 'ready') {
      run.dispose();
      run = new Run({ config, side: 'clipped', data });
    }
    const t0 = tf.util.now();
    await run.trainStep();
    return tf.util.now() - t0;
  };
  try {
    for (let i = 0; i < budget.warmupSteps; i++) {
      const ms = await step();
      if ((i > 0 || !compiles) && giveUpMs !== null && ms > giveUpMs) return { msPerStep: ms, steps: 0, gaveUp: true };
    }
    const samples: number[] = [];
    const started = tf.util.now();
    for (;;) {
      const ms = await step();
      samples.push(ms);
      // The median, not one step: a single hiccup (a GC pause) must not disqualify a backend.
      const typical = median(samples);
      if (giveUpMs !== null && typical > giveUpMs) return { msPerStep: typical, steps: samples.length, gaveUp: true };
      const elapsed = tf.util.now() - started;
      if (samples.length >= budget.maxSteps || elapsed >= budget.maxMs) break;
      if (samples.length >= budget.minSteps && elapsed >= budget.minMs) break;
    }
    return { msPerStep: median(samples), steps: samples.length, gaveUp: false };
  } finally {
    run.dispose();
  }
}

export interface TrialCandidate<N extends string> {
  backend: N;
  /** Makes it the active tfjs backend (guarded by a timeout); throws when it cannot. Returns a detail, if any. */
  start: () => Promise<string | null>;
  /** Its first steps compile kernels (WebGL): two warm-up steps, and the first is never given up on. */
  compiles?: boolean;
}

/** Times each candidate in turn; `fallback` is chosen when none ran. The last one tried stays active. */
export async function trialBackends<N extends string>(
  config: ExperimentConfig,
  data: TrainingData,
  candidates: readonly TrialCandidate<N>[],
  fallback: N,
  budget: TrialBudget = TRIAL_BUDGET,
): Promise<BackendChoiceResult<N>> {
  const startedAt = Date.now();
  const timings: BackendTiming<N>[] = [];
  for (const candidate of candidates) {
    const best = Math.min(...timings.map((t) => (t.msPerStep !== null && !t.gaveUp ? t.msPerStep : Infinity)));
    const giveUpMs = Number.isFinite(best) ? Math.max(best * budget.giveUpFactor, budget.giveUpFloorMs) : null;
    let detail: string | null = null;
    try {
      detail = await candidate.start();
      const compiles = candidate.compiles ?? false;
      const warm = { ...budget, warmupSteps: compiles ? Math.max(2, budget.warmupSteps) : budget.warmupSteps };
      const measured = await timeActiveBackend(config, data, warm, giveUpMs, compiles);
      timings.push({ backend: candidate.backend, ...measured, error: null, detail });
    } catch (error) {
      timings.push({
        backend: candidate.backend,
        msPerStep: null,
        steps: 0,
        gaveUp: false,
        error: errorText(error),
        detail,
      });
    }
  }
  return { chosen: chooseBackend(timings, fallback), timings, measuredAt: Date.now(), startedAt };
}
