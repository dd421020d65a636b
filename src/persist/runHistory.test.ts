import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import { ONE_LAYER, oneLayerStep } from '../train/oneLayerFixture.ts';
import { runJson } from '../store/export.ts';
import { packRows } from './packedRows.ts';
import { parseArchive } from './runArchive.ts';
import { PUT_CHUNK_ROWS, RunHistory, type StoredRun } from './runHistory.ts';

let dbCount = 0;
let history: RunHistory;

beforeEach(async () => {
  dbCount += 1;
  history = await RunHistory.open(`test-${dbCount}`);
});
afterEach(() => history.close());

const config = PRESETS['dense-explode'].config;

function run(session: string, side: 'baseline' | 'clipped', createdAt: number): StoredRun {
  return {
    id: `${session}:${side}`,
    session,
    createdAt,
    updatedAt: createdAt,
    side,
    preset: 'dense-explode',
    link: encodeExperiment(config, 'dense-explode'),
    config,
    clip: side === 'clipped' ? config.clip : config.baseClip,
    phase: 'running',
    step: 0,
    backend: 'cpu',
    layout: ONE_LAYER,
    divergence: null,
    error: null,
  };
}

const step = oneLayerStep;

describe('run history in IndexedDB', () => {
  it('keeps every streamed batch and the run record follows the last step', async () => {
    await history.putRun(run('s1', 'clipped', 1));
    await history.appendSteps('s1:clipped', [step(1), step(2)]);
    await history.appendSteps('s1:clipped', [step(3)], { phase: 'finished' });
    expect((await history.loadSteps('s1:clipped')).map((s) => s.step)).toEqual([1, 2, 3]);
    expect(await history.getRun('s1:clipped')).toMatchObject({ step: 3, phase: 'finished' });
  });

  it("writes several runs' steps, evaluations and records in one transaction", async () => {
    await history.putRun(run('r', 'baseline', 1));
    await history.putRun(run('r', 'clipped', 1));
    await history.appendBatch([
      { runId: 'r:baseline', steps: [step(1), step(2)], evals: [], patch: {} },
      {
        runId: 'r:clipped',
        steps: [step(1)],
        evals: [{ step: 1, testAccuracy: null, testLoss: 0.5, examples: 10 }],
        patch: { phase: 'paused' },
      },
    ]);
    expect(await history.getRun('r:baseline')).toMatchObject({ step: 2, phase: 'running' });
    expect(await history.getRun('r:clipped')).toMatchObject({ step: 1, phase: 'paused' });
    expect((await history.loadEvals('r:clipped')).map((e) => e.testLoss)).toEqual([0.5]);
  });

  it('a full disk fails the whole write, loudly, and keeps what was written before', async () => {
    await history.putRun(run('q', 'clipped', 1));
    await history.putRun(run('q', 'baseline', 1));
    await history.appendSteps('q:clipped', [step(1)]);
    await history.appendSteps('q:baseline', [step(1)]);
    // The store refuses the second put of the next write (the baseline's steps), as a full disk would ...
    const put = IDBObjectStore.prototype.put;
    let puts = 0;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (++puts === 2) throw new DOMException('Quota exceeded', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      await expect(
        history.appendBatch([
          { runId: 'q:clipped', steps: [step(2), step(3)], evals: [], patch: {} },
          { runId: 'q:baseline', steps: [step(2), step(3)], evals: [], patch: {} },
        ]),
      ).rejects.toThrow();
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    // ... and the clipped run's steps, put before it in the same transaction, are not kept either.
    for (const id of ['q:clipped', 'q:baseline']) {
      expect((await history.loadSteps(id)).map((s) => s.step)).toEqual([1]);
      expect(await history.getRun(id)).toMatchObject({ step: 1 });
    }
  });

  it('a big batch is put PUT_CHUNK_ROWS rows a task, as records of many rows, the record last; a refused chunk stops the rest and the record stays', async () => {
    await history.putRun(run('big', 'clipped', 1));
    // The rows put in each synchronous run of code (a group closes at the microtask after its first put), and the
    // puts: a record of steps holds its rows in `rows`.
    const put = IDBObjectStore.prototype.put;
    const groups: number[] = [];
    let open = false;
    let failAfterRows = Infinity;
    let rowsPut = 0;
    let puts = 0;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const value = args[0] as { rows?: unknown[]; packed?: { count: number } };
      const rows = value.packed ? value.packed.count : Array.isArray(value.rows) ? value.rows.length : 1;
      if (rowsPut + rows > failAfterRows) throw new DOMException('Quota exceeded', 'QuotaExceededError');
      rowsPut += rows;
      puts += 1;
      if (!open) {
        open = true;
        groups.push(0);
        queueMicrotask(() => (open = false));
      }
      groups[groups.length - 1] = (groups.at(-1) ?? 0) + rows;
      return put.apply(this, args);
    };
    const FIRST = 4 * PUT_CHUNK_ROWS + 30;
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, k) => step(from + k));
    try {
      await history.appendSteps('big:clipped', rows(1, FIRST));
      // 4 chunks and 30 rows, and the run's record (read, then put from the read's success) ...
      expect(groups).toEqual([PUT_CHUNK_ROWS, PUT_CHUNK_ROWS, PUT_CHUNK_ROWS, PUT_CHUNK_ROWS, 30, 1]);
      // ... each chunk's rows one put: 5 records of steps and the run's record.
      expect(puts).toBe(6);
      expect((await history.loadSteps('big:clipped')).map((s) => s.step)).toEqual(rows(1, FIRST).map((s) => s.step));
      expect(await history.getRun('big:clipped')).toMatchObject({ step: FIRST });
      // A full disk at the third chunk: the two chunks before it are kept, none after it is put, and the record
      // still names the last step it had (it is put with the last chunk).
      rowsPut = 0;
      puts = 0;
      failAfterRows = 2 * PUT_CHUNK_ROWS + 5;
      await expect(history.appendSteps('big:clipped', rows(FIRST + 1, 4 * PUT_CHUNK_ROWS))).rejects.toThrow(
        'Quota exceeded',
      );
      expect(puts).toBe(2);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    const kept = (await history.loadSteps('big:clipped')).map((s) => s.step);
    expect(kept).toEqual(rows(1, FIRST + 2 * PUT_CHUNK_ROWS).map((s) => s.step));
    expect(await history.getRun('big:clipped')).toMatchObject({ step: FIRST });
  });

  it('on opening, a run left training whose rows went past its record (a page gone between the two) is moved to its last row', async () => {
    const db = await openDB(`test-${dbCount}`);
    // Rows put, the record not: as a page that went away between a big write's chunks and its records leaves them.
    await history.putRun({ ...run('gone', 'clipped', 1), step: 3 });
    await history.appendSteps('gone:clipped', [step(1), step(2), step(3)]);
    await db.put('runs', { ...(await history.getRun('gone:clipped'))!, step: 3 });
    await db.put('steps', { runId: 'gone:clipped', step: 4, packed: packRows([step(4), step(5), step(6)])! });
    // In the older shapes: a record of rows, and one step per record.
    await history.putRun({ ...run('rows', 'clipped', 2), step: 1 });
    await db.put('steps', { runId: 'rows:clipped', step: 1, rows: [step(1), step(2)] });
    await history.putRun({ ...run('one', 'clipped', 3), step: 1 });
    await db.put('steps', { ...step(1), runId: 'one:clipped' });
    await db.put('steps', { ...step(2), runId: 'one:clipped' });
    // A run that ended keeps its record; one with no rows and one already at its last row are not touched.
    await history.putRun({ ...run('ended', 'clipped', 4), phase: 'finished', step: 1 });
    await db.put('steps', { runId: 'ended:clipped', step: 1, rows: [step(1), step(2)] });
    await history.putRun(run('empty', 'clipped', 5));
    await history.putRun({ ...run('even', 'clipped', 6), phase: 'paused' });
    await history.appendSteps('even:clipped', [step(1), step(2)]);
    db.close();
    expect((await history.settleInterrupted()).sort()).toEqual(['gone:clipped', 'one:clipped', 'rows:clipped']);
    const steps = Object.fromEntries((await history.listRuns()).map((r) => [r.session, r.step]));
    expect(steps).toEqual({ gone: 6, rows: 2, one: 2, ended: 1, empty: 0, even: 2 });
    expect(await history.getRun('gone:clipped')).toMatchObject({ phase: 'running', backend: 'cpu' });
    expect(await history.settleInterrupted()).toEqual([]);
  });

  it('reads steps kept one per record (before 2026-12-04) and as rows (2026-12-04) beside columns, in order', async () => {
    await history.putRun(run('old', 'baseline', 1));
    const db = await openDB(`test-${dbCount}`);
    // The old shapes, as a browser that kept runs before may hold them: one record per step, the run id in it; then
    // a record of many rows.
    await db.put('steps', { ...step(1, 4), runId: 'old:baseline' });
    await db.put('steps', { ...step(2, 3), runId: 'old:baseline' });
    await db.put('steps', { runId: 'old:baseline', step: 3, rows: [step(3, 2.5), step(4, 2)] });
    db.close();
    await history.appendSteps('old:baseline', [step(5, 1.5), step(6, 1)]);
    await history.appendSteps('old:baseline', [step(7, 0.5)]);
    const kept = await history.loadSteps('old:baseline');
    expect(kept.map((s) => [s.step, s.loss])).toEqual([
      [1, 4],
      [2, 3],
      [3, 2.5],
      [4, 2],
      [5, 1.5],
      [6, 1],
      [7, 0.5],
    ]);
    expect(kept.every((s) => !('runId' in s))).toBe(true);
    // Deleting the run deletes both shapes.
    await history.deleteRun('old:baseline');
    expect(await history.loadSteps('old:baseline')).toEqual([]);
  });

  it('keeps new steps as columns, and gives back every number exactly (NaN, the infinities, -0)', async () => {
    await history.putRun(run('cols', 'clipped', 1));
    const rows = [step(1, -0), step(2, NaN), step(3, Infinity), step(4, -Infinity), step(5, 1e-310)];
    await history.appendSteps('cols:clipped', rows);
    const db = await openDB(`test-${dbCount}`);
    const [record] = await db.getAll('steps');
    db.close();
    // One record, its loss one Float64Array, not five objects.
    const loss = (record as { packed: { columns: { key: string; values: unknown }[] } }).packed.columns.find(
      (c) => c.key === 'loss',
    );
    expect(loss?.values).toBeInstanceOf(Float64Array);
    const back = await history.loadSteps('cols:clipped');
    expect(back).toEqual(rows);
    expect(Object.is(back[0]?.loss, -0)).toBe(true);
    expect(back.map((s) => Object.keys(s))).toEqual(rows.map((s) => Object.keys(s)));
  });

  it("a run card's Download JSON imports back with the same numbers, a diverged step included", async () => {
    const stored = run('card', 'baseline', 3);
    const rows = [step(1), step(2, 7.25), step(3, Infinity)];
    const evals = [{ step: 2, testAccuracy: 0.25, testLoss: 1.5, examples: 100 }];
    const text = runJson(
      {
        ...stored,
        backend: 'wasm',
        runId: stored.id,
        phase: 'diverged',
        divergence: { step: 3, what: 'loss', value: 'Infinity' },
      },
      config,
      'dense-explode',
      stored.layout as NonNullable<StoredRun['layout']>,
      rows,
      evals,
    );
    const [id] = await history.importRuns(text);
    if (id === undefined) throw new Error('the import returned no id');
    expect(await history.loadSteps(id)).toEqual(rows);
    expect(await history.loadEvals(id)).toEqual(evals);
    expect(await history.getRun(id)).toMatchObject({
      side: 'baseline',
      phase: 'diverged',
      step: 3,
      config,
      divergence: { step: 3, value: 'Infinity' },
      layout: stored.layout,
    });
  });

  it('a run card file from before it wrote the archive format imports too ("Infinity" as a string)', async () => {
    const layout = run('x', 'clipped', 1).layout;
    const old = JSON.stringify({
      link: encodeExperiment(config, 'dense-explode'),
      side: 'clipped',
      clip: config.clip,
      config,
      layout,
      steps: [step(1), { ...step(2), loss: 'Infinity', gradNormPre: ['NaN'] }],
      evaluations: [],
    });
    const [id] = await history.importRuns(old);
    if (id === undefined) throw new Error('the import returned no id');
    const steps = await history.loadSteps(id);
    expect(steps.map((s) => s.loss)).toEqual([100, Infinity]);
    expect(steps[1]?.gradNormPre[0]).toBeNaN();
    expect(await history.getRun(id)).toMatchObject({ side: 'clipped', phase: 'diverged', step: 2 });
  });

  it('lists newest first, deletes a run with all its steps and leaves the others', async () => {
    await history.putRun(run('old', 'clipped', 1));
    await history.putRun(run('new', 'clipped', 2));
    await history.appendSteps('old:clipped', [step(1)]);
    await history.appendSteps('new:clipped', [step(1), step(2)]);
    expect((await history.listRuns()).map((r) => r.id)).toEqual(['new:clipped', 'old:clipped']);
    await history.deleteRun('new:clipped');
    expect((await history.listRuns()).map((r) => r.id)).toEqual(['old:clipped']);
    expect(await history.loadSteps('new:clipped')).toEqual([]);
    expect(await history.loadSteps('old:clipped')).toHaveLength(1);
  });

  it('exports and imports a diverged run, Infinity and all, without overwriting the original', async () => {
    await history.putRun({
      ...run('s2', 'baseline', 5),
      phase: 'diverged',
      divergence: { step: 2, what: 'loss', value: 'Infinity' },
    });
    await history.appendSteps('s2:baseline', [step(1), step(2, Infinity)]);
    await history.appendEval('s2:baseline', { step: 2, testAccuracy: 0.5, testLoss: NaN, examples: 100 });
    const text = await history.exportRuns(['s2:baseline']);
    const [id] = await history.importRuns(text);
    if (id === undefined) throw new Error('the import returned no id');
    expect(id).not.toBe('s2:baseline');
    const steps = await history.loadSteps(id);
    expect(steps[1]?.loss).toBe(Infinity);
    expect((await history.loadEvals(id))[0]?.testLoss).toBeNaN();
    expect(await history.getRun(id)).toMatchObject({
      phase: 'diverged',
      divergence: { step: 2, value: 'Infinity' },
      step: 2,
    });
  });

  it.each([
    ['not JSON', '{oops', 'not JSON'],
    ['another format', '{"format":"x","version":1,"runs":[]}', 'not a Gradient Lab run export'],
    [
      'a hostile link',
      JSON.stringify({
        format: 'gradient-lab-runs',
        version: 1,
        runs: [
          {
            run: {
              id: 'a',
              session: 'a',
              createdAt: 1,
              side: 'clipped',
              link: 'v=1&hidden=<script>',
              phase: 'finished',
              backend: null,
              layout: null,
              divergence: null,
              error: null,
            },
            steps: [],
            evals: [],
          },
        ],
      }),
      'hidden',
    ],
    [
      'a bad step',
      JSON.stringify({
        format: 'gradient-lab-runs',
        version: 1,
        runs: [
          {
            run: {
              id: 'a',
              session: 'a',
              createdAt: 1,
              side: 'clipped',
              link: 'v=1',
              phase: 'finished',
              backend: null,
              layout: null,
              divergence: null,
              error: null,
            },
            steps: [{ step: 'one' }],
            evals: [],
          },
        ],
      }),
      // Where, and what is wrong there, in zod's English words.
      'runs.0.steps.0.step: Invalid input: expected number, received string',
    ],
    ['an empty file', '', 'not JSON'],
    ['a list', '[1,2]', 'not a Gradient Lab run export'],
    ['a run card file without steps', '{"link":"v=1","side":"clipped","layout":null}', 'not a Gradient Lab run export'],
    [
      'a prototype trick',
      '{"format":"gradient-lab-runs","version":1,"runs":[{"nonFinite":"toString"}]}',
      'not a Gradient Lab run export',
    ],
  ])('refuses %s with a plain message and stores nothing', async (_, text, message) => {
    await expect(history.importRuns(text)).rejects.toThrow(message);
    expect(() => parseArchive(text)).toThrow();
    expect(await history.listRuns()).toEqual([]);
  });
});
