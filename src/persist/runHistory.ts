/**
 * Every run's settings and metrics, kept in the browser's IndexedDB (through
 * the `idb` wrapper) as they stream, so a reload, a closed tab or a crashed
 * worker loses at most the batch in flight. Runs are browsed, reopened,
 * deleted, exported and imported from here (the file format itself is runArchive.ts, loaded when a file is written
 * or read). No React; the tests run it on fake-indexeddb in Node.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import { RUNS_FORMAT } from './labFile.ts';
import { packRows, unpackRows, type PackedRows } from './packedRows.ts';
import type { ClipConfig, ExperimentConfig, RunSide } from '../experiment/config.ts';
import type { PresetId } from '../experiment/presets.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import { ENDED_PHASES, type RunPhase } from '../train/runPhase.ts';
import type { RunArchive } from './runArchive.ts';

export interface StoredRun {
  /** `${session}:${side}` */
  id: string;
  /** Shared by the runs of one pair. */
  session: string;
  createdAt: number;
  updatedAt: number;
  side: RunSide;
  preset: PresetId;
  /** The experiment's link query: the config is always re-read through the URL codec. */
  link: string;
  config: ExperimentConfig;
  clip: ClipConfig;
  phase: RunPhase;
  /** Steps stored so far. */
  step: number;
  backend: string | null;
  layout: RunLayout | null;
  divergence: Divergence | null;
  error: string | null;
}

/** One step per record: how the history kept steps until 2026-12-04; such records are still read. */
type StoredStep = StepMetrics & { runId: string };
/**
 * A run's consecutive steps in one record, keyed by its first step: how steps are kept now. One put of 200 rows
 * costs the page far less than 200 puts of one (each put is a request of its own, with its own key and clone), and
 * the puts were the largest part of the page's own JavaScript while a race of four trained. A run's steps are each
 * written once (a worker reports each step once; a replay on another backend is silent), so no two records of a run
 * start at the same step.
 */
interface StoredStepChunk {
  runId: string;
  step: number;
  rows: StepMetrics[];
}
/**
 * The same, the rows as columns (packedRows.ts): how steps are kept since 2026-12-05. IndexedDB clones a column as
 * one block, where 200 rows were thousands of objects and arrays to walk.
 */
interface StoredPackedChunk {
  runId: string;
  step: number;
  packed: PackedRows;
}
type StoredEval = EvalMetrics & { runId: string };

/** The last step a record of steps holds. */
function lastStepOf(record: StoredStep | StoredStepChunk | StoredPackedChunk): number {
  if ('packed' in record) {
    const steps = record.packed.columns.find((c) => c.key === 'step');
    const last = steps && steps.width === 0 ? steps.values[record.packed.count - 1] : undefined;
    return typeof last === 'number' ? last : record.step + record.packed.count - 1;
  }
  if ('rows' in record) return record.rows.at(-1)?.step ?? record.step;
  return record.step;
}

interface LabDB extends DBSchema {
  runs: { key: string; value: StoredRun; indexes: { byCreated: number } };
  steps: { key: [string, number]; value: StoredStep | StoredStepChunk | StoredPackedChunk };
  evals: { key: [string, number]; value: StoredEval };
}

export const DB_NAME = 'gradient-lab';
const DB_VERSION = 1;
/** The history's export and a run card's Download JSON (labFile.ts tells the lab's files apart by it). */
export const EXPORT_FORMAT = RUNS_FORMAT;
/**
 * Rows put in one task of a history write (see appendBatch), and the most one record of steps holds. When each row
 * was a put of its own, 200 were some 13 ms of cloning (a soak measured a median 3.2 ms for 50); fewer were not
 * enough: each task's puts are a transaction, and with 50-row tasks IndexedDB fell 1,900 steps behind a race of four
 * on a loaded machine, more than a page going away can write in time.
 */
export const PUT_CHUNK_ROWS = 200;

