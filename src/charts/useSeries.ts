import { useDeferredValue, useMemo } from 'react';
import type { RunSide } from '../experiment/config.ts';
import { useLab, type LabState, type RunView } from '../store/labStore.ts';
import { usePrinting } from './printing.ts';
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

/** The furthest step any run has reached. */
function reachedStep(s: LabState): number {
  return Math.max(0, ...Object.values(s.runs).map((r) => r?.step ?? 0));
}

/** The step range every step chart shows, shared so the charts stay aligned. */
export function useStepWindow(): [number, number] {
  // The charts must not redraw with every step: select the domain's ends, which change a few times a run
  // ("all" widens in 1-2-5 steps, see zoom.ts), except in the "last N" view, which slides with the runs.
  const lo = useLab((s) => zoomDomain(s.zoom, s.config.steps, reachedStep(s))[0]);
  const hi = useLab((s) => zoomDomain(s.zoom, s.config.steps, reachedStep(s))[1]);
  // A wider window redraws every chart at once: deferred, React renders that in slices between frames (a
  // transition) rather than in the worker message's task, where it was most of the page's long tasks.
  const now = useMemo((): [number, number] => [lo, hi], [lo, hi]);
  const deferred = useDeferredValue(now);
  // Except for printing, which lays the page out right after the print event's synchronous render: a fast run
  // keeps putting the deferred render off, and the printed axis would end hundreds of steps before the lines.
  return usePrinting() ? now : deferred;
}
