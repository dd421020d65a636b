/**
 * The other seeds of a dense run (seeds 1 to n - 1; seed 0 is the run itself, a `Run`) as ONE batched program, as
 * the sweep trains its grid: DenseSweep with one cell (the run's learning rate and clipping) over n - 1 seeds, each
 * from its own weights, batches and data. The bands need only each seed's loss and global norm, which the program
 * reads back once a step for all of them, instead of n - 1 runs paying tfjs's per-kernel dispatch each.
 *
 * It is one lane of the run driver: a step is a step of every seed. The driver hears a StepMetrics of its first
 * seed (loss and norms only: nobody charts it); the seeds' figures go to SeedBands directly. It cannot turn a knob
 * part-way (its learning rate and threshold are fixed tensors), so a run with a schedule, or with a knob turned
 * live, trains its seeds one `Run` each instead (the worker replays them to where this lane was).
 *
 * Pure: no DOM, worker or Node API.
 */
import { clipOf, seedOf, type ExperimentConfig, type RunSide } from '../experiment/config.ts';
import type { TrainingData } from './data/trainingData.ts';
import type { Divergence, EvalMetrics, StepMetrics } from './metrics.ts';
import type { DrivenRun } from './runDriver.ts';
import type { TrainerPhase } from './runPhase.ts';
import type { SeedBands } from './seedBands.ts';
import { DenseSweep } from './sweep/denseSweep.ts';
import { denseBatchRefusal } from './sweep/sweepMethod.ts';

/** The sweep's config and its one cell for this side, or why its seeds cannot be batched. */
function batchPlan(
  config: ExperimentConfig,
  side: RunSide,
): { config: ExperimentConfig; clip: number | null } | { refused: string } {
  if (config.schedule.length > 0) return { refused: 'a schedule of knobs changes the run part-way' };
  const clip = clipOf(config, side);
  let threshold: number | null;
  if (clip.mode === 'none') threshold = null;
  else if (clip.mode === 'value') {
    if (clip.min !== -clip.max) return { refused: `clip by value to [${clip.min}, ${clip.max}] is not [-c, c]` };
    threshold = clip.max;
  } else threshold = clip.threshold;
  // The unclipped run is the sweep's unclipped column: any clipping mode, its cell without a threshold.
  const swept: ExperimentConfig = { ...config, clip: clip.mode === 'none' ? { ...clip, mode: 'value' } : clip };
  const refused = denseBatchRefusal(swept);
  return refused ? { refused } : { config: swept, clip: threshold };
}

/** Why the seeds of this side cannot train as one batched program, or null when they can. */
export function batchedSeedsRefusal(config: ExperimentConfig, side: RunSide): string | null {
  const plan = batchPlan(config, side);
  return 'refused' in plan ? plan.refused : null;
}

function stepOf(step: number, epoch: number, loss: number, norm: number): StepMetrics {
  return {
    step,
    epoch,
    loss,
    accuracy: null,
    globalNormPre: norm,
    globalNormPost: NaN,
    clipFraction: NaN,
    clipScale: NaN,
    gradNormPre: [],
    gradNormPost: [],
    weightNorm: [],
    updateRatio: [],
    layerNormPre: [],
    layerNormPost: [],
    hiddenGradNorms: null,
  };
}

export class BatchedSeeds implements DrivenRun {
  readonly hasTestSet = false;
  readonly config: { readonly steps: number; readonly evalEvery: number };
  private readonly sweep: DenseSweep;
  private statusValue: TrainerPhase = 'ready';
  /** Each seed's divergence, once it diverged. */
  private readonly divergences: (Divergence | null)[];

  /**
   * `seedData`: the data of seeds 1 to n - 1, in order; `bands` hears them as seeds 1 to n - 1 (`first` = 1).
   */
  constructor(
    config: ExperimentConfig,
    side: RunSide,
    seedData: readonly TrainingData[],
    private bands: SeedBands,
    private readonly first = 1,
  ) {
    const plan = batchPlan(config, side);
    if ('refused' in plan) throw new Error(`the seeds cannot be batched: ${plan.refused}`);
    const [data] = seedData;
    if (!data) throw new Error('no seeds to batch');
    this.config = { steps: config.steps, evalEvery: config.evalEvery };
    // DenseSweep's seed s trains from seedOf(its config, s): start its seeds at the run's seed `first`.
    this.sweep = new DenseSweep(
      { ...plan.config, seed: seedOf(config, first) },
      data,
      [{ lr: config.lr, clip: plan.clip }],
      seedData,
    );
    this.divergences = seedData.map(() => null);
  }

  get step(): number {
    return this.sweep.step;
  }

  get status(): TrainerPhase {
    return this.statusValue;
  }

  /** The first of its seeds' divergence once every one has diverged; null while any trains. */
  get divergence(): Divergence | null {
    return this.statusValue === 'diverged' ? (this.divergences[0] ?? null) : null;
  }

  /** Every seed one step; each seed's loss and global norm go to the bands (a diverged seed's no longer). */
  async trainStep(): Promise<StepMetrics> {
    const before = [...this.sweep.divergedSteps()];
    const losses = await this.sweep.trainStep();
    const norms = this.sweep.globalNorms();
    const step = this.sweep.step;
    // The bands read only the loss and the global norm; the epoch is not tracked here.
    const epoch = 0;
    const after = this.sweep.divergedSteps();
    after.forEach((at, i) => {
      if (before[i] !== null) return;
      const loss = losses[i] ?? NaN;
      const norm = norms[i] ?? NaN;
      this.bands.step(this.first + i, stepOf(step, epoch, loss, norm));
      if (at !== null) {
        // As findDivergence (metrics.ts) reads a step: the loss first, then the gradient.
        const divergence: Divergence = Number.isFinite(loss)
          ? { step: at, what: 'gradient', value: String(norm) }
          : { step: at, what: 'loss', value: String(loss) };
        this.divergences[i] = divergence;
        this.bands.diverged(this.first + i, divergence);
      } else if (step >= this.config.steps) this.bands.ended(this.first + i);
    });
    if (after.every((at) => at !== null)) this.statusValue = 'diverged';
    else if (step >= this.config.steps) this.statusValue = 'finished';
    return stepOf(step, epoch, losses[0] ?? NaN, norms[0] ?? NaN);
  }

  /** Whom it tells from now on (a replay tells a throwaway SeedBands, then the real one). */
  tell(bands: SeedBands): void {
    this.bands = bands;
  }

  evaluate(): Promise<EvalMetrics | null> {
    return Promise.resolve(null);
  }

  dispose(): void {
    this.sweep.dispose();
  }
}
