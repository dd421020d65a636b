/**
 * A learning-rate x threshold sweep of the dense net as ONE batched program: every cell's weights carry a
 * leading cell dimension ([C, out, in]), and each cell's learning rate and clipping threshold are [C, 1, 1]
 * tensors. Sixty-four small runs would pay tfjs's per-kernel dispatch sixty-four times a step; this pays it
 * once. The forward pass keeps the batch in columns: every cell's first layer is ONE matmul,
 * [C x hidden, features] x [features, B], and the second a batched matmul [C, 1, hidden] x [C, hidden, B],
 * with no copy of the batch per cell and no transposed operand. (Tiling the batch for a batched matmul took
 * a third of a 56 ms step of 72 cells on WASM; WASM's broadcasting comparisons for value clipping another
 * third: the bounds are now full-shaped, made once.) Each dot product runs in the order `Run`'s does.
 *
 * Every cell starts from the same weights and sees the same batches as `Run` would (same seed), and applies
 * the same formulas: torch's SGD with momentum, and the clip modes of clipping.ts, per cell. A test holds
 * it to one-at-a-time training. The sum of the cells' losses is differentiated: each cell's gradient is
 * that of its own loss (a diverged cell's NaN stays in its cell).
 *
 * Over several seeds (`seedData`, one training set per seed) the program trains grid x seeds: the cells of seed s
 * (seed-major, cell s x C + k) start from seed s's weights and see seed s's batches, and the first layer is then one
 * batched matmul [S, C x hidden, features] x [S, features, B] over the seeds' batches. One seed keeps the 2-D
 * product above, so a one-seed sweep is the sweep it always was.
 */
import * as tf from '@tensorflow/tfjs-core';
import { REGRESSION_FEATURES, seedConfig, type ClipMode, type ExperimentConfig } from '../../experiment/config.ts';
import type { SweepCell } from '../../experiment/sweep.ts';
import { BatchOrder } from '../batchOrder.ts';
import { makeBatch, trainRows, type TrainingData } from '../data/trainingData.ts';
import { initialWeightsFor } from '../trainer.ts';
import { CellLossSummary, type CellOutcome } from './cellOutcome.ts';
import { denseBatchRefusal } from './sweepMethod.ts';

export type { CellOutcome, SweepCell };

export class DenseSweep {
  readonly cells: readonly SweepCell[];
  /** Seeds trained per cell (1: the experiment's own seed). */
  readonly seeds: number;
  private readonly seedData: readonly TrainingData[];
  private readonly mode: ClipMode;
  private readonly weights: tf.Variable[];
  private readonly buffers: tf.Variable[];
  private readonly lr: tf.Tensor3D;
  /** Per cell: the threshold (1 where unclipped, unused there) and whether it clips (1) or not (0). */
  private readonly threshold: tf.Tensor3D;
  private readonly clips: tf.Tensor3D;
  /** Value clipping: per weight, each cell's [-c, c] at full shape (±Infinity where unclipped). */
  private readonly bounds: { low: tf.Tensor; high: tf.Tensor }[];
  private readonly batches: BatchOrder[];
  private readonly summaries: CellLossSummary[];
  private readonly divergedAt: (number | null)[];
  private stepsDone = 0;
  /** Each cell's global gradient norm before clipping at the last step (float32, as the program computes it). */
  private lastNorms: Float32Array<ArrayBufferLike> = new Float32Array(0);

