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
import { clipChangesOf, knobMarksOf } from '../present/knobMarks.ts';
import { RunHistory, type RunWrite, type StoredRun } from '../persist/runHistory.ts';
import { storageProblem } from '../persist/storageProblem.ts';
import type { EvalMetrics, StepMetrics } from '../train/metrics.ts';
import { ENDED_PHASES } from '../train/runPhase.ts';
import { useLab, type RunView } from './labStore.ts';
import { RunSeries, TAIL } from './series.ts';

let opened: Promise<RunHistory | null> | null = null;

/**
 * A browser that neither opens nor refuses its storage (it happens) must not hold exports up for ever; generous, as a
 * page loading four workers on a busy machine can be slow to get an answer.
 */
const OPEN_TIMEOUT_MS = 10_000;

/**
 * Says once, in the history, that runs are not being kept and why; later failures add nothing (the first one
 * already stopped every write). Training never waits on storage: nothing here reaches the runs.
 */
function report(error: unknown): void {
  if (useLab.getState().historyError) return;
  useLab.setState({
    historyError:
      `Runs are not being kept in this browser: ${storageProblem(error)}. Training goes on, and each run's Download ` +
      `CSV and JSON still work, from the page's own copy (at least its last ${TAIL.toLocaleString('en-US')} steps).`,
  });
}

