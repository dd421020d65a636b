/** Which steps the step charts show, and the slice of a series that falls inside. */
import type { StepZoom } from '../store/labStore.ts';

/** The x range for a zoom, given the planned steps and the furthest step reached. */
export function zoomDomain(zoom: StepZoom, plannedSteps: number, reached: number): [number, number] {
  if (zoom.kind === 'first') return [1, Math.max(2, Math.min(zoom.steps, plannedSteps))];
  if (zoom.kind === 'last') return [Math.max(1, reached - zoom.steps + 1), Math.max(2, reached)];
  return [1, Math.max(2, plannedSteps)];
}

/** Steps are 1, 2, 3, ... so the rows inside [lo, hi] are a contiguous slice. */
export function sliceSteps<T extends { subarray(a: number, b: number): T; length: number }>(
  values: T,
  [lo, hi]: [number, number],
): T {
  return values.subarray(Math.max(0, lo - 1), Math.min(values.length, hi));
}
