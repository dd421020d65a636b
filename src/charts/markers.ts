import type { RunSide } from '../experiment/config.ts';
import type { RunView } from '../store/labStore.ts';
import { SIDE_LABEL } from './palette.ts';
import type { StepMarker } from './StepChart.tsx';

/** A red line at the step each run diverged. */
export function divergenceMarkers(runs: Partial<Record<RunSide, RunView>>): StepMarker[] {
  return (Object.values(runs) as RunView[])
    .filter((r) => r.divergence)
    .map((r) => ({ step: r.divergence?.step ?? 0, label: `${SIDE_LABEL[r.side]} diverged (step ${r.divergence?.step})` }));
}

/** Steps (bucketed to at most `max`) at which clipping changed the gradient. */
export function clipActedSteps(steps: ArrayLike<number>, fractions: ArrayLike<number>, max: number): number[] {
  const n = Math.min(steps.length, fractions.length);
  const bucket = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let start = 0; start < n; start += bucket) {
    for (let i = start; i < Math.min(n, start + bucket); i++) {
      if (fractions[i] > 0) {
        out.push(steps[i]);
        break;
      }
    }
  }
  return out;
}
