/** A prediction judged against hand-made run figures: what "What happened" would say, and whether the choice holds. */
import { describe, expect, it } from 'vitest';
import { NO_CLIP, type ClipConfig, type RunSide } from '../experiment/config.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import type { EvalMetrics } from '../train/metrics.ts';
import { lessonRunNames, outcomeHolds, outcomeWords, type LessonRun } from './lessonOutcome.ts';
import { comparePair, type RunStory } from './narrator.ts';

const VALUE_1: ClipConfig = { ...NO_CLIP, mode: 'value', min: -1, max: 1 };

function story(patch: Partial<RunStory>): RunStory {
  return {
    task: 'regression',
    steps: 20,
    divergence: null,
    clippedSteps: 10,
    appliedRatio: 0.5,
    turnDegrees: null,
    firstLoss: 100,
    finalLoss: 50,
    lastEval: null,
    spectralNorm: null,
    events: [],
    ...patch,
  };
}

const run = (side: RunSide, s: Partial<RunStory>, clip: ClipConfig = VALUE_1): LessonRun => ({
  side,
  clip: side === 'baseline' ? NO_CLIP : clip,
  story: story(s),
});
const diverged = { step: 5, what: 'loss' as const, value: 'Infinity' };
const accuracyEval = (testAccuracy: number) => ({ step: 19, testLoss: 1, testAccuracy }) as unknown as EvalMetrics;

describe('judging a prediction', () => {
  it('the dense explosion: the unclipped run diverges, the clipped one ends best', () => {
    const runs = [run('baseline', { divergence: diverged, finalLoss: 1e30 }), run('clipped', { finalLoss: 80 })];
    expect(comparePair(runs[0]!.story, runs[1]!.story)).toMatch(/unclipped run diverged at step 5/);
    expect(outcomeHolds({ kind: 'best', side: 'clipped' }, runs)).toBe(true);
    expect(outcomeHolds({ kind: 'best', side: 'baseline' }, runs)).toBe(false);
    expect(outcomeHolds({ kind: 'diverges', side: 'baseline' }, runs)).toBe(true);
    expect(outcomeHolds({ kind: 'diverges', side: 'clipped' }, runs)).toBe(false);
    expect(outcomeHolds({ kind: 'none-diverge' }, runs)).toBe(false);
    expect(outcomeHolds({ kind: 'all-diverge' }, runs)).toBe(false);
    expect(outcomeHolds({ kind: 'close' }, runs)).toBe(false);
  });

  it('the lower final loss wins, as the pair sentence says', () => {
    const runs = [run('baseline', { finalLoss: 40 }), run('clipped', { finalLoss: 60 })];
    expect(comparePair(runs[0]!.story, runs[1]!.story)).toMatch(/about 60 against 40/);
    expect(outcomeHolds({ kind: 'best', side: 'baseline' }, runs)).toBe(true);
    expect(outcomeHolds({ kind: 'best', side: 'clipped' }, runs)).toBe(false);
    expect(outcomeHolds({ kind: 'none-diverge' }, runs)).toBe(true);
  });

  it('test accuracy ranks classifiers (higher is best), over the batch loss', () => {
    const runs = [
      run('baseline', { finalLoss: 0.1, lastEval: accuracyEval(0.8) }),
      run('clipped', { finalLoss: 0.5, lastEval: accuracyEval(0.9) }),
    ];
    expect(outcomeHolds({ kind: 'best', side: 'clipped' }, runs)).toBe(true);
  });

  it("close: within 5% of each other, not 6%; a tie is no run's win", () => {
    expect(
      outcomeHolds({ kind: 'close' }, [run('baseline', { finalLoss: 100 }), run('clipped', { finalLoss: 95.5 })]),
    ).toBe(true);
    expect(
      outcomeHolds({ kind: 'close' }, [run('baseline', { finalLoss: 100 }), run('clipped', { finalLoss: 94 })]),
    ).toBe(false);
    const tie = [run('baseline', { finalLoss: 7 }), run('clipped', { finalLoss: 7 })];
    expect(outcomeHolds({ kind: 'best', side: 'baseline' }, tie)).toBe(false);
    expect(outcomeHolds({ kind: 'best', side: 'clipped' }, tie)).toBe(false);
  });

  it('every run diverged: none is best, all diverged', () => {
    const runs = [run('baseline', { divergence: diverged }), run('clipped', { divergence: { ...diverged, step: 9 } })];
    expect(outcomeHolds({ kind: 'all-diverge' }, runs)).toBe(true);
    expect(outcomeHolds({ kind: 'best', side: 'clipped' }, runs)).toBe(false);
  });

  it('cannot judge what the runs cannot tell: a best run of one, a run not trained', () => {
    const lone = [run('clipped', {})];
    expect(outcomeHolds({ kind: 'best', side: 'clipped' }, lone)).toBeNull();
    expect(outcomeHolds({ kind: 'diverges', side: 'third' }, lone)).toBeNull();
    expect(outcomeHolds({ kind: 'none-diverge' }, [])).toBeNull();
  });

  it('a race: the third run ends best', () => {
    const runs = [
      run('baseline', { divergence: diverged }),
      run('clipped', { finalLoss: 30 }),
      run('third', { finalLoss: 20 }),
    ];
    expect(outcomeHolds({ kind: 'best', side: 'third' }, runs)).toBe(true);
  });

  it('names the runs as the pair and the race name them', () => {
    const pair = decodeExperiment('v=1&preset=dense-explode').config;
    const names = lessonRunNames(pair);
    expect(outcomeWords({ kind: 'best', side: 'clipped' }, names)).toBe('the clipped run ends best');
    expect(outcomeWords({ kind: 'all-diverge' }, names)).toBe('both runs diverge');
    const race = decodeExperiment('v=1&preset=dense-explode&run3=global:1').config;
    expect(lessonRunNames(race).third).toBe('the run "Global norm 1"');
  });
});
