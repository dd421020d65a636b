/**
 * Every run's settings and metrics, kept in the browser's IndexedDB (through
 * the `idb` wrapper) as they stream, so a reload, a closed tab or a crashed
 * worker loses at most the batch in flight. Runs are browsed, reopened,
 * deleted, exported and imported from here. No React; the tests run it on
 * fake-indexeddb in Node.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { RUN_SIDES, clipOf, type ClipConfig, type ExperimentConfig, type RunSide } from '../experiment/config.ts';
import type { PresetId } from '../experiment/presets.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import { evalRecordSchema, runLayoutSchema, stepRecordSchema } from '../train/metricSchema.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import { RUN_PHASES, type RunPhase } from '../train/runPhase.ts';

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

type StoredStep = StepMetrics & { runId: string };
type StoredEval = EvalMetrics & { runId: string };

interface LabDB extends DBSchema {
  runs: { key: string; value: StoredRun; indexes: { byCreated: number } };
  steps: { key: [string, number]; value: StoredStep };
  evals: { key: [string, number]; value: StoredEval };
}

export const DB_NAME = 'gradient-lab';
const DB_VERSION = 1;
export const EXPORT_FORMAT = 'gradient-lab-runs';
const EXPORT_VERSION = 1;

/** One run with everything it measured, as exported and imported. */
export interface RunArchive {
  run: StoredRun;
  steps: StepMetrics[];
  evals: EvalMetrics[];
}

// The step, evaluation and layout schemas come from the metric registry, as the records themselves do.
const stepSchema = stepRecordSchema;
const evalSchema = evalRecordSchema;
const layoutSchema = runLayoutSchema;
const divergenceSchema = z.object({
  step: z.number().int().min(1),
  what: z.enum(['loss', 'gradient']),
  value: z.enum(['NaN', 'Infinity', '-Infinity']),
});
const archiveSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  runs: z
    .array(
      z.object({
        run: z.object({
          id: z.string().max(200),
          session: z.string().max(200),
          createdAt: z.number(),
          side: z.enum(RUN_SIDES),
          link: z.string().max(4096),
          phase: z.enum(RUN_PHASES),
          backend: z.union([z.string().max(20), z.null()]),
          layout: z.union([layoutSchema, z.null()]),
          divergence: z.union([divergenceSchema, z.null()]),
          error: z.union([z.string().max(2000), z.null()]),
        }),
        steps: z.array(stepSchema).max(200_000),
        evals: z.array(evalSchema).max(200_000),
      }),
    )
    .max(1000),
});

function idbFactory(): IDBFactory {
  if (typeof indexedDB === 'undefined') throw new Error('this browser has no IndexedDB');
  return indexedDB;
}

export class RunHistory {
  private constructor(private readonly db: IDBPDatabase<LabDB>) {}

  static async open(name = DB_NAME): Promise<RunHistory> {
    idbFactory();
    const db = await openDB<LabDB>(name, DB_VERSION, {
      upgrade(database) {
        const runs = database.createObjectStore('runs', { keyPath: 'id' });
        runs.createIndex('byCreated', 'createdAt');
        database.createObjectStore('steps', { keyPath: ['runId', 'step'] });
        database.createObjectStore('evals', { keyPath: ['runId', 'step'] });
      },
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
    // Relaxed: the browser may acknowledge before flushing to disk; a crash of the whole OS could cost the last batch, a closed tab cannot.
    const tx = this.db.transaction(['steps', 'runs'], 'readwrite', { durability: 'relaxed' });
    const stepStore = tx.objectStore('steps');
    for (const s of steps) void stepStore.put({ ...s, runId });
    const runs = tx.objectStore('runs');
    const run = await runs.get(runId);
    if (run)
      await runs.put({
        ...run,
        ...patch,
        step: Math.max(run.step, steps[steps.length - 1]?.step ?? 0),
        updatedAt: Date.now(),
      });
    await tx.done;
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

  /** Every stored run, newest first. */
  async listRuns(): Promise<StoredRun[]> {
    return (await this.db.getAllFromIndex('runs', 'byCreated')).reverse();
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    return this.db.get('runs', runId);
  }

  async loadSteps(runId: string): Promise<StepMetrics[]> {
    const rows = await this.db.getAll('steps', IDBKeyRange.bound([runId, 0], [runId, Infinity]));
    return rows.map(({ runId: _, ...step }) => step);
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

  async exportRuns(runIds: string[]): Promise<string> {
    const runs: RunArchive[] = [];
    for (const id of runIds) {
      const run = await this.getRun(id);
      if (run) runs.push({ run, steps: await this.loadSteps(id), evals: await this.loadEvals(id) });
    }
    // JSON has no NaN or Infinity: a diverged step's loss is written as {"nonFinite": "Infinity"} and read back.
    return JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, runs }, (_, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v,
    );
  }

  /** Reads an export; every run's experiment is re-decoded from its link. Returns the imported runs' ids. */
  async importRuns(text: string): Promise<string[]> {
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

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function revive(_: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const marker = (v as { nonFinite?: unknown }).nonFinite;
    if (keys.length === 1 && typeof marker === 'string' && Object.hasOwn(NON_FINITE, marker)) return NON_FINITE[marker];
  }
  return v;
}

/** Validates an exported file; throws an Error whose message says, in plain words, what is wrong. */
export function parseArchive(text: string): RunArchive[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text, revive);
  } catch {
    throw new Error('the file is not JSON');
  }
  const parsed = archiveSchema.safeParse(raw);
  if (!parsed.success) {
    // zod reports at least one issue when it fails; say so plainly should it ever report none.
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'it does not match the format';
    throw new Error(`the file is not a Gradient Lab run export (${where})`);
  }
  return parsed.data.runs.map(({ run, steps, evals }) => {
    const decoded = decodeExperiment(run.link);
    const [linkIssue] = decoded.issues;
    if (linkIssue) {
      throw new Error(`run ${run.id}: its experiment link is not valid (${linkIssue.param}: ${linkIssue.message})`);
    }
    const config = decoded.config;
    const clip = clipOf(config, run.side);
    const stored: StoredRun = {
      id: run.id,
      session: run.session,
      createdAt: run.createdAt,
      updatedAt: run.createdAt,
      side: run.side,
      preset: decoded.preset,
      link: run.link,
      config,
      clip,
      phase: run.phase,
      step: steps.at(-1)?.step ?? 0,
      backend: run.backend,
      layout: run.layout,
      divergence: run.divergence,
      error: run.error,
    };
    return { run: stored, steps: steps as StepMetrics[], evals };
  });
}
