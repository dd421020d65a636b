/**
 * A run over several seeds (`seeds=` in the link): every seed of a run trains through the run driver beside the
 * others, and this module turns their steps into what the charts and the narrator read:
 *
 *  - per step, a band: the median, lowest and highest loss and global gradient norm over the seeds;
 *  - per evaluation, the same of the test metric (test accuracy for classifiers, else the test loss or MSE);
 *  - per seed, its outcome: the step it diverged at, or its first and final loss.
 *
 * A seed that diverges leaves the band at its divergence: a step's band is taken over the seeds whose value there is
 * finite (the others are counted in `finite`), so one overflow does not make the median Infinity or NaN, and the
 * band narrows to the seeds still training rather than jumping to the diverged one's last value. The page says how
 * many seeds diverged beside it.
 *
 * Pure: no DOM, worker or Node API.
 */
import { isRecurrent, seedConfig, type ExperimentConfig } from '../experiment/config.ts';
import { LossLog } from './lossLog.ts';
import { loadTrainingData, type DataLoader, type TrainingData } from './data/trainingData.ts';
import type { Divergence, EvalMetrics, StepMetrics } from './metrics.ts';
import type { RunObserver } from './runDriver.ts';

/** The median and range of one figure over the seeds where it is finite. */
export interface Band {
  median: number;
  min: number;
  max: number;
  /** How many seeds it is taken over (those finite there). */
  finite: number;
}

/** One step of a run over several seeds: its loss and global norm (before clipping) across the seeds. */
export interface SeedBandRow {
  step: number;
  /** null where no seed's value was finite at this step. */
  loss: Band | null;
  globalNorm: Band | null;
}

/** One evaluation across the seeds evaluated there (a diverged seed is never evaluated). */
export interface SeedEvalRow {
  step: number;
  /** Test accuracy for classifiers; otherwise the test loss (the adding problem's test MSE). */
  test: Band;
}

/** What became of one seed so far. */
export interface SeedOutcome {
  /** Its place among the run's seeds (0: the link's own seed) and the seed it trained from. */
  k: number;
  seed: number;
  /** Steps done. */
  steps: number;
  done: boolean;
  divergedAt: number | null;
  firstLoss: number | null;
  /** Mean batch loss over the last (up to) 10% of its steps, at least one: the narrator's `finalLoss`. */
  finalLoss: number | null;
}

/** Median and range of the finite values, or null when none is finite. */
export function bandOf(values: readonly number[]): Band | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return null;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? (finite[mid] ?? NaN) : ((finite[mid - 1] ?? NaN) + (finite[mid] ?? NaN)) / 2;
  return { median, min: finite[0] ?? NaN, max: finite[n - 1] ?? NaN, finite: n };
}

interface SeedState {
  seed: number;
  lastStep: number;
  done: boolean;
  divergedAt: number | null;
  losses: LossLog;
  evaluatedAt: Set<number>;
}

/**
 * Gathers the steps and evaluations of a run's seeds as the driver reports them (in any order across seeds) and
 * hands out the rows that are complete: a step's row once every seed has reported that step or diverged before it,
 * an evaluation's once every seed has been evaluated there or diverged at or before it.
 */
export class SeedBands {
  private readonly states: SeedState[];
  /** Per step not yet handed out: each seed's loss and global norm (NaN: not reported or not finite). */
  private readonly pendingSteps = new Map<number, { loss: Float64Array; norm: Float64Array }>();
  private readonly pendingEvals = new Map<number, Float64Array>();

  constructor(readonly seeds: readonly number[]) {
    if (seeds.length === 0) throw new Error('a run over seeds needs at least one seed');
    this.states = seeds.map((seed) => ({
      seed,
      lastStep: 0,
      done: false,
      divergedAt: null,
      losses: new LossLog(),
      evaluatedAt: new Set(),
    }));
  }

  private state(k: number): SeedState {
    const s = this.states[k];
    if (!s) throw new Error(`seed ${k} is not one of this run's ${this.states.length} seeds`);
    return s;
  }

