/**
 * The page's side of the run history without a browser: training never waits on storage, a history the browser
 * refuses or that fills up is said once in plain words, and every run's steps are written together a few times a
 * second (fake-indexeddb in Node).
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DB_NAME, RunHistory, type StoredRun } from '../persist/runHistory.ts';
import { PRESETS } from '../experiment/presets.ts';
import type { StepMetrics } from '../train/metrics.ts';
import {
  WRITE_MS,
  WRITE_ROWS,
  historySettled,
  loadStoredRuns,
  recordRunStarted,
  recordSteps,
  refreshHistory,
  resetHistoryForTests,
  runHistory,
  storedSteps,
  writeBeforeLeaving,
} from './historySession.ts';
import { useLab } from './labStore.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import { parseSchedule } from '../experiment/schedule.ts';

const config = PRESETS['dense-explode'].config;
const layout = {
  params: [{ name: 'fc1.weight', layer: 'fc1', size: 500 }],
  layers: ['fc1'],
  hiddenLayers: 0,
  timeSteps: 0,
  classifier: false,
};

function record(side: StoredRun['side']): StoredRun {
  return {
    id: `s:${side}`,
    session: 's',
    createdAt: 1,
    updatedAt: 1,
    side,
    preset: 'dense-explode',
    link: 'v=1',
    config,
    clip: config.clip,
    phase: 'running',
    step: 0,
    backend: 'wasm',
    layout,
    divergence: null,
    error: null,
  };
}

function step(n: number): StepMetrics {
  return {
    step: n,
    epoch: 1,
    loss: 1 / n,
    accuracy: null,
    globalNormPre: 2,
    globalNormPost: 1,
    clipFraction: 0,
    clipScale: 1,
    gradNormPre: [2],
    gradNormPost: [1],
    weightNorm: [3],
    updateRatio: [0.01],
    layerNormPre: [2],
    layerNormPost: [1],
    hiddenGradNorms: null,
  };
}

const SIDES = ['baseline', 'clipped', 'third', 'fourth'] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  await resetHistoryForTests();
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = resolve;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('the history session', () => {
  it("writes a race's four runs together, one transaction every quarter second or 100 rows, and keeps every step", async () => {
    const batch = vi.spyOn(RunHistory.prototype, 'appendBatch');
    for (const side of SIDES) recordRunStarted(record(side));
    await historySettled();
    // About a second of a fast race: every 100 ms each run reports 30 steps.
    for (let t = 0; t < 10; t++) {
      for (const side of SIDES)
        recordSteps(
          `s:${side}`,
          Array.from({ length: 30 }, (_, k) => step(t * 30 + k + 1)),
          { phase: 'running' },
        );
      await sleep(100);
    }
    await historySettled();
    // 1,200 rows in 1 s: a write once 100 rows wait (each write carrying all four runs), not one per run per batch.
    expect([WRITE_MS, WRITE_ROWS]).toEqual([100, 100]);
    const rows = batch.mock.calls.map(([writes]) => writes.reduce((n, w) => n + w.steps.length, 0));
    expect(rows.reduce((a, b) => a + b, 0)).toBe(1200);
    // One write per run per batch would be 40; rows that arrive while a write is in flight wait for the next one.
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.length).toBeLessThanOrEqual(12);
    expect(batch.mock.calls[0]?.[0].map((w) => w.runId)).toEqual(SIDES.map((s) => `s:${s}`));
    const history = await runHistory();
    for (const side of SIDES) expect((await history?.loadSteps(`s:${side}`))?.length).toBe(300);
    expect(useLab.getState().historyError).toBeNull();
  });

  it('a browser whose indexedDB.open throws: recording goes on without a word per write, and one plain sentence says why', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('The user denied permission to access the database.', 'UnknownError');
    });
    expect(() => {
      recordRunStarted(record('clipped'));
      recordSteps('s:clipped', [step(1)], { phase: 'running' });
    }).not.toThrow();
    await historySettled();
    expect(await storedSteps('s:clipped')).toBeNull();
    const error = useLab.getState().historyError ?? '';
    expect(error).toMatch(/^Runs are not being kept in this browser: the browser refused this page its storage/);
    expect(error).toContain('Training goes on');
    expect(error).not.toMatch(/\.\./);
    recordSteps('s:clipped', [step(2)], { phase: 'running' });
    await historySettled();
    expect(useLab.getState().historyError).toBe(error);
  });

  it('a full disk in the middle of a run: said once, what was kept stays readable, later steps are not attempted', async () => {
    recordRunStarted(record('clipped'));
    recordSteps('s:clipped', [step(1), step(2)], { phase: 'running' });
    await historySettled();
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });
    recordSteps('s:clipped', [step(3)], { phase: 'running' });
    await historySettled();
    const error = useLab.getState().historyError ?? '';
    expect(error).toContain("this site's share of the browser's storage is full");
    const calls = spy.mock.calls.length;
    recordSteps('s:clipped', [step(4)], { phase: 'running' });
    await sleep(WRITE_MS * 2);
    await historySettled();
    expect(spy.mock.calls.length).toBe(calls);
    spy.mockRestore();
    expect((await storedSteps('s:clipped'))?.steps.map((s) => s.step)).toEqual([1, 2]);
    expect(useLab.getState().historyError).toBe(error);
  });

  it('a run reopened from the history is marked where its knobs turned, and knows the clipping it ended with', async () => {
    // The link the history keeps after a knob turned: the threshold from 1 to 0.1 at step 2, the rate at step 3.
    const start = { ...config, clip: { ...config.clip, mode: 'norm' as const, threshold: 1 } };
    const { schedule, problems } = parseSchedule('2:clip=norm:0.1;3:lr=0.01', start);
    expect(problems).toEqual([]);
    const trained = { ...start, schedule };
    const link = encodeExperiment(trained, 'dense-explode');
    recordRunStarted({ ...record('clipped'), link, clip: trained.clip });
    recordSteps('s:clipped', [step(1), step(2), step(3), step(4)], { phase: 'finished' });
    await historySettled();
    const [reopened] = await loadStoredRuns(['s:clipped'], false);
    expect(reopened?.view.knobMarks).toEqual([
      { step: 2, label: 'clip norm:1 → norm:0.1' },
      { step: 3, label: `lr ${config.lr} → 0.01` },
    ]);
    expect(reopened?.view.clipChanges).toMatchObject([{ step: 2, clip: { mode: 'norm', threshold: 0.1 } }]);
  });

  it('a page going away puts every waiting row and the write in flight again, in one go, not a chunk at a time', async () => {
    const batch = vi.spyOn(RunHistory.prototype, 'appendBatch');
    recordRunStarted(record('clipped'));
    await historySettled();
    batch.mockClear();
    // 120 rows: over WRITE_ROWS, so the timer's write starts at once, put a chunk at a time.
    recordSteps(
      's:clipped',
      Array.from({ length: 120 }, (_, k) => step(k + 1)),
      { phase: 'running' },
    );
    await Promise.resolve();
    recordSteps('s:clipped', [step(121), step(122)], { phase: 'running' });
    writeBeforeLeaving();
    await historySettled();
    const calls = batch.mock.calls.map(([writes, chunk]) => ({
      rows: writes.flatMap((w) => w.steps.map((s) => s.step)),
      chunk,
    }));
    expect(calls[0]?.rows).toHaveLength(120);
    expect(calls[0]?.chunk).toBeUndefined();
    // The leaving write: the 120 in flight and the 2 waiting, whole.
    expect(calls[1]).toEqual({ rows: Array.from({ length: 122 }, (_, k) => k + 1), chunk: Infinity });
    expect((await storedSteps('s:clipped'))?.steps).toHaveLength(122);
  });

  it("a page opening its history moves a run its last page left training to the run's last stored row", async () => {
    // The last page: its big write's rows landed, the record that names them did not.
    const last = await RunHistory.open(DB_NAME);
    await last.putRun({ ...record('clipped'), step: 2 });
    await last.appendBatch([{ runId: 's:clipped', steps: [step(1), step(2), step(3), step(4)], evals: [], patch: {} }]);
    await last.putRun({ ...record('clipped'), step: 2 });
    last.close();
    await refreshHistory();
    expect(useLab.getState().history.map((r) => [r.id, r.step])).toEqual([['s:clipped', 4]]);
  });
});
