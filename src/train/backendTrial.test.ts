/** Choosing a backend from timed steps: the pure rules, and that a trial leaves the real run's numbers alone. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import {
  chooseBackend,
  describeChoice,
  describeChoiceAfterRun,
  formatStepsPerSecond,
  orderAfterChoice,
  trialBackends,
  trialKey,
  type BackendTiming,
  type TrialBudget,
  untimedChoiceSentence,
} from './backendTrial.ts';
import { loadTrainingData, type DataLoader } from './data/trainingData.ts';
import { Run } from './trainer.ts';

type Name = 'webgl' | 'wasm' | 'cpu';

function timing(
  backend: Name,
  msPerStep: number | null,
  extra: Partial<BackendTiming<Name>> = {},
): BackendTiming<Name> {
  return {
    backend,
    msPerStep,
    steps: 5,
    gaveUp: false,
    error: msPerStep === null ? 'did not start' : null,
    detail: null,
    ...extra,
  };
}

const dense = PRESETS['dense-explode'].config;
const lstm = PRESETS['lstm-tf'].config;

describe('trialKey: one cache entry per model size', () => {
  it('ignores what does not change a step’s speed: seed, learning rate, clipping, steps', () => {
    const other = { ...dense, seed: 7, lr: 0.5, steps: 9, clip: { ...dense.clip, mode: 'norm' as const } };
    expect(trialKey(other)).toBe(trialKey(dense));
    expect(trialKey({ ...lstm, seed: 3, optimizer: 'sgd' as const })).toBe(trialKey(lstm));
  });

  it('tells sizes apart: the model, its width, its depth and the batch', () => {
    const keys = [
      trialKey(dense),
      trialKey({ ...dense, hidden: 26 }),
      trialKey({ ...dense, batch: 64 }),
      trialKey(lstm),
      trialKey({ ...lstm, hidden: 128 }),
      trialKey({ ...lstm, layers: 2 }),
      trialKey({ ...lstm, model: 'gru' as const }),
      trialKey({ ...lstm, model: 'rnn' as const }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(trialKey(dense)).toBe('dense h25 b128');
    expect(trialKey({ ...lstm, hidden: 128, layers: 2, batch: 64 })).toBe('lstm 2x128 b64');
  });
});

describe('chooseBackend: the fastest that ran', () => {
  it('picks the fastest; a software WebGL slower than WASM is not chosen', () => {
    expect(chooseBackend([timing('wasm', 7.8), timing('webgl', 66, { detail: 'software-rendered' })], 'cpu')).toBe(
      'wasm',
    );
    expect(chooseBackend([timing('wasm', 2600), timing('webgl', 1500)], 'cpu')).toBe('webgl');
  });

  it('a near tie (within 5%) goes to the candidate listed first', () => {
    expect(chooseBackend([timing('wasm', 10), timing('webgl', 9.7)], 'cpu')).toBe('wasm');
    expect(chooseBackend([timing('wasm', 10), timing('webgl', 9.4)], 'cpu')).toBe('webgl');
  });

  it('skips candidates that failed or were given up on, and falls back when none ran', () => {
    expect(chooseBackend([timing('webgl', null), timing('wasm', 50)], 'cpu')).toBe('wasm');
    expect(chooseBackend([timing('wasm', 10), timing('webgl', 1, { gaveUp: true })], 'cpu')).toBe('wasm');
    expect(chooseBackend([timing('wasm', null), timing('webgl', null)], 'cpu')).toBe('cpu');
    expect(chooseBackend([], 'cpu')).toBe('cpu');
  });

  it('orders the fallbacks after the chosen one: the others that ran, fastest first, CPU last', () => {
    const timings = [timing('wasm', 8), timing('webgl', 60)];
    expect(orderAfterChoice('wasm', timings, 'cpu')).toEqual(['wasm', 'webgl', 'cpu']);
    expect(orderAfterChoice('webgl', [timing('wasm', 90), timing('webgl', 60)], 'cpu')).toEqual([
      'webgl',
      'wasm',
      'cpu',
    ]);
    expect(orderAfterChoice('wasm', [timing('wasm', 8), timing('webgl', null)], 'cpu')).toEqual(['wasm', 'cpu']);
    expect(orderAfterChoice('cpu', [timing('wasm', null), timing('webgl', null)], 'cpu')).toEqual(['cpu']);
  });

  it('says what it chose and what it measured, in one sentence', () => {
    const timings = [timing('wasm', 1000 / 128), timing('webgl', 1000 / 15, { detail: 'software-rendered' })];
    expect(describeChoice({ chosen: 'wasm', timings, measuredAt: 0 })).toBe(
      'WASM chosen: 128 steps/s, WebGL 15 steps/s (software-rendered)',
    );
    const failed = [timing('wasm', 40), timing('webgl', null, { error: 'webgl is not available in this browser' })];
    expect(describeChoice({ chosen: 'wasm', timings: failed, measuredAt: 0 })).toBe(
      'WASM chosen: 25 steps/s, WebGL failed (webgl is not available in this browser)',
    );
    const gaveUp = [timing('wasm', 400), timing('cpu', 2000, { gaveUp: true, steps: 0 })];
    expect(describeChoice({ chosen: 'wasm', timings: gaveUp, measuredAt: 0 })).toBe(
      'WASM chosen: 2.5 steps/s, CPU under 0.50 steps/s',
    );
    expect(formatStepsPerSecond(1000 / 3.14159)).toBe('3.1');
  });
});

describe('what auto says when it never times before training', () => {
  it('a size not timed yet: the first choice trains now, the candidates are timed after the run', () => {
    expect(untimedChoiceSentence('wasm', ['wasm', 'webgl'])).toBe(
      'WASM for now (this model size is not timed yet); WASM and WebGL are timed once no run is training',
    );
    expect(untimedChoiceSentence('wasm', ['wasm', 'webgl', 'cpu'])).toContain('WASM, WebGL and CPU are timed');
  });

  it('the trial after a run: the choice and speeds, and where the next run trains when that is elsewhere', () => {
    const timings = [timing('wasm', 1000 / 128), timing('webgl', 1000 / 500)];
    const webglWins = { chosen: 'webgl' as const, timings, measuredAt: 0 };
    expect(describeChoiceAfterRun(webglWins, 'wasm')).toBe(
      'WebGL chosen: 500 steps/s, WASM 128 steps/s; this run trained on WASM, ' +
        'the next run of this size trains on WebGL',
    );
    // The run already trained on the winner: only the choice and the speeds.
    expect(describeChoiceAfterRun(webglWins, 'webgl')).toBe(describeChoice(webglWins));
    const wasmWins = { chosen: 'wasm' as const, timings: [timing('wasm', 1000 / 128), timing('webgl', 1000 / 15)] };
    expect(describeChoiceAfterRun({ ...wasmWins, measuredAt: 0 }, 'wasm')).toBe(
      'WASM chosen: 128 steps/s, WebGL 15 steps/s',
    );
  });
});

/** The generated regression data: no files needed. */
const noFiles: DataLoader = {
  regressionCsv: () => Promise.reject(new Error('not used')),
  mnist: () => Promise.reject(new Error('not used')),
};

