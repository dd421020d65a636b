/** A run's metrics as the files a user downloads: CSV (one row a step) and JSON (settings, steps, evaluations). */
import type { ExperimentConfig, RunSide } from '../experiment/config.ts';
import { clipOf } from '../experiment/config.ts';
import { csvHeader, csvRow } from '../train/metrics.ts';
import type { RunSeries } from './series.ts';

export function runCsv(series: RunSeries): string {
  const lines = [csvHeader(series.layout).join(',')];
  for (const m of series.rows) lines.push(csvRow(series.layout, m).join(','));
  return `${lines.join('\n')}\n`;
}

export function runJson(config: ExperimentConfig, side: RunSide, series: RunSeries, link: string): string {
  // JSON has no Infinity or NaN: write them as strings so a diverged step survives the trip.
  const replacer = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);
  return JSON.stringify({ link, side, clip: clipOf(config, side), config, layout: series.layout, steps: series.rows, evaluations: series.evals }, replacer);
}
