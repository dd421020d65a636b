/** A run's metrics as the files a user downloads: CSV (one row a step) and JSON (settings, steps, evaluations). */
import type { ExperimentConfig, RunSide } from '../experiment/config.ts';
import { clipOf } from '../experiment/config.ts';
import type { EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import { csvHeader, csvRow } from '../train/metricSchema.ts';

/** Columns as docs/METRICS.md lists them; the test columns are filled on the steps that were evaluated. */
export function runCsv(layout: RunLayout, rows: readonly StepMetrics[], evals: readonly EvalMetrics[] = []): string {
  const evalAt = new Map(evals.map((e) => [e.step, e]));
  const lines = [csvHeader(layout).join(',')];
  for (const m of rows) lines.push(csvRow(layout, m, evalAt.get(m.step) ?? null).join(','));
  return `${lines.join('\n')}\n`;
}

export function runJson(
  config: ExperimentConfig,
  side: RunSide,
  layout: RunLayout,
  rows: readonly StepMetrics[],
  evals: readonly EvalMetrics[],
  link: string,
): string {
  // JSON has no Infinity or NaN: write them as strings so a diverged step survives the trip.
  const replacer = (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  return JSON.stringify(
    { link, side, clip: clipOf(config, side), config, layout, steps: rows, evaluations: evals },
    replacer,
  );
}
