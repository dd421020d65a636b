import { useMemo } from 'react';
import type { RunSide } from '../experiment/config.ts';
import { useLab, type LabState, type RunView } from '../store/labStore.ts';
import { zoomDomain } from './zoom.ts';

let drawnRuns: { key: string; source: LabState['runs']; runs: Partial<Record<RunSide, RunView>> } | null = null;

/** The runs, as the same object while none of the fields charts draw has changed. */
function selectDrawnRuns(state: LabState): Partial<Record<RunSide, RunView>> {
  // Every chart runs this on every store update: the key is worked out once per runs object (the soak's profile).
  if (drawnRuns?.source === state.runs) return drawnRuns.runs;
  const key = JSON.stringify(
    Object.values(state.runs).map(
      (r) => r && [r.side, r.title ?? null, r.clip, r.divergence, r.narration?.events.length ?? 0],
    ),
  );
  drawnRuns = { key, source: state.runs, runs: drawnRuns?.key === key ? drawnRuns.runs : state.runs };
  return drawnRuns.runs;
}

/**
 * The runs as charts draw them: labels, clipping and divergence, which change
 * rarely. Selecting `runs` itself would redraw every chart with every metrics
 * batch (its step count changes); this changes only when a drawn field does.
 */
export function useChartRuns(): Partial<Record<RunSide, RunView>> {
  return useLab(selectDrawnRuns);
}

/** Points per line: about two per horizontal pixel of a typical chart. */
export const MAX_POINTS = 600;

/** The step range every step chart shows, shared so the charts stay aligned. */
export function useStepWindow(): [number, number] {
  const zoom = useLab((s) => s.zoom);
  const planned = useLab((s) => s.config.steps);
  // Only the "last N" view follows the runs' progress; the others must not redraw with every step.
  const reached = useLab((s) =>
    s.zoom.kind === 'last' ? Math.max(0, ...Object.values(s.runs).map((r) => r?.step ?? 0)) : 0,
  );
  const [lo, hi] = zoomDomain(zoom, planned, reached);
  return useMemo(() => [lo, hi], [lo, hi]);
}