/** The stores a write puts to, in its transaction. */
interface WriteStores {
  steps: IDBPObjectStore<LabDB, ('steps' | 'evals' | 'runs')[], 'steps', 'readwrite'>;
  evals: IDBPObjectStore<LabDB, ('steps' | 'evals' | 'runs')[], 'evals', 'readwrite'>;
  runs: IDBPObjectStore<LabDB, ('steps' | 'evals' | 'runs')[], 'runs', 'readwrite'>;
}

/** The next task: a message to itself, which (unlike a timer) no browser delays or clamps. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

function idbFactory(): IDBFactory {
  if (typeof indexedDB === 'undefined' || indexedDB === null) throw new Error('this browser has no IndexedDB');
  return indexedDB;
}

/** One run's share of a write: its new steps and evaluations, and what changed in its record. */
export interface RunWrite {
  runId: string;
  steps: StepMetrics[];
  evals: EvalMetrics[];
  patch: Partial<StoredRun>;
  /**
   * The run's whole record as it now stands, when the writer has it: written as it is, with no read first, so the
   * transaction is complete the moment it is made and is committed at once (a page being reloaded has no time for a
   * read's round trip before the transaction can commit).
   */
  record?: StoredRun;
}

export class RunHistory {
  private constructor(private readonly db: IDBPDatabase<LabDB>) {}

  /**
   * Opens (or creates) the history. `onLost` hears of a connection the browser closed on its own (the site's data
   * cleared, the disk gone), after which every write would fail.
   */
  static async open(name = DB_NAME, onLost?: () => void): Promise<RunHistory> {
    idbFactory();
    const db = await openDB<LabDB>(name, DB_VERSION, {
      upgrade(database) {
        const runs = database.createObjectStore('runs', { keyPath: 'id' });
        runs.createIndex('byCreated', 'createdAt');
        database.createObjectStore('steps', { keyPath: ['runId', 'step'] });
        database.createObjectStore('evals', { keyPath: ['runId', 'step'] });
      },
      ...(onLost ? { terminated: onLost } : {}),
    });
    return new RunHistory(db);
  }

  close(): void {
    this.db.close();
  }

  async putRun(run: StoredRun): Promise<void> {
    await this.db.put('runs', run);
  }

  /** Appends a batch of steps and moves the run's record to the last one, in one transaction. */
  async appendSteps(runId: string, steps: StepMetrics[], patch: Partial<StoredRun> = {}): Promise<void> {
    await this.appendBatch([{ runId, steps, evals: [], patch }]);
  }

