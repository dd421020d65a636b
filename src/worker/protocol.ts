/**
 * The one message protocol between the page and a training worker. One worker
 * trains one run; the page keeps a pair in step by granting each worker steps
 * up to a target (`advance`). Metrics travel in batches, never per step.
 * Tensors never cross this boundary: only plain numbers.
 */
import type { ExperimentConfig, RunSide } from '../experiment/config.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';

export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = 'auto' | BackendName;

export type ToWorker =
  | { type: 'init'; config: ExperimentConfig; side: RunSide; backend: BackendChoice }
  /** Train until the run has done `toStep` steps (a lower target pauses). */
  | { type: 'advance'; toStep: number }
  | { type: 'dispose' }
  /** Fault injection for tests and the lab's "what if" demos. */
  | { type: 'simulate'; fault: 'lose-webgl-context' | 'crash' };

export type WorkerRunStatus = 'ready' | 'finished' | 'diverged';

export type FromWorker =
  | { type: 'ready'; backend: BackendName; layout: RunLayout; trainRows: number }
  /** A plain-words notice: a backend that failed to start, a context lost, a fallback taken. */
  | { type: 'notice'; message: string }
  | { type: 'backend'; backend: BackendName }
  | { type: 'metrics'; steps: StepMetrics[]; elapsedMs: number }
  | { type: 'eval'; result: EvalMetrics }
  | { type: 'status'; status: WorkerRunStatus; step: number; divergence: Divergence | null }
  | { type: 'error'; message: string; step: number };

/** Exhaustiveness guard for switches over message types. */
export function unreachable(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