  step(k: number, metrics: StepMetrics): void {
    const s = this.state(k);
    s.lastStep = metrics.step;
    s.losses.push(metrics.loss);
    let row = this.pendingSteps.get(metrics.step);
    if (!row) {
      row = {
        loss: new Float64Array(this.states.length).fill(NaN),
        norm: new Float64Array(this.states.length).fill(NaN),
      };
      this.pendingSteps.set(metrics.step, row);
    }
    row.loss[k] = metrics.loss;
    row.norm[k] = metrics.globalNormPre;
  }

  diverged(k: number, divergence: Divergence): void {
    const s = this.state(k);
    s.divergedAt = divergence.step;
    s.done = true;
  }

  evaluated(k: number, evaluation: EvalMetrics): void {
    this.state(k).evaluatedAt.add(evaluation.step);
    let row = this.pendingEvals.get(evaluation.step);
    if (!row) {
      row = new Float64Array(this.states.length).fill(NaN);
      this.pendingEvals.set(evaluation.step, row);
    }
    row[k] = evaluation.testAccuracy ?? evaluation.testLoss;
  }

  ended(k: number): void {
    this.state(k).done = true;
  }

  /** The rows complete now, in step order, each handed out once. */
  take(): { rows: SeedBandRow[]; evals: SeedEvalRow[] } {
    const rows: SeedBandRow[] = [];
    for (const step of [...this.pendingSteps.keys()].sort((a, b) => a - b)) {
      if (!this.states.every((s) => s.lastStep >= step || s.divergedAt !== null)) break;
      const row = this.pendingSteps.get(step);
      this.pendingSteps.delete(step);
      if (row) rows.push({ step, loss: bandOf([...row.loss]), globalNorm: bandOf([...row.norm]) });
    }
    const evals: SeedEvalRow[] = [];
    for (const step of [...this.pendingEvals.keys()].sort((a, b) => a - b)) {
      const complete = this.states.every(
        (s) => s.evaluatedAt.has(step) || (s.divergedAt !== null && s.divergedAt <= step),
      );
      if (!complete) break;
      const values = this.pendingEvals.get(step);
      this.pendingEvals.delete(step);
      const test = values ? bandOf([...values]) : null;
      if (test) evals.push({ step, test });
      for (const s of this.states) s.evaluatedAt.delete(step);
    }
    return { rows, evals };
  }

  outcomes(): SeedOutcome[] {
    return this.states.map((s, k) => ({
      k,
      seed: s.seed,
      steps: s.lastStep,
      done: s.done,
      divergedAt: s.divergedAt,
      firstLoss: s.losses.first(),
      finalLoss: s.losses.final(),
    }));
  }

  /** What seed k's lane tells this collector. */
  observer(k: number): RunObserver {
    return {
      observe: (metrics) => this.step(k, metrics),
      diverged: (divergence) => this.diverged(k, divergence),
      evaluated: (evaluation) => this.evaluated(k, evaluation),
      ended: () => this.ended(k),
    };
  }
}

/** Whether the training data is drawn from the seed: generated regression data, and the adding problem. */
export function dataFollowsSeed(config: ExperimentConfig): boolean {
  return isRecurrent(config.model) ? config.task === 'adding' : config.data === 'generated';
}

/**
 * Each seed's experiment and training data: its own data where the data is drawn from the seed, otherwise the one
 * data set loaded once and shared (MNIST, the tutorial's rs1 regression). `first`: seed 0's data, if the host has
 * loaded it already (it is the link's own run's).
 */
export async function loadSeedData(
  config: ExperimentConfig,
  loader: DataLoader,
  first?: TrainingData,
): Promise<{ config: ExperimentConfig; data: TrainingData }[]> {
  const configs = Array.from({ length: config.seeds }, (_, k) => seedConfig(config, k));
  const data0 = first ?? (await loadTrainingData(configs[0] ?? config, loader));
  if (!dataFollowsSeed(config)) return configs.map((c) => ({ config: c, data: data0 }));
  return Promise.all(
    configs.map(async (c, k) => ({ config: c, data: k === 0 ? data0 : await loadTrainingData(c, loader) })),
  );
}
