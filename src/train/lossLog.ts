/**
 * A run's finite batch losses, in a typed array that doubles as it fills: 8 bytes a step, no boxing. The narrator
 * (present/narrator.ts) and the seed bands (seedBands.ts) read a run's first and final loss from it, the same way.
 */
export class LossLog {
  private values = new Float64Array(1024);
  count = 0;
  /** Every loss seen, finite or not (the final loss's window is a tenth of these). */
  seen = 0;

  push(loss: number): void {
    this.seen += 1;
    if (!Number.isFinite(loss)) return;
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = loss;
  }

  first(): number | null {
    return this.count > 0 ? (this.values[0] ?? null) : null;
  }

  /** The mean of the last `n` finite losses (fewer if there are fewer). */
  meanOfLast(n: number): number | null {
    const from = Math.max(0, this.count - n);
    if (from >= this.count) return null;
    let sum = 0;
    for (let i = from; i < this.count; i++) sum += this.values[i] ?? 0;
    return sum / (this.count - from);
  }

  /** A run's final loss as the lab reads it: the mean of the last round(seen / 10) finite losses, at least one. */
  final(): number | null {
    return this.meanOfLast(Math.max(1, Math.round(this.seen / 10)));
  }
}
