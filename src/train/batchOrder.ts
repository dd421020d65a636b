/**
 * Which rows each step trains on: consecutive chunks of each epoch's shuffled row order, the last chunk
 * short. The order comes from the seed's `batches` stream (or is given, for a golden replay), so every
 * run of an experiment, a pair's two sides and a sweep's cells alike, sees the same batches.
 */
import { Rng } from './rng.ts';

export class BatchOrder {
  private readonly rng: Rng;
  private epochOrder: ArrayLike<number> = [];

  constructor(
    seed: number,
    private readonly rows: number,
    private readonly batch: number,
    /** A reference implementation's row order per epoch, replayed instead of the seed's. */
    private readonly epochOrders?: ArrayLike<number>[],
  ) {
    this.rng = new Rng(seed).fork('batches');
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.rows / this.batch);
  }

  /** The rows of step `stepsDone + 1`; called once per step, in order. */
  next(stepsDone: number): { indices: number[]; epoch: number } {
    const perEpoch = this.batchesPerEpoch;
    const epochIndex = Math.floor(stepsDone / perEpoch);
    const inEpoch = stepsDone % perEpoch;
    if (inEpoch === 0) {
      if (this.epochOrders) {
        const order = this.epochOrders[epochIndex];
        if (!order) throw new Error(`no batch order given for epoch ${epochIndex + 1}`);
        this.epochOrder = order;
      } else {
        this.epochOrder = this.rng.permutation(this.rows);
      }
    }
    const start = inEpoch * this.batch;
    const end = Math.min(start + this.batch, this.rows);
    const order = this.epochOrder;
    const indices = Array.from({ length: end - start }, (_, k) => order[start + k] ?? -1);
    return { indices, epoch: epochIndex + 1 };
  }
}