const QUICK: TrialBudget = {
  warmupSteps: 1,
  minSteps: 2,
  minMs: 0,
  maxMs: 50,
  maxSteps: 3,
  giveUpFactor: 3,
  giveUpFloorMs: 0,
};

describe('trialBackends: timing a throwaway run', () => {
  const config = { ...dense, data: 'generated' as const, steps: 4 };

  it('leaves the real run untouched: the same numbers as without a trial, and no tensor left behind', async () => {
    const data = await loadTrainingData(config, noFiles);
    const firstSteps = async () => {
      const run = new Run({ config, side: 'baseline', data });
      const losses: number[] = [];
      while (run.status === 'ready') losses.push((await run.trainStep()).loss);
      run.dispose();
      return losses;
    };
    const before = await firstSteps();
    const tensors = tf.memory().numTensors;
    const started: string[] = [];
    const start = (name: Name) => async () => {
      started.push(name);
      return null;
    };
    // More trial steps than the run has: the trial replaces its finished run with a fresh one.
    const result = await trialBackends(
      config,
      data,
      [
        { backend: 'wasm', start: start('wasm') },
        { backend: 'cpu', start: start('cpu') },
      ],
      'cpu',
      { ...QUICK, maxSteps: 9, minSteps: 9, maxMs: 60_000, giveUpFactor: 1e9 },
    );
    expect(started).toEqual(['wasm', 'cpu']);
    expect(tf.memory().numTensors).toBe(tensors);
    for (const t of result.timings) {
      expect(t.msPerStep, t.backend).toBeGreaterThan(0);
      expect(t.steps, t.backend).toBe(9);
    }
    expect(await firstSteps()).toEqual(before);
  });

  it('records a backend that does not start, and gives up on one far slower than the best so far', async () => {
    const data = await loadTrainingData(config, noFiles);
    const result = await trialBackends(
      config,
      data,
      [
        { backend: 'webgl', start: () => Promise.reject(new Error('webgl is not available in this browser')) },
        { backend: 'wasm', start: () => Promise.resolve(null) },
        // Any step is "3x slower" than the best when the factor is 0: given up after its first step.
        { backend: 'cpu', start: () => Promise.resolve('emulated') },
      ],
      'cpu',
      { ...QUICK, giveUpFactor: 0 },
    );
    const [webgl, wasm, cpu] = result.timings;
    expect(webgl).toMatchObject({ backend: 'webgl', msPerStep: null, error: 'webgl is not available in this browser' });
    expect(wasm).toMatchObject({ backend: 'wasm', gaveUp: false, error: null });
    expect(cpu).toMatchObject({ backend: 'cpu', gaveUp: true, steps: 0, detail: 'emulated' });
    expect(result.chosen).toBe('wasm');
  });
});
