import { describe, expect, it } from 'vitest';
import type { EvalMetrics, StepMetrics } from './metrics.ts';
import { SeedBands, bandOf } from './seedBands.ts';

function step(n: number, loss: number, globalNormPre = 1): StepMetrics {
  return {
    step: n,
    epoch: 1,
    loss,
    accuracy: null,
    globalNormPre,
    globalNormPost: globalNormPre,
    clipFraction: 0,
    clipScale: 1,
    gradNormPre: [],
    gradNormPost: [],
    weightNorm: [],
    updateRatio: [],
    layerNormPre: [],
    layerNormPost: [],
    hiddenGradNorms: null,
  };
}

function evaluation(n: number, testLoss: number): EvalMetrics {
  return { step: n, examples: 100, testLoss, testAccuracy: null } as EvalMetrics;
}

describe('a band over seeds', () => {
  it('is the median and range of the finite values', () => {
    expect(bandOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, finite: 3 });
    // Even count: the mean of the middle two (2 and 4).
    expect(bandOf([8, 2, 4, 1])).toEqual({ median: 3, min: 1, max: 8, finite: 4 });
  });

  it('leaves out a seed that is not finite, so one overflow does not make the median Infinity', () => {
    expect(bandOf([5, Infinity, 1, NaN, 3])).toEqual({ median: 3, min: 1, max: 5, finite: 3 });
    expect(bandOf([NaN, Infinity])).toBeNull();
  });
});

describe('gathering the seeds of a run', () => {
  it('hands out a step once every seed has reported it, in step order, whatever order they come in', () => {
    const bands = new SeedBands([0, 1, 2]);
    bands.step(0, step(1, 10, 4));
    bands.step(1, step(1, 30, 6));
    expect(bands.take().rows).toEqual([]);
    bands.step(2, step(1, 20, 5));
    bands.step(0, step(2, 9));
    const { rows } = bands.take();
    expect(rows).toEqual([
      {
        step: 1,
        loss: { median: 20, min: 10, max: 30, finite: 3 },
        globalNorm: { median: 5, min: 4, max: 6, finite: 3 },
      },
    ]);
    // Step 2 waits for seeds 1 and 2, and is handed out once.
    bands.step(1, step(2, 7));
    bands.step(2, step(2, 8));
    expect(bands.take().rows.map((r) => [r.step, r.loss?.median])).toEqual([[2, 8]]);
    expect(bands.take().rows).toEqual([]);
  });

  it('takes a step over the seeds still finite once one diverges, and no longer waits for it', () => {
    const bands = new SeedBands([5, 6, 7]);
    for (const k of [0, 1, 2]) bands.step(k, step(1, 2 + k));
    bands.step(0, step(2, Infinity, Infinity));
    bands.diverged(0, { step: 2, what: 'loss', value: 'Infinity' });
    bands.step(1, step(2, 4));
    bands.step(2, step(2, 6));
    bands.step(1, step(3, 1));
    bands.step(2, step(3, 3));
    const { rows } = bands.take();
    expect(rows.map((r) => r.loss)).toEqual([
      { median: 3, min: 2, max: 4, finite: 3 },
      { median: 5, min: 4, max: 6, finite: 2 },
      { median: 2, min: 1, max: 3, finite: 2 },
    ]);
    expect(rows[1]?.globalNorm).toEqual({ median: 1, min: 1, max: 1, finite: 2 });
  });

  it('bands an evaluation over the seeds evaluated there, once the rest have been or diverged', () => {
    const bands = new SeedBands([0, 1, 2]);
    bands.evaluated(0, evaluation(10, 0.3));
    bands.evaluated(1, evaluation(10, 0.1));
    expect(bands.take().evals).toEqual([]);
    bands.diverged(2, { step: 7, what: 'loss', value: 'NaN' });
    expect(bands.take().evals).toEqual([{ step: 10, test: { median: 0.2, min: 0.1, max: 0.3, finite: 2 } }]);
  });

  it('says what became of each seed: where it diverged, or its first loss and the mean of its last tenth', () => {
    const bands = new SeedBands([3, 4]);
    // Seed 3: twenty steps, losses 20, 19, ..., 1: its last tenth (2 steps) averages (2 + 1) / 2.
    for (let n = 1; n <= 20; n++) bands.step(0, step(n, 21 - n));
    bands.ended(0);
    bands.step(1, step(1, 50));
    bands.step(1, step(2, NaN));
    bands.diverged(1, { step: 2, what: 'loss', value: 'NaN' });
    expect(bands.outcomes()).toEqual([
      { k: 0, seed: 3, steps: 20, done: true, divergedAt: null, firstLoss: 20, finalLoss: 1.5 },
      { k: 1, seed: 4, steps: 2, done: true, divergedAt: 2, firstLoss: 50, finalLoss: 50 },
    ]);
  });
});
