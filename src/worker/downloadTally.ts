/**
 * Counts the bytes of a run's data as they arrive, against the sizes the MNIST manifest lists, and reports the
 * sum at most every `everyMs` (a message per network read would be hundreds), and always once the last byte is in.
 */
import type { DataProgress } from './protocol.ts';

export class DownloadTally {
  private loadedBytes = 0;
  /** null once any expected file's size is unknown: the bar then shows the bytes so far, without an end. */
  private totalBytes: number | null = 0;
  private lastReportMs = -Infinity;

  constructor(
    private readonly report: (progress: DataProgress) => void,
    private readonly now: () => number,
    private readonly everyMs = 100,
  ) {}

  /** A file about to be fetched, of `bytes` (null: unknown). */
  expect(bytes: number | null): void {
    this.totalBytes = bytes === null || this.totalBytes === null ? null : this.totalBytes + bytes;
  }

  /** `bytes` more arrived. */
  receive(bytes: number): void {
    this.loadedBytes += bytes;
    const complete = this.totalBytes !== null && this.loadedBytes >= this.totalBytes;
    const nowMs = this.now();
    if (!complete && nowMs - this.lastReportMs < this.everyMs) return;
    this.lastReportMs = nowMs;
    this.report(this.progress());
  }

  progress(): DataProgress {
    return { loadedBytes: this.loadedBytes, totalBytes: this.totalBytes };
  }
}
