/** A run's metrics as the files a user downloads: CSV (one row a step) and JSON (settings, steps, evaluations). */
import type { ExperimentConfig } from '../experiment/config.ts';
import type { PresetId } from '../experiment/presets.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import { archiveJson } from '../persist/runArchive.ts';
import type { StoredRun } from '../persist/runHistory.ts';
import type { EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import { csvHeader, csvRow } from '../train/metricSchema.ts';
import type { RunView } from './labStore.ts';

/** Columns as docs/METRICS.md lists them; the test columns are filled on the steps that were evaluated. */
export function runCsv(layout: RunLayout, rows: readonly StepMetrics[], evals: readonly EvalMetrics[] = []): string {
  const evalAt = new Map(evals.map((e) => [e.step, e]));
  const lines = [csvHeader(layout).join(',')];
  for (const m of rows) lines.push(csvRow(layout, m, evalAt.get(m.step) ?? null).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * A run card's Download JSON: the run history's export format (one run), so it imports back through the history's
 * Import and reopens with the same numbers. `link` is the experiment's link query (it carries the whole config).
 */
export function runJson(
  run: Pick<RunView, 'side' | 'clip' | 'phase' | 'backend' | 'divergence' | 'error' | 'runId'>,
  config: ExperimentConfig,
  preset: PresetId,
  layout: RunLayout,
  rows: readonly StepMetrics[],
  evals: readonly EvalMetrics[],
  nowMs = Date.now(),
): string {
  const id = run.runId ?? `page-${nowMs.toString(36)}:${run.side}`;
  const stored: StoredRun = {
    id,
    session: id.slice(0, id.lastIndexOf(':')),
    createdAt: nowMs,
    updatedAt: nowMs,
    side: run.side,
    preset,
    link: encodeExperiment(config, preset),
    config,
    clip: run.clip,
    phase: run.phase,
    step: rows.at(-1)?.step ?? 0,
    backend: run.backend,
    layout,
    divergence: run.divergence,
    error: run.error,
  };
  return archiveJson([{ run: stored, steps: [...rows], evals: [...evals] }]);
}

/**
 * The rows a run's download holds: what the history kept, then the page's own later steps (after a failed write the
 * history stops at the failure; without a history the page's copy is all there is).
 */
export function exportRows(
  stored: readonly StepMetrics[] | null,
  page: readonly StepMetrics[],
): readonly StepMetrics[] {
  if (!stored || stored.length === 0) return page;
  const lastKept = stored[stored.length - 1]?.step ?? 0;
  return [...stored, ...page.filter((s) => s.step > lastKept)];
}
