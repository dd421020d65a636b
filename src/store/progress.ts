/**
 * The toolbar's speed and time left for the runs on the charts. Only the runs still training count: a run that
 * diverged or finished keeps the speed it last had, and its step, but no longer holds anything up. The slowest of
 * them sets the pace (the session keeps the runs in lockstep), and the one furthest behind has the most to go.
 */
import type { RunPhase } from '../train/runPhase.ts';

const TRAINING: ReadonlySet<RunPhase> = new Set(['ready', 'running', 'paused']);

export interface RunPace {
  phase: RunPhase;
  step: number;
  stepsPerSecond: number | null;
}

export interface Progress {
  /** The furthest step any run reached (what "Step N / total" shows). */
  step: number;
  /**
   * The slowest training run's speed; once none trains, the pace the runs that went furthest last had (the slowest
   * of their last speeds), so the readout does not go blank at the end of a run; null when no run has a speed yet.
   */
  stepsPerSecond: number | null;
  /** Seconds until the last training run reaches `totalSteps`, or null (always null once none trains). */
  secondsLeft: number | null;
  /**
   * Set while the first steps are paced for watching: the step the pace lasts to. The time left is then null: the
   * pace of the first steps says nothing of the speed after them.
   */
  slowUntil?: number;
}

/** `openingUntil`: the step the opening pace lasts to while it holds (session.ts), else null. */
export function progressOf(runs: readonly RunPace[], totalSteps: number, openingUntil: number | null = null): Progress {
  const step = Math.max(0, ...runs.map((r) => r.step));
  const training = runs.filter((r) => TRAINING.has(r.phase));
  const speedsOf = (some: readonly RunPace[]) =>
    some.map((r) => r.stepsPerSecond).filter((s): s is number => s !== null && s > 0);
  const speeds = speedsOf(training);
  if (training.length === 0) {
    // The runs that went furthest set the last pace: a run that diverged at step 5 stopped at the slow pace of the
    // first steps, and the race went on at full speed for hundreds of steps after it.
    const furthest = speedsOf(runs.filter((r) => r.step === step));
    const last = furthest.length > 0 ? furthest : speedsOf(runs);
    return { step, stepsPerSecond: last.length > 0 ? Math.min(...last) : null, secondsLeft: null };
  }
  if (speeds.length === 0) return { step, stepsPerSecond: null, secondsLeft: null };
  const stepsPerSecond = Math.min(...speeds);
  const behind = Math.min(...training.map((r) => r.step));
  if (openingUntil !== null && behind < openingUntil && openingUntil < totalSteps)
    return { step, stepsPerSecond, secondsLeft: null, slowUntil: openingUntil };
  return { step, stepsPerSecond, secondsLeft: Math.max(0, totalSteps - behind) / stepsPerSecond };
}
