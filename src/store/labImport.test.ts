/**
 * One Import for every file the lab writes, without a browser (fake-indexeddb): a sweep's file opens on the sweep page
 * with the same cells and is kept once; where the browser refuses its storage the sweep is still shown; run files go
 * to the run history; anything else changes nothing. Each test loads the modules afresh, so each opens its own
 * storage (or fails to).
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import { sweepGrid, type SweepSettings } from '../experiment/sweep.ts';
import { DEFAULT_VIEW, encodeExperiment } from '../experiment/urlCodec.ts';
import { sweepJson } from '../persist/sweepExport.ts';
import type { StoredSweep } from '../persist/sweepHistory.ts';
import { importFailure } from './labImport.ts';
import { runJson } from './export.ts';
import { ONE_LAYER, oneLayerStep } from '../train/oneLayerFixture.ts';

const config = PRESETS['dense-explode'].config;
const settings: SweepSettings = {
  lr: { from: 0.01, to: 0.1, count: 2 },
  clip: { from: 1, to: 1, count: 1 },
  steps: 20,
};

function sweep(id = 'sweep-file-1', finalLoss = 0.25): StoredSweep {
  const { lr, clip, cells } = sweepGrid(settings);
  return {
    id,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    preset: 'dense-explode',
    link: encodeExperiment(config, 'dense-explode', { ...DEFAULT_VIEW, page: 'sweep', sweep: settings }),
    config,
    settings,
    lr,
    clip,
    steps: 20,
    method: 'batched',
    classifier: false,
    outcomes: cells.map((cell, k) => ({
      ...cell,
      divergedAt: k === 3 ? 4 : null,
      finalLoss: k === 3 ? NaN : finalLoss * (k + 1),
      minLoss: k === 3 ? NaN : finalLoss / 3,
      testAccuracy: null,
      steps: k === 3 ? 4 : 20,
    })),
    phase: 'finished',
    elapsedMs: 900,
    error: null,
  };
}

/** The modules as a fresh page loads them. */
async function freshPage() {
  vi.resetModules();
  const labStore = await import('./labStore.ts');
  const session = await import('./session.ts');
  const sweepSession = await import('./sweepSession.ts');
  const labImport = await import('./labImport.ts');
  session.setClientFactory(() => ({ send: () => {}, terminate: () => {}, dispose: () => {} }));
  sweepSession.setSweepPortFactory(() => ({ send: () => {}, terminate: () => {} }));
  labStore.useLab.setState({ view: { ...DEFAULT_VIEW, page: 'runs' } });
  const historySession = await import('./historySession.ts');
  return { useLab: labStore.useLab, storedSteps: historySession.storedSteps, ...sweepSession, ...labImport };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return importFailure(error);
  }
  throw new Error('the file was accepted');
}

// A fresh, empty IndexedDB for each test (the last test's page never closed its own).
beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
afterEach(() => vi.unstubAllGlobals());

