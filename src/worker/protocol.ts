/**
 * The one message protocol between the page and a training worker. One worker
 * trains one run; the page keeps a pair in step by granting each worker steps
 * up to a target (`advance`). Metrics travel in batches, never per step.
 * Tensors never cross this boundary: only plain numbers.
 */
import type { ExperimentConfig, RunSide } from '../experiment/config.ts';
import type { KnobChange } from '../experiment/schedule.ts';
import type { CliffClip, DescentOptions, DescentStep, PlaneWindow } from '../train/cliff.ts';
import type { BackendTiming } from '../train/backendTrial.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import type { TrainerPhase } from '../train/runPhase.ts';
import type { SeedBandRow, SeedEvalRow, SeedOutcome } from '../train/seedBands.ts';
import type { SweepCell } from '../experiment/sweep.ts';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import type { SweepMethod } from '../train/sweep/sweepMethod.ts';

/**
 * The lab's workers are one bundle (lab.worker.ts) with three roles, told by the worker's name: a run's trainer, a
 * sweep's cells, the cliff's surface.
 */
export const WORKER_ROLES = ['trainer', 'sweep', 'cliff'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];
const WORKER_NAME_PREFIX = 'gradient-lab-';

/** The name a worker of `role` is made with (it shows in the browser's developer tools too). */
export function workerName(role: WorkerRole): string {
  return `${WORKER_NAME_PREFIX}${role}`;
}

/** The role a worker's name gives, or null for a name the lab does not make. */
export function roleOfWorker(name: string): WorkerRole | null {
  const role = name.startsWith(WORKER_NAME_PREFIX) ? name.slice(WORKER_NAME_PREFIX.length) : '';
  return (WORKER_ROLES as readonly string[]).includes(role) ? (role as WorkerRole) : null;
}

export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = 'auto' | BackendName;

export type ToWorker =
  | { type: 'init'; config: ExperimentConfig; side: RunSide; backend: BackendChoice }
  /**
   * Train until the run has done `toStep` steps (a lower target pauses), computing `duty` of the time and resting
   * the rest (workerShare.ts): the page's main thread keeps a share of the cores.
   */
  | { type: 'advance'; toStep: number; duty: number }
  /**
   * Whether the page is quiet (store/quiet.ts: no run has trained for a few seconds), sent when it changes and to
   * every new worker. Auto's backend trial waits for it: timing beside training runs slowed them and the page.
   */
  | { type: 'quiet'; quiet: boolean }
  | { type: 'dispose' }
  /**
   * A knob turned while it trains, at a step the run has not passed (the page picks one at or beyond every step it
   * granted): taken after that step, as a link's schedule would be. Replaces a change of the same knob and step.
   */
  | { type: 'knob'; change: KnobChange }
  /** Fault injection for tests and the lab's "what if" demos. */
  | { type: 'simulate'; fault: SimulatedFault };

/**
 * crash: the worker dies; lose-webgl-context: the GPU context goes now; lose-webgl-context-mid-step: it goes
 * while the next step runs, after its kernels are queued and before its numbers are read back;
 * fail-step: the next step throws, as a GPU out of memory does.
 */
export type SimulatedFault = 'lose-webgl-context' | 'lose-webgl-context-mid-step' | 'crash' | 'fail-step';

/**
 * How `auto` picked the backend: the worker is timing the candidates on this model (`key`: its size),
 * or it has chosen, from timings measured now or remembered from an earlier run of that size.
 */
export type BackendChoiceView =
  | { state: 'timing'; key: string }
  | {
      state: 'chosen';
      key: string;
      chosen: BackendName;
      /** "WASM chosen: 128 steps/s, WebGL 15 steps/s (software-rendered)" */
      sentence: string;
      timings: BackendTiming<BackendName>[];
      measuredAt: number;
      cached: boolean;
    };

/**
 * How much of the data a run needs has arrived (the MNIST chunks, which are fetched only for an experiment on
 * MNIST): bytes received so far, and of how many (null when the manifest does not list the chunks' sizes).
 */
export interface DataProgress {
  loadedBytes: number;
  totalBytes: number | null;
}

export type FromWorker =
  | { type: 'ready'; backend: BackendName; layout: RunLayout; trainRows: number }
  /** While the run's data downloads, before `ready`: at most every 100 ms, and once all of it has arrived. */
  | ({ type: 'data-progress' } & DataProgress)
  /** A plain-words notice: a backend that failed to start, a context lost, a fallback taken. */
  | { type: 'notice'; message: string }
  | { type: 'backend'; backend: BackendName }
  /** Only when the choice is `auto`: before the run is ready. */
  | { type: 'backend-choice'; choice: BackendChoiceView }
  | { type: 'metrics'; steps: StepMetrics[]; elapsedMs: number }
  | { type: 'eval'; result: EvalMetrics }
  /**
   * A run over several seeds (`seeds` > 1): the steps and evaluations every seed has reached since the last, as
   * bands across the seeds, and what became of each seed so far. `metrics` and `eval` stay the link's own seed's.
   */
  | { type: 'seeds'; rows: SeedBandRow[]; evals: SeedEvalRow[]; outcomes: SeedOutcome[] }
  | { type: 'status'; status: TrainerPhase; step: number; divergence: Divergence | null }
  | { type: 'error'; message: string; step: number };

/** Exhaustiveness guard for switches over message types. */
export function unreachable(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}

/** The cliff lesson's worker: the loss surface, refined progressively, and the two descents. */
export type ToCliffWorker =
  | { type: 'surface'; id: number; window: PlaneWindow; T: number; resolutions: number[] }
  | { type: 'descend'; id: number; start: { w: number; b: number }; clips: CliffClip[]; options: DescentOptions };

export type FromCliffWorker =
  | { type: 'backend'; backend: BackendName }
  | { type: 'notice'; message: string }
  /** One resolution of the surface: `loss` is row-major, row 0 at the window's top (bMax); its buffer moves. */
  | { type: 'surface'; id: number; cols: number; rows: number; loss: Float32Array; elapsedMs: number; final: boolean }
  | { type: 'paths'; id: number; paths: DescentStep[][]; elapsedMs: number }
  | { type: 'error'; id: number; message: string };

/**
 * A sweep's worker: trains the cells it is given (all of them, batched, for the dense net with SGD; a share of
 * them, one at a time, otherwise) and reports each cell's outcome as soon as it is known. `indices` place its
 * cells in the whole grid, so outcomes from several workers land in the right cells.
 */
export type ToSweepWorker =
  | {
      type: 'start';
      config: ExperimentConfig;
      cells: SweepCell[];
      indices: number[];
      steps: number;
      method: SweepMethod;
    }
  /** Stop after the step in flight; finished cells stay reported. */
  | { type: 'cancel' };

export type FromSweepWorker =
  | { type: 'backend'; backend: BackendName }
  | { type: 'notice'; message: string }
  | { type: 'started'; method: SweepMethod; classifier: boolean }
  /** The MNIST bytes received while the worker loads its data (before `started`). */
  | ({ type: 'data-progress' } & DataProgress)
  /** Cell-steps done of this worker's cells x steps (at most every 100 ms). */
  | { type: 'progress'; done: number; total: number }
  /** `index`: the cell's place in the whole grid. */
  | { type: 'cell'; index: number; outcome: CellOutcome }
  | { type: 'done'; cancelled: boolean }
  | { type: 'error'; message: string };
