/**
 * The page's side of the run history: writes every run's record and metrics
 * to IndexedDB as they stream, keeps the list in the store, and reopens stored
 * runs on the charts. Where IndexedDB is missing or refuses (a private window,
 * a full disk), the lab goes on without history and says so once.
 */
import { storedStory } from './narration.ts';
import type { RunSide } from '../experiment/config.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import { describeClip } from '../present/describe.ts';
import { describeExperiment } from '../present/experiment.ts';
import { RunHistory, type StoredRun } from '../persist/runHistory.ts';
import type { EvalMetrics, StepMetrics } from '../train/metrics.ts';
import { useLab, type RunView } from './labStore.ts';
import { RunSeries } from './series.ts';

let opened: Promise<RunHistory | null> | null = null;

function report(what: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  useLab.setState({ historyError: `${what}: ${reason}. Training goes on; runs are not being saved.` });
}

export function runHistory(): Promise<RunHistory | null> {
  opened ??= RunHistory.open().catch((error: unknown) => {
    report('The run history could not be opened', error);
    return null;
  });
  return opened;
}

/**
 * Writes start at once, without waiting for the one before: IndexedDB runs
 * read-write transactions over the same stores in the order they were
 * created, and every task creates its transaction synchronously. A failure
 * stops saving loudly, not silently.
 */
const pending = new Set<Promise<void>>();
function write(what: string, task: (h: RunHistory) => Promise<unknown>): void {
  const done = runHistory().then(async (history) => {
    if (!history || useLab.getState().historyError) return;
    try {
      await task(history);
    } catch (error) {
      report(what, error);
    }
  });
  pending.add(done);
  void done.finally(() => pending.delete(done));
}

/** Resolves once every write made so far has landed (export and reopening wait on it). */
export function historySettled(): Promise<unknown> {
  writeSteps();
  return Promise.all([...pending]);
}

export function recordRunStarted(run: StoredRun): void {
  write('A new run could not be saved', (h) => h.putRun(run));
  void refreshHistorySoon();
}

/**
 * Steps are written every STEPS_WRITE_MS or every STEPS_WRITE_COUNT steps, whichever comes first, not one
 * transaction per metrics batch: an LSTM pair sends about 25 batches of a step or two a second, and each
 * transaction cost the main thread a few milliseconds.
 */
const STEPS_WRITE_MS = 1000;
const STEPS_WRITE_COUNT = 64;
const unwritten = new Map<string, { steps: StepMetrics[]; patch: Partial<StoredRun> }>();
let stepsTimer: ReturnType<typeof setTimeout> | null = null;
let flushOnHide = false;

function writeSteps(): void {
  if (stepsTimer !== null) clearTimeout(stepsTimer);
  stepsTimer = null;
  for (const [runId, { steps, patch }] of unwritten)
    write('Metrics could not be saved', (h) => h.appendSteps(runId, steps, patch));
  unwritten.clear();
}

export function recordSteps(runId: string, steps: StepMetrics[], patch: Partial<StoredRun>): void {
  // A page being closed or reloaded writes what it holds at once (IndexedDB usually finishes the transaction).
  if (!flushOnHide && typeof addEventListener === 'function') {
    flushOnHide = true;
    addEventListener('pagehide', writeSteps);
  }
  const waiting = unwritten.get(runId);
  if (waiting) {
    waiting.steps.push(...steps);
    Object.assign(waiting.patch, patch);
  } else unwritten.set(runId, { steps: [...steps], patch: { ...patch } });
  // A fast run (the dense pair: some 900 steps a second) writes in batches of about the worker's, as before: a
  // second of its steps in one transaction would be one long task of cloning.
  if ((unwritten.get(runId)?.steps.length ?? 0) >= STEPS_WRITE_COUNT) writeSteps();
  else stepsTimer ??= setTimeout(writeSteps, STEPS_WRITE_MS);
}

export function recordEval(runId: string, result: EvalMetrics): void {
  write('A test evaluation could not be saved', (h) => h.appendEval(runId, result));
}