  constructor(
    readonly config: ExperimentConfig,
    private readonly data: TrainingData,
    cells: readonly SweepCell[],
    /** Seed s's training data, for s = 0 .. S - 1 (seedOf(config, s)); default: the one seed's. */
    seedData: readonly TrainingData[] = [data],
  ) {
    const refused = denseBatchRefusal(config);
    if (refused) throw new Error(refused);
    if (cells.length === 0) throw new Error('a sweep needs at least one cell');
    if (seedData.length === 0) throw new Error('a sweep needs at least one seed');
    this.cells = cells;
    this.seeds = seedData.length;
    this.seedData = seedData;
    this.mode = config.clip.mode;
    const grid = cells.length;
    const c = grid * this.seeds;
    const starts = seedData.map((_, s) => initialWeightsFor(s === 0 ? config : seedConfig(config, s)));
    const shapes: [string, number[]][] = [
      ['fc1.weight', [config.hidden, REGRESSION_FEATURES]],
      ['fc1.bias', [1, config.hidden]],
      ['fc2.weight', [1, config.hidden]],
      ['fc2.bias', [1, 1]],
    ];
    this.weights = shapes.map(([name, shape]) =>
      tf.tidy(() => {
        // Each seed's weights, once per cell of the grid: seed-major.
        const perSeed = starts.map((start) => {
          const values = start[name];
          if (!values) throw new Error(`no initial value for ${name}`);
          return tf.tile(tf.tensor3d(values, [1, shape[0] ?? 1, shape[1] ?? 1]), [grid, 1, 1]);
        });
        return tf.variable(perSeed.length === 1 ? (perSeed[0] as tf.Tensor) : tf.concat(perSeed, 0));
      }),
    );
    this.buffers = this.weights.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
    const allCells = seedData.flatMap(() => cells);
    const perCell = (f: (cell: SweepCell) => number) => tf.tensor3d(allCells.map(f), [c, 1, 1]);
    this.lr = perCell((cell) => cell.lr);
    this.threshold = perCell((cell) => cell.clip ?? 1);
    this.clips = perCell((cell) => (cell.clip === null ? 0 : 1));
    const bound = tf.tensor3d(
      allCells.map((cell) => cell.clip ?? Infinity),
      [c, 1, 1],
    );
    this.bounds =
      this.mode === 'value'
        ? this.weights.map((w) =>
            tf.tidy(() => {
              const high = tf.mul(tf.onesLike(w), bound);
              return { low: tf.keep(tf.neg(high)), high: tf.keep(high) };
            }),
          )
        : [];
    bound.dispose();
    const rows = trainRows(data);
    for (const other of seedData)
      if (trainRows(other) !== rows) throw new Error('every seed of a sweep needs as many training rows');
    this.batches = seedData.map((_, s) => new BatchOrder(seedConfig(config, s).seed, rows, config.batch));
    this.summaries = allCells.map(() => new CellLossSummary(data.kind, rows, config.batch));
    this.divergedAt = allCells.map(() => null);
  }

  get step(): number {
    return this.stepsDone;
  }

