/**
 * The dense net's loss as the tutorial reports it: per epoch, the mean over every training row,
 * sum(batch loss x batch size) / rows. The last batch of an epoch is short (1000 rows in batches of
 * 128: seven of 128 and one of 104), so a plain mean of batch losses would weigh it wrongly.
 */
export interface EpochLoss {
  epoch: number;
  /** sum(loss x batch size) / rows, over the epoch's steps so far. */
  loss: number;
  /** True when every batch of the epoch was trained. */
  complete: boolean;
}

export class EpochLossTracker {
  private epoch = 0;
  private weightedSum = 0;
  private rowsSeen = 0;
  private lastComplete: EpochLoss | null = null;

  constructor(
    private readonly rows: number,
    private readonly batch: number,
  ) {
    if (!(rows > 0 && batch > 0))
      throw new Error(`epoch loss needs rows and batch size above 0, got ${rows} and ${batch}`);
  }

  /** Adds one step's batch loss; `step` is 1-based, so batches follow one another through each epoch. */
  add(step: number, epoch: number, batchLoss: number): void {
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.weightedSum = 0;
      this.rowsSeen = 0;
    }
    const perEpoch = Math.ceil(this.rows / this.batch);
    const inEpoch = (step - 1) % perEpoch;
    const size = Math.min(this.batch, this.rows - inEpoch * this.batch);
    this.weightedSum += batchLoss * size;
    this.rowsSeen += size;
    if (this.rowsSeen >= this.rows) this.lastComplete = this.current() as EpochLoss;
  }

  /** The epoch in progress (or just finished), or null before the first step. */
  current(): EpochLoss | null {
    if (this.epoch === 0) return null;
    return { epoch: this.epoch, loss: this.weightedSum / this.rowsSeen, complete: this.rowsSeen >= this.rows };
  }

  /** The last epoch whose every batch was trained, or null. */
  lastCompleteEpoch(): EpochLoss | null {
    return this.lastComplete;
  }
}
