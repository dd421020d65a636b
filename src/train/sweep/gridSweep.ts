/**
 * Any experiment's sweep: every cell (learning rate x threshold, and the unclipped column) trained from the same
 * seed, initial weights and batches, for the same number of steps. The dense net with SGD trains as one batched
 * program (denseSweep.ts); everything else (recurrent nets, Adam and RMSprop, the literal loss, the global
 * infinity norm) trains one cell at a time through `Run`, the lab's own step. Each cell's outcome is reported as
 * soon as it is known: a diverged cell at its divergence, the others after their last step.
 *
 * The CLI, the sweep worker and the tests all run this; nothing here touches the DOM or Node.
 */
import { seedConfig, type ExperimentConfig } from '../../experiment/config.ts';
import { clipWithThreshold, sweepRefusal, type SweepCell } from '../../experiment/sweep.ts';
import { trainRows, type TrainingData } from '../data/trainingData.ts';
import type { EvalMetrics } from '../metrics.ts';
import { driveRun, type RunObserver } from '../runDriver.ts';
import { Run } from '../trainer.ts';
import { CellLossSummary, mergeSeedOutcomes, type CellOutcome } from './cellOutcome.ts';
import { DenseSweep } from './denseSweep.ts';
import { sweepMethod, type SweepMethod } from './sweepMethod.ts';

export interface GridSweepHooks {
  /** Before the first step: how the cells train, and whether they are classifiers (from the run's layout). */
  onStart?(info: { method: SweepMethod; classifier: boolean }): void;
  /** A cell's whole outcome, as soon as it is known; `index` is its place in `cells`. */
  onCell?(index: number, outcome: CellOutcome): void;
  /** Cell-steps done so far, of cells x steps (a diverged cell counts all its steps as done). */
  onProgress?(done: number, total: number): void;
  /** Checked between steps: true stops the sweep; cells not finished are left out. */
  cancelled?(): boolean;
  /** Called about every PAUSE_MS of training, so a host can hear a cancel (a worker's message, Ctrl-C). */
  pause?(): Promise<void>;
  /** 'one-at-a-time' forces `Run` for every cell (the tests compare both ways). */
  method?: SweepMethod;
}

const PAUSE_MS = 40;

/** The experiment one cell trains: its learning rate and threshold, one run, no per-time-step probes. */
export function cellRunConfig(config: ExperimentConfig, cell: SweepCell, steps: number): ExperimentConfig {
  return {
    ...config,
    lr: cell.lr,
    steps,
    pair: false,
    race: [],
    clip: clipWithThreshold(config.clip, cell.clip),
    hiddenGradEvery: 0,
    evalEvery: 0,
  };
}

/** Trains the cells; returns each one's outcome, or null for a cell a cancel left unfinished. */
export async function runGridSweep(
  config: ExperimentConfig,
  data: TrainingData,
  cells: readonly SweepCell[],
  steps: number,
  hooks: GridSweepHooks = {},
  /**
   * Over several seeds (`config.seeds` > 1): each seed's training data (train/seedBands.ts loadSeedData); every cell
   * trains every seed, and its outcome is reported once all its seeds are done, merged (mergeSeedOutcomes).
   */
  seedData: readonly TrainingData[] = [data],
): Promise<(CellOutcome | null)[]> {
  const refused = sweepRefusal(config);
  if (refused) throw new Error(refused);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`steps must be a positive integer, got ${steps}`);
  if (cells.length === 0) return [];
  const method = hooks.method ?? sweepMethod(config).method;
  if (seedData.length > 1) return overSeeds(config, cells, steps, hooks, seedData, method);
  if (method === 'batched') return batched(config, data, cells, steps, hooks);
  return oneAtATime(config, data, cells, steps, hooks);
}

/**
 * Every cell over every seed: the dense net's grid x seeds as one batched program (DenseSweep's seed-major cells),
 * anything else one cell and seed at a time. A cell's merged outcome is reported once its last seed is done.
 */
