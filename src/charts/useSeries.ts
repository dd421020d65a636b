import type { RunSide } from '../experiment/config.ts';
import { seriesBySide, useLab } from '../store/labStore.ts';
import { zoomDomain } from './zoom.ts';
import type { RunSeries } from '../store/series.ts';

/** The runs' series, re-read whenever the store says they changed (at most once a frame). */
export function useSeries(): { version: number; series: [RunSide, RunSeries][] } {
  const version = useLab((s) => s.seriesVersion);
  const generation = useLab((s) => s.generation);
  const series = [...seriesBySide.entries()];
  return { version: version * 1000 + generation, series };
}

/** Points per line: about two per horizontal pixel of a typical chart. */
export const MAX_POINTS = 600;

/** The step range every step chart shows, shared so the charts stay aligned. */
export function useStepWindow(): [number, number] {
  const zoom = useLab((s) => s.zoom);
  const planned = useLab((s) => s.config.steps);
  const reached = useLab((s) => Math.max(0, ...Object.values(s.runs).map((r) => r?.step ?? 0)));
  const [lo, hi] = zoomDomain(zoom, planned, reached);
  return [lo, hi];
}
