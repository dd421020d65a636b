import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import type { StepMetrics } from '../train/metrics.ts';
import { RunHistory, parseArchive, type StoredRun } from './runHistory.ts';

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
    layout: {
      params: [{ name: 'fc1.weight', layer: 'fc1', size: 500 }],
      layers: ['fc1'],
      hiddenLayers: 0,
      timeSteps: 0,
      classifier: false,
    },
    divergence: null,
    error: null,
  };
}

function step(n: number, loss = 100 / n): StepMetrics {
  return {
    step: n,
    epoch: 1,
    loss,
    accuracy: null,
    globalNormPre: 3,
    globalNormPost: 1,
    clipFraction: 0.5,
    clipScale: 0.3,
    gradNormPre: [3],
    gradNormPost: [1],
    weightNorm: [2],
    updateRatio: [0.01],
    layerNormPre: [3],
    layerNormPost: [1],
    hiddenGradNorms: null,
  };
}

describe('run history in IndexedDB', () => {
  it('keeps every streamed batch and the run record follows the last step', async () => {
    await history.putRun(run('s1', 'clipped', 1));
    await history.appendSteps('s1:clipped', [step(1), step(2)]);
    await history.appendSteps('s1:clipped', [step(3)], { phase: 'finished' });
    expect((await history.loadSteps('s1:clipped')).map((s) => s.step)).toEqual([1, 2, 3]);
    expect(await history.getRun('s1:clipped')).toMatchObject({ step: 3, phase: 'finished' });
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
      'steps.0',
    ],
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