async function overSeeds(
  config: ExperimentConfig,
  cells: readonly SweepCell[],
  steps: number,
  hooks: GridSweepHooks,
  seedData: readonly TrainingData[],
  method: SweepMethod,
): Promise<(CellOutcome | null)[]> {
  const grid = cells.length;
  const seeds = seedData.length;
  const perSeed: (CellOutcome | null)[][] = cells.map(() => seedData.map(() => null));
  const merged: (CellOutcome | null)[] = cells.map(() => null);
  const heard = (k: number, s: number, outcome: CellOutcome) => {
    const row = perSeed[k];
    if (!row) return;
    row[s] = outcome;
    const cell = cells[k];
    if (!cell || merged[k] !== null || !row.every((o) => o !== null)) return;
    merged[k] = mergeSeedOutcomes(cell, row as CellOutcome[]);
    hooks.onCell?.(k, merged[k]);
  };
  if (method === 'batched') {
    const sweep = new DenseSweep({ ...config, steps }, seedData[0] as TrainingData, cells, seedData);
    const pace = pacer(hooks);
    const reported = new Set<number>();
    const total = grid * seeds * steps;
    hooks.onStart?.({ method: 'batched', classifier: false });
    try {
      for (let step = 1; step <= steps; step++) {
        await pace();
        if (hooks.cancelled?.()) break;
        await sweep.trainStep();
        let done = 0;
        sweep.divergedSteps().forEach((at, i) => {
          done += at === null ? step : steps;
          if (at !== null && !reported.has(i)) {
            reported.add(i);
            heard(i % grid, Math.floor(i / grid), sweep.outcome(i));
          }
        });
        hooks.onProgress?.(done, total);
      }
      if (sweep.step === steps)
        sweep.divergedSteps().forEach((_, i) => {
          if (!reported.has(i)) heard(i % grid, Math.floor(i / grid), sweep.outcome(i));
        });
      return merged;
    } finally {
      sweep.dispose();
    }
  }
  // One cell and seed at a time: the one-seed path per seed, its progress scaled to the whole.
  let started = false;
  for (let s = 0; s < seeds; s++) {
    if (hooks.cancelled?.()) break;
    const outcomes = await oneAtATime(seedConfig(config, s), seedData[s] as TrainingData, cells, steps, {
      ...hooks,
      onStart: (info) => {
        if (!started) hooks.onStart?.(info);
        started = true;
      },
      onCell: (k, outcome) => heard(k, s, outcome),
      onProgress: (done) => hooks.onProgress?.(s * grid * steps + done, seeds * grid * steps),
    });
    if (outcomes.some((o) => o === null)) break;
  }
  return merged;
}

function pacer(hooks: GridSweepHooks): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (!hooks.pause || Date.now() - last < PAUSE_MS) return;
    await hooks.pause();
    last = Date.now();
  };
}

async function batched(
  config: ExperimentConfig,
  data: TrainingData,
  cells: readonly SweepCell[],
  steps: number,
  hooks: GridSweepHooks,
): Promise<(CellOutcome | null)[]> {
  const outcomes: (CellOutcome | null)[] = cells.map(() => null);
  const sweep = new DenseSweep({ ...config, steps }, data, cells);
  const total = cells.length * steps;
  const pace = pacer(hooks);
  hooks.onStart?.({ method: 'batched', classifier: false });
  try {
    for (let s = 1; s <= steps; s++) {
      await pace();
      if (hooks.cancelled?.()) break;
      await sweep.trainStep();
      let done = 0;
      sweep.divergedSteps().forEach((at, k) => {
        done += at === null ? s : steps;
        if (at !== null && outcomes[k] === null) {
          outcomes[k] = sweep.outcome(k);
          hooks.onCell?.(k, outcomes[k]);
        }
      });
      hooks.onProgress?.(done, total);
    }
    if (sweep.step === steps)
      cells.forEach((_, k) => {
        if (outcomes[k] !== null) return;
        outcomes[k] = sweep.outcome(k);
        hooks.onCell?.(k, outcomes[k]);
      });
    return outcomes;
  } finally {
    sweep.dispose();
  }
}

async function oneAtATime(
  config: ExperimentConfig,
  data: TrainingData,
  cells: readonly SweepCell[],
  steps: number,
  hooks: GridSweepHooks,
): Promise<(CellOutcome | null)[]> {
  const outcomes: (CellOutcome | null)[] = cells.map(() => null);
  const total = cells.length * steps;
  const rows = trainRows(data);
  const pause = hooks.pause?.bind(hooks);
  let started = false;
  for (const [k, cell] of cells.entries()) {
    if (hooks.cancelled?.()) break;
    const run = new Run({ config: cellRunConfig(config, cell, steps), side: 'clipped', data });
    try {
      if (!started) hooks.onStart?.({ method: 'one-at-a-time', classifier: run.layout.classifier });
      started = true;
      const summary = new CellLossSummary(data.kind, rows, config.batch);
      const heard: { evaluation: EvalMetrics | null } = { evaluation: null };
      const cellObserver: RunObserver = {
        // A diverged step's loss is not finite: a cell's figures are those of its steps before the divergence.
        stepEnd: ({ metrics: m, divergence }) => {
          if (!divergence) summary.add(m.step, m.epoch, m.loss);
          hooks.onProgress?.(k * steps + (divergence ? steps : m.step), total);
        },
        evaluated: (e) => (heard.evaluation = e),
      };
      // Only a classifier's cell is evaluated (its test accuracy), after its last step; a diverged one is not.
      const result = await driveRun(run, [cellObserver], {
        evalEvery: 0,
        evalAtEnd: run.layout.classifier,
        pause,
        pauseEveryMs: PAUSE_MS,
        stopped: () => hooks.cancelled?.() ?? false,
      });
      if (result === 'stopped') return outcomes;
      const divergedAt = run.divergence?.step ?? null;
      const outcome: CellOutcome = {
        ...cell,
        divergedAt,
        finalLoss: summary.finalLoss,
        minLoss: summary.minLoss,
        testAccuracy: heard.evaluation?.testAccuracy ?? null,
        steps: run.step,
      };
      outcomes[k] = outcome;
      hooks.onCell?.(k, outcome);
    } finally {
      run.dispose();
    }
  }
  return outcomes;
}