  /**
   * Every run's new steps and evaluations, and their records moved to their last step: the page writes all its runs
   * together a few times a second rather than one transaction per run per batch, which a race of four fast runs
   * queued up faster than IndexedDB finished them.
   *
   * Each run's new steps are put as records of up to `chunkRows` consecutive rows, as columns (StoredPackedChunk). A batch of up
   * to `chunkRows` rows is one transaction. A bigger one (a batch that grew while IndexedDB was busy: 1,000 rows and
   * more) is put `chunkRows` rows a task, each chunk a transaction of its own made and committed in its task, the
   * records last: cloning a row is the write's main-thread part, and such a batch cloned in one go was
   * a long task (171 ms in a 30-minute soak). The chunks do not wait for each other to land (waiting for each
   * chunk's success once made the writes fall far behind a race), and a chunk refused (a full disk) stops the rest:
   * the chunks before it are kept, the record still names the last step it had. A page going away runs no later task:
   * its last write passes `chunkRows` Infinity (historySession.ts).
   */
  async appendBatch(writes: readonly RunWrite[], chunkRows = PUT_CHUNK_ROWS): Promise<void> {
    if (writes.length === 0) return;
    type Put = (stores: WriteStores) => Promise<unknown>;
    // Each put with the rows it holds: a task takes puts up to `chunkRows` rows.
    const puts: { rows: number; put: Put }[] = [];
    const records: Put[] = [];
    const size = Math.max(1, Math.min(chunkRows, PUT_CHUNK_ROWS));
    for (const { runId, steps, evals, patch, record } of writes) {
      for (let from = 0; from < steps.length; from += size) {
        const rows = steps.slice(from, from + size);
        const first = rows[0]?.step ?? 0;
        puts.push({
          rows: rows.length,
          put: ({ steps }) => {
            const packed = packRows(rows);
            return steps.put(packed ? { runId, step: first, packed } : { runId, step: first, rows });
          },
        });
      }
      for (const e of evals) puts.push({ rows: 1, put: ({ evals }) => evals.put({ ...e, runId }) });
      const last = steps[steps.length - 1]?.step ?? 0;
      records.push(({ runs }) =>
        record
          ? runs.put({ ...record, updatedAt: Date.now() })
          : runs
              .get(runId)
              .then((run) =>
                run ? runs.put({ ...run, ...patch, step: Math.max(run.step, last), updatedAt: Date.now() }) : undefined,
              ),
      );
    }
    const chunks: Put[][] = [];
    let rowsInLast = 0;
    for (const { rows, put } of puts) {
      if (chunks.length === 0 || rowsInLast + rows > chunkRows) {
        chunks.push([]);
        rowsInLast = 0;
      }
      chunks[chunks.length - 1]?.push(put);
      rowsInLast += rows;
    }
    // The records go with the last chunk: a record never names a step whose row is not yet put.
    if (chunks.length === 0) chunks.push([]);
    chunks[chunks.length - 1]?.push(...records);
    const landed: Promise<void>[] = [];
    let refused = false;
    try {
      for (const [k, chunk] of chunks.entries()) {
        if (k > 0) await nextTask();
        // A chunk refused (at once: a value that cannot be cloned; or since: a full disk) stops the ones after it.
        if (refused) break;
        const put = this.putInOneTransaction(chunk, k === chunks.length - 1 && records.length > 0);
        put.catch(() => (refused = true));
        landed.push(put);
      }
    } finally {
      // Every chunk made is awaited (its failure is the write's), so no transaction's rejection goes unheard.
      await Promise.all(landed.map((l) => l.catch(() => undefined)));
    }
    await Promise.all(landed);
  }

  /** One transaction for these puts, made and committed in this task; it lands whole or not at all. */
  private async putInOneTransaction(
    puts: readonly ((stores: WriteStores) => Promise<unknown>)[],
    readsRecords: boolean,
  ): Promise<void> {
    // Relaxed: the browser may acknowledge before flushing to disk; a crash of the whole OS could cost the last batch, a closed tab cannot.
    const tx = this.db.transaction(['steps', 'evals', 'runs'], 'readwrite', { durability: 'relaxed' });
    const stores: WriteStores = {
      steps: tx.objectStore('steps'),
      evals: tx.objectStore('evals'),
      runs: tx.objectStore('runs'),
    };
    const updates: Promise<unknown>[] = [];
    try {
      for (const put of puts) updates.push(put(stores));
      // Nothing left to ask: commit now rather than when the browser notices (older browsers lack commit()). A
      // record read first is put from the read's success, after this: the browser then commits once that is done.
      if (!readsRecords) tx.commit?.();
    } catch (error) {
      // A request refused at once writes nothing of this transaction.
      for (const u of updates) void u.catch(() => undefined);
      tx.abort();
      void tx.done.catch(() => undefined);
      throw error;
    }
    // A failed request aborts the transaction: tx.done rejects with the reason (a full disk: QuotaExceededError).
    await Promise.all([tx.done, ...updates.map((u) => u.catch(() => undefined))]);
  }

  async appendEval(runId: string, result: EvalMetrics): Promise<void> {
    await this.db.put('evals', { ...result, runId });
  }

  async updateRun(runId: string, patch: Partial<StoredRun>): Promise<void> {
    const tx = this.db.transaction('runs', 'readwrite');
    const run = await tx.store.get(runId);
    if (run) await tx.store.put({ ...run, ...patch, updatedAt: Date.now() });
    await tx.done;
  }