export function runHistory(): Promise<RunHistory | null> {
  opened ??= new Promise<RunHistory>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the browser did not open its storage within ${OPEN_TIMEOUT_MS / 1000} s`)),
      OPEN_TIMEOUT_MS,
    );
    RunHistory.open(undefined, () =>
      report(new Error("the browser closed the run history's database, as it does when a site's data is cleared")),
    )
      // Before anything lists the runs, so the reopen banner names the step the reopened run shows. Should it fail,
      // the history still works; the banner may name a step short of the run's last.
      .then((history) =>
        history.settleInterrupted().then(
          () => history,
          () => history,
        ),
      )
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  }).catch((error: unknown) => {
    report(error);
    return null;
  });
  return opened;
}

/** Closes and forgets the opened history and its failure (tests open a fresh one). */
export async function resetHistoryForTests(): Promise<void> {
  await Promise.all([...pending]);
  (await opened)?.close();
  opened = null;
  unwritten.clear();
  records.clear();
  inFlightWrites = null;
  if (writeTimer !== null) clearTimeout(writeTimer);
  writeTimer = null;
  useLab.setState({ historyError: null, history: [] });
}

/**
 * Writes start at once, without waiting for the one before: IndexedDB runs
 * read-write transactions over the same stores in the order they were
 * created, and every task creates its transaction synchronously. A failure
 * stops saving loudly, not silently.
 */
const pending = new Set<Promise<void>>();
function write(task: (h: RunHistory) => Promise<unknown>): Promise<void> {
  const done = runHistory().then(async (history) => {
    if (!history || useLab.getState().historyError) return;
    try {
      await task(history);
    } catch (error) {
      report(error);
    }
  });
  pending.add(done);
  void done.finally(() => pending.delete(done));
  return done;
}

/** Resolves once every write made so far has landed (export and reopening wait on it). */
export function historySettled(): Promise<unknown> {
  writeNow();
  return Promise.all([...pending]);
}

export function recordRunStarted(run: StoredRun): void {
  records.set(run.id, { ...run });
  void write((h) => h.putRun(run));
  void refreshHistorySoon();
}

/**
 * Every run's new steps and evaluations go to IndexedDB together, every WRITE_MS, in one transaction: a reload
 * then loses at most the last tenth of a second and the write in flight. (Every 250 ms, once the dense net's step
 * became three kernels, a reload in a race of four at full speed, some 500 steps a second a run, lost 1.5 s of
 * shown steps: test/e2e/storage.test.ts; every 100 ms, 0 to 0.6 s in three tries.) One transaction per run per batch (as
 * before) queued up faster than IndexedDB finished them in a race of four fast runs, and a reload lost the queue: some
 * 20 s of shown steps. Should IndexedDB still fall behind, the timer's writes wait for the one in flight and the
 * next batch grows instead of the queue.
 */
export const WRITE_MS = 100;
/**
 * Or sooner, once this many rows wait: cloning the rows is the write's main-thread part (in a soak of a race of four
 * on a busy 2-core machine, some 26 ms for about 190 rows, p95 61 ms), and some 450 rows in one go (a second of one
 * dense run, as once written) was a long task by itself.
 */
export const WRITE_ROWS = 100;
let unwrittenRows = 0;
const unwritten = new Map<string, Omit<RunWrite, 'runId'>>();
let writeTimer: ReturnType<typeof setTimeout> | null = null;
let inFlight = false;
/** The timer's write in flight: put a chunk at a time (runHistory.ts), so not landed until it is done. */
let inFlightWrites: RunWrite[] | null = null;
let flushOnHide = false;

/**
 * The records of the runs this page is training, as they now stand: a write puts a run's record whole, without
 * reading it first, so each write is one transaction made and committed in one go.
 */
const records = new Map<string, StoredRun>();
const ENDED = new Set<StoredRun['phase']>(ENDED_PHASES);

function takeUnwritten(): RunWrite[] {
  const writes = [...unwritten].map(([runId, w]) => {
    const record = records.get(runId);
    if (record) {
      Object.assign(record, w.patch);
      record.step = Math.max(record.step, w.steps.at(-1)?.step ?? 0);
    }
    // A run that has ended is written for the last time (a later word about it reads its record first).
    if (record && ENDED.has(record.phase)) records.delete(runId);
    return { runId, ...w, ...(record ? { record: { ...record } } : {}) };
  });
  unwritten.clear();
  unwrittenRows = 0;
  return writes;
}

/** Writes what is waiting now, beside any write in flight (a status change, an export). */
function writeNow(): void {
  if (writeTimer !== null) clearTimeout(writeTimer);
  writeTimer = null;
  const writes = takeUnwritten();
  if (writes.length > 0) void write((h) => h.appendBatch(writes));
}

/**
 * The page is being hidden, closed or reloaded: what is waiting is written in one go, since a page going away runs
 * no later task, so a write put a chunk at a time would never put its other chunks and land none of them. For the
 * same reason the rows of the timer's write in flight are put again (its later chunks may never be put; a row put
 * twice is the same row, steps being keyed by run and step).
 */
export function writeBeforeLeaving(): void {
  if (writeTimer !== null) clearTimeout(writeTimer);
  writeTimer = null;
  const writes = [...(inFlightWrites ?? []), ...takeUnwritten()];
  if (writes.length > 0) void write((h) => h.appendBatch(writes, Infinity));
}

/** The timer's write: one at a time, so a slow disk makes bigger batches rather than a queue. */
function writeOnTimer(): void {
  writeTimer = null;
  if (inFlight) {
    scheduleWrite();
    return;
  }
  const writes = takeUnwritten();
  if (writes.length === 0) return;
  inFlight = true;
  inFlightWrites = writes;
  void write((h) => h.appendBatch(writes)).finally(() => {
    inFlight = false;
    inFlightWrites = null;
  });
}

function scheduleWrite(): void {
  writeTimer ??= setTimeout(writeOnTimer, WRITE_MS);
}

function waiting(runId: string): Omit<RunWrite, 'runId'> {
  let w = unwritten.get(runId);
  if (!w) {
    w = { steps: [], evals: [], patch: {} };
    unwritten.set(runId, w);
  }
  return w;
}

export function recordSteps(runId: string, steps: StepMetrics[], patch: Partial<StoredRun>): void {
  // A page being hidden, closed or reloaded writes what it holds at once (IndexedDB usually finishes the transaction).
  if (!flushOnHide && typeof addEventListener === 'function') {
    flushOnHide = true;
    addEventListener('pagehide', writeBeforeLeaving);
    addEventListener('visibilitychange', () => {
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') writeBeforeLeaving();
    });
  }
  if (useLab.getState().historyError) return; // Not kept: the page's own series is the record.
  const w = waiting(runId);
  for (const s of steps) w.steps.push(s);
  Object.assign(w.patch, patch);
  unwrittenRows += steps.length;
  if (unwrittenRows >= WRITE_ROWS && !inFlight) {
    if (writeTimer !== null) clearTimeout(writeTimer);
    writeOnTimer();
  } else scheduleWrite();
}

export function recordEval(runId: string, result: EvalMetrics): void {
  if (useLab.getState().historyError) return;
  waiting(runId).evals.push(result);
  scheduleWrite();
}

export function recordStatus(runId: string, patch: Partial<StoredRun>): void {
  if (records.has(runId)) {
    // With the steps before it, after their 'running', so that it is the run's last phase.
    Object.assign(waiting(runId).patch, patch);
    writeNow();
  } else {
    writeNow();
    void write((h) => h.updateRun(runId, patch));
  }
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
    report(error);
  }
}

export async function deleteStoredRuns(ids: string[]): Promise<void> {
  const history = await runHistory();
  if (!history) return;
  for (const id of ids) await history.deleteRun(id);
  await refreshHistory();
}

/** Every stored step of a run (the page keeps only a bounded view of long runs), or null without history. */
/**
 * Runs imported from a file while this browser keeps no history: shown on the charts, and their whole record held
 * here (the last one imported), so their cards' downloads still have every step.
 */
const importedUnkept = new Map<string, { steps: StepMetrics[]; evals: EvalMetrics[] }>();

/** Holds an imported run's record in memory (see importedUnkept), in place of the last ones held. */
export function holdImportedRuns(runs: { id: string; steps: StepMetrics[]; evals: EvalMetrics[] }[]): void {
  importedUnkept.clear();
  for (const { id, steps, evals } of runs) importedUnkept.set(id, { steps, evals });
}

export async function storedSteps(runId: string): Promise<{ steps: StepMetrics[]; evals: EvalMetrics[] } | null> {
  const held = importedUnkept.get(runId);
  if (held) return held;
  const read = async () => {
    await historySettled();
    const history = await runHistory();
    if (!history) return null;
    // After a failed write (a full disk) what was kept is still read: the export adds the page's later steps.
    return { steps: await history.loadSteps(runId), evals: await history.loadEvals(runId) };
  };
  // A download never hangs on storage: without an answer in time the page's own copy is what is exported.
  return Promise.race([
    read().catch(() => null),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), OPEN_TIMEOUT_MS)),
  ]);
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
    const view = storedRunView(run, await history.loadSteps(id), await history.loadEvals(id), {
      side,
      from: 'the run history',
      ...(compare ? { compareAs: k === 0 ? 'A' : 'B' } : {}),
    });
    if (view) out.push(view);
  }
  return out;
}

/**
 * One stored or imported run as the charts show it, read-only, on `side`; `from` says where it comes from ("the
 * run history", a file's name). Compared runs (`compareAs` A or B) also say how they clipped and trained.
 */
export function storedRunView(
  run: StoredRun,
  steps: StepMetrics[],
  evals: EvalMetrics[],
  how: { side: RunSide; from: string; compareAs?: 'A' | 'B' },
): StoredRunView | null {
  if (!run.layout) return null;
  const { side, compareAs } = how;
  const series = new RunSeries(run.layout);
  series.append(steps);
  for (const e of evals) series.addEval(e);
  const when = new Date(run.createdAt).toLocaleString();
  // The stored link carries the knobs turned while it trained: the reopened run is marked where they turned.
  const trained = decodeExperiment(run.link).config;
  const phase = run.phase === 'finished' || run.phase === 'diverged' ? run.phase : 'crashed';
  const notices = [`From ${how.from}: ${when}.`];
  if (compareAs) notices.push(`Clipping: ${describeClip(run.clip)}. Trained as: ${describeExperiment(trained)}`);
  return {
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
      knobMarks: knobMarksOf(trained, trained.schedule, run.side),
      clipChanges: clipChangesOf(trained.schedule, run.side),
      ...(compareAs ? { title: `${compareAs} (${when}, ${run.side})` } : {}),
    },
  };
}
