/**
 * A run's line on a chart that bands its seeds (loss, global norm, test): the link's own seed's line for a run of
 * one seed, exactly as before; over several seeds, the median across the seeds with the band from the lowest to the
 * highest (store/series.ts's BandSeries, train/seedBands.ts).
 */
import type { Point } from '../store/downsample.ts';
import type { BandColumn, RunSeries, SeriesColumn } from '../store/series.ts';
import type { SeedEvalRow } from '../train/seedBands.ts';

export interface BandedLine {
  points: Point[];
  band?: { lo: Point[]; hi: Point[] };
}

export function bandedLine(
  series: RunSeries,
  column: BandColumn,
  single: SeriesColumn,
  stepWindow: [number, number],
  maxPoints: number,
  options: { positiveOnly?: boolean } = {},
): BandedLine {
  const bands = series.bands;
  if (!bands) return { points: series.points(single, stepWindow, maxPoints, options) };
  return {
    points: bands.points(column, 'median', stepWindow, maxPoints, options),
    band: {
      lo: bands.points(column, 'min', stepWindow, maxPoints, options),
      hi: bands.points(column, 'max', stepWindow, maxPoints, options),
    },
  };
}

/** The test metric's median and band over the seeds, at the evaluations in the window. */
export function bandedTests(tests: readonly SeedEvalRow[], [lo, hi]: [number, number]): Required<BandedLine> {
  const shown = tests.filter((t) => t.step >= lo && t.step <= hi);
  return {
    points: shown.map((t) => ({ x: t.step, y: t.test.median })),
    band: {
      lo: shown.map((t) => ({ x: t.step, y: t.test.min })),
      hi: shown.map((t) => ({ x: t.step, y: t.test.max })),
    },
  };
}

/** "median of 5 seeds" for a run over several seeds, else nothing: the legend says what the line is. */
export function seedsSuffix(series: RunSeries, seeds: number | undefined): string {
  return series.bands && seeds !== undefined && seeds > 1 ? `, median of ${seeds} seeds` : '';
}
