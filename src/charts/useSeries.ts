import { useMemo } from 'react';
import type { RunSide } from '../experiment/config.ts';
import { seriesBySide, useLab, type RunView } from '../store/labStore.ts';
import { zoomDomain } from './zoom.ts';
import type { RunSeries } from '../store/series.ts';

/** The runs' series, re-read whenever the store says they changed (at most every REDRAW_INTERVAL_MS). */
export function useSeries(): { version: number; series: [RunSide, RunSeries][] } {
  const version = useLab((s) => s.seriesVersion);
  const generation = useLab((s) => s.generation);
  const series = [...seriesBySide.entries()];
  return { version: version * 1000 + generation, series };
}

/**
 * The runs as charts draw them: labels, clipping and divergence, which change
 * rarely. Selecting `runs` itself would redraw every chart with every metrics
 * batch (its step count changes); this changes only when a drawn field does.
 */
export function useChartRuns(): Partial<Record<RunSide, RunView>> {
  const key = useLab((s) => JSON.stringify(Object.values(s.runs).map((r) => r && [r.side, r.title ?? null, r.clip, r.divergence])));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => useLab.getState().runs, [key]);
}

/** Points per line: about two per horizontal pixel of a typical chart. */
export const MAX_POINTS = 600;

/** The step range every step chart shows, shared so the charts stay aligned. */
export function useStepWindow(): [number, number] {
  const zoom = useLab((s) => s.zoom);
  const planned = useLab((s) => s.config.steps);
  // Only the "last N" view follows the runs' progress; the others must not redraw with every step.
  const reached = useLab((s) => (s.zoom.kind === 'last' ? Math.max(0, ...Object.values(s.runs).map((r) => r?.step ?? 0)) : 0));
  const [lo, hi] = zoomDomain(zoom, planned, reached);
  return [lo, hi];
}