  /**
   * Moves the record of each run that never ended (its page was closed or reloaded while it trained) to the last
   * step stored for it. A big write puts its rows before its records (appendBatch), so a page that went away between
   * the two left rows past the step its record names: the reopen banner then named a step 200 short of the run it
   * reopened (a CI run of test/e2e/student.test.ts). Read and put in one transaction, so a run another tab is
   * training still only moves forward. Returns the ids of the records moved.
   */
  async settleInterrupted(): Promise<string[]> {
    const tx = this.db.transaction(['runs', 'steps'], 'readwrite');
    const moved: string[] = [];
    for (const run of await tx.objectStore('runs').getAll()) {
      if (ENDED_PHASES.includes(run.phase)) continue;
      const last = await tx.objectStore('steps').openCursor(IDBKeyRange.bound([run.id, 0], [run.id, Infinity]), 'prev');
      const step = last ? lastStepOf(last.value) : 0;
      if (step > run.step) {
        await tx.objectStore('runs').put({ ...run, step });
        moved.push(run.id);
      }
    }
    await tx.done;
    return moved;
  }

  /** Every stored run, newest first. */
  async listRuns(): Promise<StoredRun[]> {
    return (await this.db.getAllFromIndex('runs', 'byCreated')).reverse();
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    return this.db.get('runs', runId);
  }

  /**
   * The run's steps in order, from records of one step (kept before 2026-12-04) and of many: records come keyed by
   * their first step, and a run's records never overlap (StoredStepChunk), so their order is the steps' order.
   */
  async loadSteps(runId: string): Promise<StepMetrics[]> {
    const records = await this.db.getAll('steps', IDBKeyRange.bound([runId, 0], [runId, Infinity]));
    return records.flatMap((record) => {
      if ('packed' in record) return unpackRows<StepMetrics>(record.packed);
      if ('rows' in record) return record.rows;
      const { runId: _, ...step } = record;
      return [step];
    });
  }

  async loadEvals(runId: string): Promise<EvalMetrics[]> {
    const rows = await this.db.getAll('evals', IDBKeyRange.bound([runId, 0], [runId, Infinity]));
    return rows.map(({ runId: _, ...result }) => result);
  }

  async deleteRun(runId: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'steps', 'evals'], 'readwrite');
    const range = IDBKeyRange.bound([runId, 0], [runId, Infinity]);
    await Promise.all([
      tx.objectStore('runs').delete(runId),
      tx.objectStore('steps').delete(range),
      tx.objectStore('evals').delete(range),
      tx.done,
    ]);
  }

  /** The runs as one file (runArchive.ts, loaded only now: a page that never exports never loads it). */
  async exportRuns(runIds: string[]): Promise<string> {
    const { archiveJson } = await import('./runArchive.ts');
    const runs: RunArchive[] = [];
    for (const id of runIds) {
      const run = await this.getRun(id);
      if (run) runs.push({ run, steps: await this.loadSteps(id), evals: await this.loadEvals(id) });
    }
    return archiveJson(runs);
  }

  /** Reads an export; every run's experiment is re-decoded from its link. Returns the imported runs' ids. */
  async importRuns(text: string): Promise<string[]> {
    const { parseArchive } = await import('./runArchive.ts');
    const archive = parseArchive(text);
    const ids: string[] = [];
    for (const { run, steps, evals } of archive) {
      // An imported run never overwrites a run of this browser: it gets an id of its own.
      const existing = await this.getRun(run.id);
      const imported: StoredRun = existing
        ? { ...run, id: `${run.id}:imported-${Date.now()}`, session: `${run.session}:imported` }
        : run;
      await this.putRun(imported);
      if (steps.length > 0) await this.appendSteps(imported.id, steps);
      for (const e of evals) await this.appendEval(imported.id, e);
      ids.push(imported.id);
    }
    return ids;
  }
}