export function recordStatus(runId: string, patch: Partial<StoredRun>): void {
  // After the steps before it, so that a run's last phase is not overwritten by their 'running'.
  writeSteps();
  write("A run's status could not be saved", (h) => h.updateRun(runId, patch));
  void refreshHistorySoon();
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;

/** Re-reads the list after the pending writes, at most a few times a second. */
export function refreshHistorySoon(): Promise<void> {
  return new Promise((resolve) => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refreshHistory().then(resolve);
    }, 250);
  });
}

export async function refreshHistory(): Promise<void> {
  await historySettled();
  const history = await runHistory();
  if (!history) return;
  try {
    useLab.setState({ history: await history.listRuns() });
  } catch (error) {
    report('The run history could not be read', error);
  }
}

export async function deleteStoredRuns(ids: string[]): Promise<void> {
  const history = await runHistory();
  if (!history) return;
  for (const id of ids) await history.deleteRun(id);
  await refreshHistory();
}

/** Every stored step of a run (the page keeps only a bounded view of long runs), or null without history. */
export async function storedSteps(runId: string): Promise<{ steps: StepMetrics[]; evals: EvalMetrics[] } | null> {
  await historySettled();
  const history = await runHistory();
  if (!history || useLab.getState().historyError) return null;
  return { steps: await history.loadSteps(runId), evals: await history.loadEvals(runId) };
}

export async function exportStoredRuns(ids: string[]): Promise<string | null> {
  await historySettled();
  const history = await runHistory();
  return history ? history.exportRuns(ids) : null;
}

/** Imports an exported file; returns how many runs came in, or throws with a plain message. */
export async function importStoredRuns(text: string): Promise<number> {
  const history = await runHistory();
  if (!history) throw new Error('this browser is not keeping a run history');
  const ids = await history.importRuns(text);
  await refreshHistory();
  return ids.length;
}

export interface StoredRunView {
  side: RunSide;
  view: RunView;
  series: RunSeries;
}

/** Stored runs as the charts show them: read-only views, their series rebuilt from the stored steps. */
export async function loadStoredRuns(ids: string[], compare: boolean): Promise<StoredRunView[]> {
  const history = await runHistory();
  if (!history) return [];
  await historySettled();
  const sides: RunSide[] = ['baseline', 'clipped'];
  const out: StoredRunView[] = [];
  for (const [k, id] of ids.entries()) {
    const run = await history.getRun(id);
    if (!run?.layout) continue;
    const side = compare ? sides[k] : run.side;
    if (!side) throw new Error(`only ${sides.length} runs can be compared, not ${ids.length}`);
    const series = new RunSeries(run.layout);
    const steps = await history.loadSteps(id);
    const evals = await history.loadEvals(id);
    series.append(steps);
    for (const e of evals) series.addEval(e);
    const when = new Date(run.createdAt).toLocaleString();
    const phase = run.phase === 'finished' || run.phase === 'diverged' ? run.phase : 'crashed';
    const notices = [`From the run history: ${when}.`];
    if (compare)
      notices.push(
        `Clipping: ${describeClip(run.clip)}. Trained as: ${describeExperiment(decodeExperiment(run.link).config)}`,
      );
    out.push({
      side,
      series,
      view: {
        side,
        clip: run.clip,
        phase,
        backend: null,
        layout: run.layout,
        step: series.count,
        divergence: run.divergence,
        error:
          phase === 'crashed'
            ? (run.error ??
              `This run stopped at step ${series.count} (the page was closed or reloaded while it trained). Its steps are kept.`)
            : null,
        notices,
        stepsPerSecond: null,
        lastEval: series.evals[series.evals.length - 1] ?? null,
        narration: storedStory(run.clip, run.layout, steps, evals, run.divergence),
        runId: run.id,
        ...(compare ? { title: `${k === 0 ? 'A' : 'B'} (${when}, ${run.side})` } : {}),
      },
    });
  }
  return out;
}
