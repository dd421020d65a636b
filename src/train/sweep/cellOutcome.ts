/**
 * What a sweep reports per cell, and what "final loss" means, in one place for the batched and the
 * one-at-a-time path, the page and the CLI:
 *
 * - the dense net's regression (an epoch is 8 steps): the last complete epoch's loss over every row, as the
 *   tutorial reports it (epochLoss.ts); the lowest such epoch loss is the minimum;
 * - the sequence tasks (MNIST digits, the adding problem; an epoch is tens or hundreds of steps): the mean
 *   training loss of the last LAST_STEPS steps (all of them if fewer); the minimum is the lowest mean of
 *   LAST_STEPS consecutive steps.
 *
 * A diverged cell's figures are those of its steps before the divergence.
 */
import type { SweepCell } from '../../experiment/sweep.ts';
import type { TrainingData } from '../data/trainingData.ts';
import { EpochLossTracker } from '../epochLoss.ts';

export interface CellOutcome extends SweepCell {
  /** The first step whose loss or gradient was not finite, or null. */
  divergedAt: number | null;
  /** See the file's header; NaN when there is none (a cell that diverged inside its first epoch). */
  finalLoss: number;
  minLoss: number;
  /** Classifiers: accuracy on the test set after the last step; null for regressions and diverged cells. */
  testAccuracy: number | null;
  /** Steps trained (up to and including the diverging step). */
  steps: number;
  /**
   * A sweep over several seeds (the experiment's `seeds`): how many seeds the cell trained, and how many of them
   * diverged. The figures above are then merged across the seeds (mergeSeedOutcomes). Absent for one seed.
   */
  seeds?: number;
  seedsDiverged?: number;
}

function medianOf(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * One cell over several seeds: `seeds` and `seedsDiverged` count them; `divergedAt` is the first step any seed went
 * non-finite (null if none did); the final and lowest loss and the test accuracy are the median over the seeds
 * that stayed finite (NaN, or null, when every seed diverged); `steps` the most any seed trained.
 */
export function mergeSeedOutcomes(cell: SweepCell, perSeed: readonly CellOutcome[]): CellOutcome {
  if (perSeed.length === 0) throw new Error('a cell over seeds needs at least one seed');
  const finite = perSeed.filter((o) => o.divergedAt === null);
  const diverged = perSeed.flatMap((o) => (o.divergedAt === null ? [] : [o.divergedAt]));
  const accuracies = finite.flatMap((o) => (o.testAccuracy === null ? [] : [o.testAccuracy]));
  return {
    ...cell,
    divergedAt: diverged.length > 0 ? Math.min(...diverged) : null,
    finalLoss: medianOf(finite.map((o) => o.finalLoss)),
    minLoss: medianOf(finite.map((o) => o.minLoss)),
    testAccuracy: accuracies.length > 0 ? medianOf(accuracies) : null,
    steps: Math.max(...perSeed.map((o) => o.steps)),
    seeds: perSeed.length,
    seedsDiverged: diverged.length,
  };
}

/** Steps averaged for a sequence task's final loss. */
export const LAST_STEPS = 50;

export class CellLossSummary {
  private readonly epochs: EpochLossTracker | null;
  private lastEpoch = 0;
  private final = NaN;
  private lowest = NaN;
  private readonly window: number[] = [];
  private windowSum = 0;

  constructor(kind: TrainingData['kind'], rows: number, batch: number) {
    this.epochs = kind === 'regression' ? new EpochLossTracker(rows, batch) : null;
  }

  /** One step's batch loss (finite: the caller stops at a divergence). */
  add(step: number, epoch: number, loss: number): void {
    if (this.epochs) {
      this.epochs.add(step, epoch, loss);
      const done = this.epochs.lastCompleteEpoch();
      if (done && done.epoch !== this.lastEpoch) {
        this.lastEpoch = done.epoch;
        this.final = done.loss;
        this.lowest = Number.isNaN(this.lowest) ? done.loss : Math.min(this.lowest, done.loss);
      }
      return;
    }
    this.window.push(loss);
    this.windowSum += loss;
    if (this.window.length > LAST_STEPS) this.windowSum -= this.window.shift() ?? 0;
    this.final = this.windowSum / this.window.length;
    if (this.window.length === LAST_STEPS)
      this.lowest = Number.isNaN(this.lowest) ? this.final : Math.min(this.lowest, this.final);
  }

  get finalLoss(): number {
    return this.final;
  }

  get minLoss(): number {
    // Fewer steps than the window: the one mean there is.
    return this.epochs || this.window.length === LAST_STEPS ? this.lowest : this.final;
  }
}
