/**
 * Charts draw one at a time. A recharts chart (the per-time-step one; the step charts were recharts too until
 * stop 34) mounts in one long task (its axes, legend and lines register with the chart's own store, each a
 * synchronous render); five charts mounting together blocked the page for over a second on a phone's CPU. Each waiting chart takes a turn; the next turn comes in a later task, after the
 * browser has painted, so the page answers between charts and they appear one by one.
 */

/** How a turn waits for the next task after a paint: injectable for tests. */
export type NextTask = (run: () => void) => void;

const afterPaint: NextTask = (run) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(run, 0));
  else setTimeout(run, 0);
};

interface Waiting {
  start: () => void;
  live: boolean;
}

export class ChartTurns {
  private readonly waiting: Waiting[] = [];
  private busy = false;

  constructor(private readonly nextTask: NextTask = afterPaint) {}

  /** Calls `start` when it is this chart's turn; the returned function gives the place up (an unmounted chart). */
  take(start: () => void): () => void {
    const entry: Waiting = { start, live: true };
    this.waiting.push(entry);
    if (!this.busy) this.pass();
    return () => {
      entry.live = false;
    };
  }

  /** How many charts wait for a turn (places given up included until they come up). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Starts the first chart still waiting, and passes the turn on in a later task; places given up are skipped. */
  private pass(): void {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      if (!next.live) continue;
      this.busy = true;
      next.start();
      this.nextTask(() => this.pass());
      return;
    }
    this.busy = false;
  }
}

/** The page's one queue. */
export const chartTurns = new ChartTurns();
