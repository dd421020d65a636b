/** Which steps the step charts show, and the slice of a series that falls inside. */
import type { StepZoom } from '../store/labStore.ts';

/** The fewest steps the x axis spans while the runs are young. */
export const FOLLOW_MIN_STEPS = 10;
/** The axis widens once the newest step passes this share of it: a quarter of it stays ahead of the runs. */
export const FOLLOW_HEADROOM = 1.25;

/** The smallest 1, 2 or 5 times a power of ten that is at least `x` (x > 0). */
function niceCeil(x: number): number {
  const decade = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * decade >= x * (1 - 1e-12)) return m * decade;
  return 10 * decade;
}

/**
 * The right end of an x axis that follows the runs: the first steps fill the chart, and it widens in
 * 1-2-5 steps (10, 20, 50, 100, ...) as they go on, to the planned steps at most. Step 5 of a 400-step
 * run is then half the chart's width, not a blip at its left edge; and the axis moves a few times a run,
 * not with every step.
 */
export function followingEnd(reached: number, plannedSteps: number): number {
  const wanted = niceCeil(Math.max(FOLLOW_MIN_STEPS, reached * FOLLOW_HEADROOM));
  return Math.max(2, Math.min(plannedSteps, wanted));
}

/** The x range for a zoom, given the planned steps and the furthest step reached. */
export function zoomDomain(zoom: StepZoom, plannedSteps: number, reached: number): [number, number] {
  if (zoom.kind === 'first') return [1, Math.max(2, Math.min(zoom.steps, plannedSteps))];
  if (zoom.kind === 'last') return [Math.max(1, reached - zoom.steps + 1), Math.max(2, reached)];
  return [1, followingEnd(reached, plannedSteps)];
}

/** Steps are 1, 2, 3, ... so the rows inside [lo, hi] are a contiguous slice. */
export function sliceSteps<T extends { subarray(a: number, b: number): T; length: number }>(
  values: T,
  [lo, hi]: [number, number],
): T {
  return values.subarray(Math.max(0, lo - 1), Math.min(values.length, hi));
}