describe('importing a file the lab wrote', () => {
  it('opens a sweep on the sweep page with the same cells, keeps it once, and a different one beside it', async () => {
    const page = await freshPage();
    const original = sweep();
    const first = await page.importLabFile(sweepJson(original), 'my-sweep.json');
    expect(first.kind).toBe('sweep');
    const shown = page.useLab.getState();
    expect(shown.view.page).toBe('sweep');
    expect(shown.view.sweep).toEqual(settings);
    expect(shown.config).toEqual(config);
    expect(shown.sweepRun?.outcomes).toEqual(original.outcomes);
    expect(Number.isNaN(shown.sweepRun?.outcomes[3]?.finalLoss)).toBe(true);
    expect(shown.sweepRun).toMatchObject({ id: original.id, phase: 'finished', workers: 0 });
    expect(shown.sweepRun?.notices).toEqual(['Imported from my-sweep.json.']);
    if (first.kind === 'sweep') await first.kept;
    expect(page.useLab.getState().sweepHistory.map((s) => s.id)).toEqual([original.id]);
    expect(page.useLab.getState().sweepHistory[0]?.outcomes).toEqual(original.outcomes);

    // The same file again: nothing new. Another sweep with the same id: kept under an id of its own, and shown.
    const again = await page.importLabFile(sweepJson(original), 'my-sweep.json');
    if (again.kind === 'sweep') await again.kept;
    expect(page.useLab.getState().sweepHistory).toHaveLength(1);
    const other = await page.importLabFile(sweepJson(sweep(original.id, 0.5)), 'other.json');
    if (other.kind === 'sweep') await other.kept;
    const ids = page.useLab.getState().sweepHistory.map((s) => s.id);
    expect(ids).toHaveLength(2);
    const copy = ids.find((id) => id !== original.id);
    expect(copy).toMatch(/^sweep-file-1:imported-/);
    expect(page.useLab.getState().sweepRun?.id).toBe(copy);
    expect(page.useLab.getState().sweepRun?.outcomes[0]?.finalLoss).toBe(0.5);
  });

  it('shows the sweep where the browser refuses its storage, and says once why it is not kept', async () => {
    vi.stubGlobal('indexedDB', {
      open: () => {
        throw Object.assign(new Error('The user denied permission to access the database.'), { name: 'SecurityError' });
      },
    });
    const page = await freshPage();
    const original = sweep();
    const imported = await page.importLabFile(sweepJson(original), 'my-sweep.json');
    expect(page.useLab.getState().sweepRun?.outcomes).toEqual(original.outcomes);
    expect(page.useLab.getState().view.page).toBe('sweep');
    if (imported.kind === 'sweep') await imported.kept;
    expect(page.useLab.getState().sweepHistoryError).toBe(
      'Sweeps are not being saved: the browser refused this page its storage (private windows and pages embedded in ' +
        'another site may).',
    );
    expect(page.useLab.getState().sweepRun?.outcomes).toEqual(original.outcomes);
  });

  it('sends a run export to the run history, and refuses anything else, or a sweep while one trains, changing nothing', async () => {
    const page = await freshPage();
    const runs = JSON.stringify({ format: 'gradient-lab-runs', version: 1, runs: [] });
    expect(await page.importLabFile(runs, 'runs.json')).toEqual({ kind: 'runs', count: 0 });
    // A broken run export is the run history's to refuse: its words, not the sweep's.
    expect(await refusal(page.importLabFile('{"format":"gradient-lab-runs","version":1}', 'r.json'))).toMatch(
      /^The file could not be imported: the file is not a Gradient Lab run export \(runs: .*\)\. Nothing was changed\.$/,
    );

    const before = page.useLab.getState();
    for (const [text, expected] of [
      ['{"hello": "world"}', 'The file could not be imported: the file names no format the lab writes'],
      ['{"format": "gradient-lab-sweep", "version": 1, "sweep": {', 'the file is not JSON, or not all of it'],
      [sweepJson(sweep()).replace('"steps":20,"method"', '"steps":"20","method"'), '(sweep.steps: Invalid input'],
    ] as const) {
      const message = await refusal(page.importLabFile(text, 'x.json'));
      expect(message).toContain(expected);
      expect(message).toMatch(/[^.]\. Nothing was changed\.$/);
    }
    expect(page.useLab.getState()).toBe(before);

    page.useLab.setState({ view: { ...DEFAULT_VIEW, page: 'sweep', sweep: settings } });
    page.startSweep();
    const running = page.useLab.getState().sweepRun;
    expect(await refusal(page.importLabFile(sweepJson(sweep()), 'my-sweep.json'))).toBe(
      'The file could not be imported: a sweep is training on the sweep page; import the file once it has finished ' +
        'or been cancelled. Nothing was changed.',
    );
    expect(page.useLab.getState().sweepRun).toBe(running);
  });

  it("where the browser refuses its storage, a run card's file opens on the charts with every step, not kept", async () => {
    vi.stubGlobal('indexedDB', {
      open: () => {
        throw Object.assign(new Error('The user denied permission to access the database.'), { name: 'SecurityError' });
      },
    });
    const page = await freshPage();
    page.useLab.setState({ view: { ...DEFAULT_VIEW, page: 'sweep' } });
    const layout = ONE_LAYER;
    // 3,000 steps: more than the page's own copy of a series keeps whole (store/series.ts), so a download of the
    // opened run must come from the file's record.
    const rows = Array.from({ length: 3000 }, (_, k) => oneLayerStep(k + 1));
    const evals = [{ step: 2000, testAccuracy: null, testLoss: 1.5, examples: 100 }];
    const text = runJson(
      {
        side: 'clipped',
        clip: config.clip,
        phase: 'finished',
        backend: 'wasm',
        divergence: null,
        error: null,
        runId: 's:clipped',
      },
      config,
      'dense-explode',
      layout,
      rows,
      evals,
    );
    const imported = await page.importLabFile(text, 'card.json');
    expect(imported).toMatchObject({ kind: 'runs-shown', count: 1, shown: 1 });
    expect(page.importWords(imported)).toMatch(
      /^Opened 1 run on the charts, not kept: Runs are not being kept in this browser: the browser refused this page its storage.*[^.]\.$/,
    );
    const state = page.useLab.getState();
    expect(state.view.page).toBe('runs');
    expect(Object.keys(state.runs)).toEqual(['clipped']);
    expect(state.runs.clipped).toMatchObject({ step: 3000, phase: 'finished', lastEval: evals[0] });
    expect(state.runs.clipped?.notices[0]).toMatch(/^From card\.json: /);
    const runId = state.runs.clipped?.runId ?? '';
    const held = await page.storedSteps(runId);
    expect(held?.steps).toEqual(rows);
    expect(held?.evals).toEqual(evals);
  });
});
