/** Reopening stored runs on the charts: one run or a pair as it trained, or any two runs side by side to compare. */
import { RUN_SIDES } from '../experiment/config.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import type { StoredRun } from '../persist/runHistory.ts';
import { compareRuns } from '../present/experiment.ts';
import { loadStoredRuns } from '../store/historySession.ts';
import { showStoredRuns } from '../store/session.ts';

export interface ReopenResult {
  text: string;
  error: boolean;
}

/** The runs of `run`'s session (a pair is reopened as a pair, a race as a race), baseline first. */
export function sessionOf(history: StoredRun[], run: StoredRun): StoredRun[] {
  return history
    .filter((r) => r.session === run.session)
    .sort((a, b) => RUN_SIDES.indexOf(a.side) - RUN_SIDES.indexOf(b.side));
}

export async function reopenRuns(runs: StoredRun[], compare: boolean): Promise<ReopenResult> {
  const first = runs[0];
  const views = await loadStoredRuns(
    runs.map((r) => r.id),
    compare,
  );
  if (!first || views.length === 0) return { text: 'These runs have no steps stored yet.', error: true };
  const decoded = decodeExperiment(first.link);
  const lengths = views.map((v) => v.series.count);
  // Compared runs may have planned very different lengths: the charts span the longer run as it was stored,
  // so the shorter one is not squashed into a corner by a plan nobody trained.
  const steps = compare ? Math.max(1, ...lengths) : Math.max(decoded.config.steps, ...lengths);
  showStoredRuns(views, { ...decoded.config, steps, pair: views.length > 1 }, decoded.preset);
  const [a, b] = runs;
  if (compare && a && b) {
    const stored = (r: StoredRun) => ({
      config: decodeExperiment(r.link).config,
      clip: r.clip,
      steps: views.find((v) => v.view.runId === r.id)?.series.count ?? r.step,
    });
    return {
      text: `Comparing two stored runs on the charts above. ${compareRuns(stored(a), stored(b))} Press Play or Reset to train afresh.`,
      error: false,
    };
  }
  return { text: 'Reopened on the charts above. Press Play or Reset to train this experiment afresh.', error: false };
}