  /** Trains every cell one step; returns each cell's batch loss. */
  async trainStep(): Promise<Float32Array> {
    const step = this.stepsDone + 1;
    const picks = this.batches.map((order) => order.next(this.stepsDone));
    const epoch = picks[0]?.epoch ?? 1;
    const seedBatches = picks.map(({ indices }, s) => makeBatch(this.seedData[s] ?? this.data, indices));
    const batch = seedBatches[0] as ReturnType<typeof makeBatch>;
    const c = this.cells.length * this.seeds;
    const grid = this.cells.length;
    const seeds = this.seeds;
    const packed = tf.tidy(() => {
      const hidden = this.config.hidden;
      const rows = batch.x.shape[0] ?? 0;
      const columns = tf.transpose(batch.x) as tf.Tensor2D; // [F, B]
      const y = tf.reshape(batch.y, [1, 1, -1]);
      // Over several seeds: each seed's batch in columns, [S, F, B], and its targets [S, 1, B].
      const seedColumns = seeds > 1 ? tf.stack(seedBatches.map((b) => tf.transpose(b.x))) : null;
      const seedY = seeds > 1 ? tf.reshape(tf.stack(seedBatches.map((b) => b.y)), [seeds, 1, -1]) : null;
      const lossesOf = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
        const pre =
          seedColumns === null
            ? tf.reshape(tf.matMul(tf.reshape(w1, [c * hidden, -1]) as tf.Tensor2D, columns), [c, hidden, rows])
            : tf.reshape(
                tf.matMul(tf.reshape(w1, [seeds, grid * hidden, -1]) as tf.Tensor3D, seedColumns as tf.Tensor3D),
                [c, hidden, rows],
              );
        const h = tf.relu(tf.add(pre, tf.reshape(b1, [c, hidden, 1])));
        const prediction = tf.add(tf.matMul(w2 as tf.Tensor3D, h as tf.Tensor3D), b2); // [C, 1, B]
        if (seedY === null) return tf.mean(tf.square(tf.sub(prediction, y)), [1, 2]); // [C]
        const error = tf.sub(tf.reshape(prediction, [seeds, grid, rows]), seedY);
        return tf.reshape(tf.mean(tf.square(error), [2]), [c]);
      };
      // The cells' losses come out of the differentiated function, kept past its tape's tidy.
      let kept: tf.Tensor | null = null;
      const { grads } = tf.valueAndGrads((...w: tf.Tensor[]) => {
        const perCell = lossesOf(w[0] as tf.Tensor, w[1] as tf.Tensor, w[2] as tf.Tensor, w[3] as tf.Tensor);
        kept = tf.keep(perCell);
        return tf.sum(perCell) as tf.Scalar;
      })(this.weights);
      const losses = kept as unknown as tf.Tensor;
      // Per cell and tensor: sum of squares [C]; the global norm before clipping (for divergence).
      const squares = grads.map((g) => tf.sum(tf.square(g), [1, 2]));
      const globalPre = tf.sqrt(tf.addN(squares));
      const clipped = this.clip(grads, squares);
      this.weights.forEach((w, i) => {
        const buffer = this.buffers[i] as tf.Variable;
        const g = clipped[i] as tf.Tensor;
        // torch.optim.SGD: buf <- momentum buf + g; p <- p - lr buf (momentum 0: p <- p - lr g).
        const direction = this.config.momentum === 0 ? g : tf.add(tf.mul(buffer, this.config.momentum), g);
        if (this.config.momentum !== 0) buffer.assign(direction);
        w.assign(tf.sub(w, tf.mul(direction, this.lr)));
      });
      const result = tf.concat([losses, globalPre]);
      losses.dispose();
      return result;
    });
    for (const b of seedBatches) {
      b.x.dispose();
      b.y.dispose();
    }
    const values = await packed.data();
    packed.dispose();
    const losses = values.slice(0, c) as Float32Array;
    this.lastNorms = values.slice(c, 2 * c) as Float32Array;
    this.divergedAt.forEach((_, k) => {
      const loss = values[k] ?? NaN;
      const norm = values[c + k] ?? NaN;
      if (this.divergedAt[k] === null && !(Number.isFinite(loss) && Number.isFinite(norm))) this.divergedAt[k] = step;
      if (this.divergedAt[k] === null) this.summaries[k]?.add(step, epoch, loss);
    });
    this.stepsDone = step;
    return losses;
  }

  /** The clip modes of clipping.ts, per cell; cells without clipping get their gradient back unchanged. */
  private clip(grads: tf.Tensor[], squares: tf.Tensor[]): tf.Tensor[] {
    const c = this.threshold;
    const on = this.clips;
    const asCells = (t: tf.Tensor) => tf.reshape(t, [-1, 1, 1]);
    switch (this.mode) {
      case 'value':
        // A NaN may come out as a bound here, where tf.clip_by_value keeps it; that changes nothing: the step
        // that made it has diverged, and a cell's figures stop there.
        return grads.map((g, i) => {
          const { low, high } = this.bounds[i] as { low: tf.Tensor; high: tf.Tensor };
          return tf.minimum(tf.maximum(g, low), high);
        });
      case 'norm':
        // tf.clip_by_norm per tensor: g * c / max(||g||, c).
        return grads.map((g, i) => {
          const norm = asCells(tf.sqrt(squares[i] as tf.Tensor));
          const factor = tf.div(c, tf.maximum(norm, c));
          return tf.mul(g, tf.where(tf.equal(on, 1), factor, tf.onesLike(factor)));
        });
      case 'global': {
        if (this.config.clip.normType !== '2') throw new Error('a sweep clips the global L2 norm only');
        // torch clip_grad_norm_: coef = min(1, c / (total + 1e-6)).
        const total = asCells(tf.sqrt(tf.addN(squares)));
        const coef = tf.minimum(tf.div(c, tf.add(total, 1e-6)), 1);
        const scale = tf.where(tf.equal(on, 1), coef, tf.onesLike(coef));
        return grads.map((g) => tf.mul(g, scale));
      }
      case 'global-tf': {
        // tf.clip_by_global_norm: scale = c * min(1 / global, 1 / c); NaN when global is not finite.
        const global = asCells(tf.sqrt(tf.addN(squares)));
        const raw = tf.mul(c, tf.minimum(tf.div(1, global), tf.div(1, c)));
        const scale = tf.where(tf.isFinite(global), raw, tf.mul(tf.onesLike(raw), NaN));
        return grads.map((g) => tf.mul(g, tf.where(tf.equal(on, 1), scale, tf.onesLike(scale))));
      }
      case 'none':
        return grads;
      default: {
        const unreachable: never = this.mode;
        throw new Error(`unknown clip mode ${String(unreachable)}`);
      }
    }
  }

  /** Each cell's global gradient norm before clipping at the last step. */
  globalNorms(): Float32Array<ArrayBufferLike> {
    return this.lastNorms;
  }

  /** The first step each cell's loss or gradient was not finite, or null (so far). */
  divergedSteps(): readonly (number | null)[] {
    return this.divergedAt;
  }

  /**
   * One cell's outcome so far (its whole outcome once the steps are done or it diverged); over several seeds, `k` is
   * seed s's cell s x C + (its place in the grid).
   */
  outcome(k: number): CellOutcome {
    const cell = this.cells[k % this.cells.length];
    const summary = this.summaries[k];
    if (!cell || !summary) throw new Error(`no cell ${k} in a sweep of ${this.cells.length}`);
    return {
      ...cell,
      divergedAt: this.divergedAt[k] ?? null,
      finalLoss: summary.finalLoss,
      minLoss: summary.minLoss,
      testAccuracy: null,
      steps: this.divergedAt[k] ?? this.stepsDone,
    };
  }

  outcomes(): CellOutcome[] {
    return this.divergedAt.map((_, k) => this.outcome(k));
  }

  dispose(): void {
    const bounds = this.bounds.flatMap((b) => [b.low, b.high]);
    for (const t of [...this.weights, ...this.buffers, this.lr, this.threshold, this.clips, ...bounds]) t.dispose();
  }
}
