import { describe, expect, it } from 'vitest';
import { NO_CLIP, type ClipConfig, type RunSide } from '../experiment/config.ts';
import { Narrator } from '../present/narrator.ts';
import type { RunView } from '../store/labStore.ts';
import type { RunPhase } from '../train/runPhase.ts';
import { ONE_LAYER, oneLayerStep } from '../train/oneLayerFixture.ts';
import { comparedSentence } from './comparedSentence.ts';

const NORM_50: ClipConfig = { ...NO_CLIP, mode: 'norm', threshold: 50 };
const GLOBAL_1: ClipConfig = { ...NO_CLIP, mode: 'global', threshold: 1 };

/** A run on the page: `steps` steps at a loss of `loss`, in `phase`. */
function run(side: RunSide, clip: ClipConfig, phase: RunPhase, steps: number, loss: number): RunView {
  const narrator = new Narrator(clip, ONE_LAYER);
  // Clipping never acts (the fixture's rows say it did on half the elements).
  for (let n = 1; n <= steps; n++) narrator.observe({ ...oneLayerStep(n, loss), clipFraction: 0, clipScale: 1 });
  return {
    side,
    clip,
    phase,
    backend: 'wasm',
    layout: ONE_LAYER,
    step: steps,
    divergence: null,
    error: phase === 'crashed' ? 'the worker stopped' : null,
    notices: [],
    stepsPerSecond: null,
    lastEval: null,
    runId: null,
    narration: narrator.story(),
  };
}

describe('the runs compared in words', () => {
  it('ranks the runs that went on, not one whose worker crashed early', () => {
    // worker-crash in the browser tests: a baseline clipped at per-tensor norm 50 crashed at step 6.
    const crashed = run('baseline', NORM_50, 'crashed', 6, 0.5);
    const finished = run('clipped', GLOBAL_1, 'finished', 120, 2);
    expect(comparedSentence({ baseline: crashed, clipped: finished })).toBe('');
    // Not crashed, the same two runs are ranked ("Lowest loss ..."), as a race of two.
    const sentence = comparedSentence({ baseline: { ...crashed, phase: 'paused' }, clipped: finished });
    expect(sentence).toMatch(/^All 2 runs stayed finite\. Lowest loss over the last tenth of the steps: baseline/);
  });

  it('a race with one crashed run compares the three others', () => {
    const runs = {
      baseline: run('baseline', NO_CLIP, 'running', 50, 4),
      clipped: run('clipped', GLOBAL_1, 'running', 50, 2),
      third: run('third', NORM_50, 'crashed', 3, 0.1),
      fourth: run('fourth', { ...NO_CLIP, mode: 'value', min: -1, max: 1 }, 'running', 50, 3),
    };
    const sentence = comparedSentence(runs);
    expect(sentence).toMatch(/^All 3 runs stayed finite\./);
    expect(sentence).not.toMatch(/third/i);
  });

  it('the pair as trained, in the pair’s words, once both have taken a step', () => {
    const baseline = run('baseline', NO_CLIP, 'running', 10, 1);
    const clipped = run('clipped', GLOBAL_1, 'running', 10, 1);
    expect(comparedSentence({ baseline, clipped })).toBe(
      'Clipping never acted, so the two runs took the very same steps.',
    );
    expect(comparedSentence({ baseline, clipped: run('clipped', GLOBAL_1, 'ready', 0, 1) })).toBe('');
  });
});
