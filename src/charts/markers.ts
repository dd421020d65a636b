import type { RunSide } from '../experiment/config.ts';
import type { RunView } from '../store/labStore.ts';
import { SIDE_LABEL } from './palette.ts';
import type { Point } from '../store/downsample.ts';
import type { StepMarker } from './StepChart.tsx';

/** A red line at the step each run diverged. */
export function divergenceMarkers(runs: Partial<Record<RunSide, RunView>>): StepMarker[] {
  return (Object.values(runs) as RunView[])
    .filter((r) => r.divergence)
    .map((r) => ({
      step: r.divergence?.step ?? 0,
      label: `${r.title ?? SIDE_LABEL[r.side]} diverged (step ${r.divergence?.step})`,
    }));
}

/**
 * Steps (bucketed to at most `max`) at which clipping changed the gradient, from
 * the clip-fraction points (min-max downsampled, so a bucket where clipping acted
 * once still has a point above zero).
 */
export function clipActedSteps(fractions: Point[], max: number): number[] {
  const bucket = Math.max(1, Math.ceil(fractions.length / max));
  const out: number[] = [];
  for (let start = 0; start < fractions.length; start += bucket) {
    const hit = fractions.slice(start, start + bucket).find((p) => p.y > 0);
    if (hit) out.push(hit.x);
  }
  return out;
}
