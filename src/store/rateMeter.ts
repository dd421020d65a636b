/**
 * Steps per second over the last few seconds of wall-clock time, from (time, step) samples. A run's speed changes
 * over a long race (the first steps are slow while kernels compile and the backend is timed; a run that diverges
 * drops out and frees a core), so a rate over the whole run, or a smoothing of per-batch rates, drifts away from
 * what the run does now. Pure: the caller passes the time, so a test can pass a fake clock.
 */
export const RATE_WINDOW_MS = 5000;

export class RateMeter {
  private samples: { timeMs: number; step: number }[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** The run had reached `step` at `timeMs` (milliseconds on any clock that only goes forward). */
  add(timeMs: number, step: number): void {
    this.samples.push({ timeMs, step });
    // Keep the last sample at or before the window's start, so the rate spans the whole window once it can.
    while (this.samples.length > 2 && (this.samples[1]?.timeMs ?? Infinity) <= timeMs - this.windowMs)
      this.samples.shift();
  }

  /** Steps per second across the window; null until two samples some time apart. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.timeMs <= first.timeMs) return null;
    return ((last.step - first.step) * 1000) / (last.timeMs - first.timeMs);
  }

  /** Forgets the samples: after a pause the window must not count the time the run stood still. */
  reset(): void {
    this.samples = [];
  }
}
