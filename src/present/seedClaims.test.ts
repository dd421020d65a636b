import { describe, expect, it } from 'vitest';
import type { SeedOutcome } from '../train/seedBands.ts';
import { pairSeedsClaim, runSeedsClaim, seedLearned } from './seedClaims.ts';

/** A seed that diverged at `step`. */
const diverged = (k: number, step: number): SeedOutcome => ({
  k,
  seed: k,
  steps: step,
  done: true,
  divergedAt: step,
  firstLoss: 100,
  finalLoss: 100,
});

/** A seed that trained 100 steps from a loss of 100 to `final`. */
const finished = (k: number, final: number): SeedOutcome => ({
  k,
  seed: k,
  steps: 100,
  done: true,
  divergedAt: null,
  firstLoss: 100,
  finalLoss: final,
});

const ten = <T>(f: (k: number) => T) => Array.from({ length: 10 }, (_, k) => f(k));

describe('what a run over seeds did, in words', () => {
  it('a seed learned when its final loss is at most half its first, and it never diverged', () => {
    expect(seedLearned(finished(0, 50))).toBe(true);
    expect(seedLearned(finished(0, 50.1))).toBe(false);
    expect(seedLearned(diverged(0, 5))).toBe(false);
  });

  it('counts the diverged seeds and says they all went at the same step', () => {
    expect(
      runSeedsClaim(
        'unclipped run',
        ten((k) => diverged(k, 5)),
      )?.text,
    ).toBe('The unclipped run diverged in 10 of 10 seeds, by step 5 in all.');
  });

  it('gives the first and last step when the seeds diverged at different steps', () => {
    const outcomes = [diverged(0, 3), diverged(1, 9), diverged(2, 4)];
    expect(runSeedsClaim('unclipped run', outcomes)?.text).toBe(
      'The unclipped run diverged in 3 of 3 seeds, at steps 3 to 9.',
    );
  });

  it('counts the seeds that learned, and says nothing of divergence where none diverged', () => {
    // Eight fall to 10 (learned); two end at 80 (above half of 100: they barely learned).
    const outcomes = ten((k) => finished(k, k < 8 ? 10 : 80));
    expect(runSeedsClaim('clipped run', outcomes)?.text).toBe('The clipped run learned in 8 of 10 seeds.');
  });

  it('says both where some seeds diverged and others did not', () => {
    const outcomes = [diverged(0, 40), finished(1, 20), diverged(2, 60), finished(3, 70)];
    expect(runSeedsClaim('clipped run', outcomes)?.text).toBe(
      'The clipped run diverged in 2 of 4 seeds, at steps 40 to 60, and learned in 1 of 4.',
    );
  });

  it('says nothing until every seed has finished or diverged, and nothing of one seed', () => {
    const outcomes = ten((k) => finished(k, 10));
    expect(runSeedsClaim('clipped run', [{ ...finished(0, 10), done: false }, ...outcomes.slice(1)])).toBeNull();
    expect(runSeedsClaim('clipped run', [finished(0, 10)])).toBeNull();
  });

  it('tells a pair the clipping saved in one sentence', () => {
    const baseline = ten((k) => diverged(k, 5));
    const clipped = ten((k) => finished(k, k === 3 || k === 7 ? 90 : 5));
    expect(pairSeedsClaim(baseline, clipped)?.text).toBe(
      'The unclipped run diverged in 10 of 10 seeds, by step 5 in all; clipped, it learned in 8 of 10 seeds.',
    );
  });

  it('tells a pair where both diverged run by run', () => {
    const baseline = ten((k) => diverged(k, 5));
    const clipped = [...ten((k) => finished(k, 5)).slice(0, 9), diverged(9, 30)];
    expect(pairSeedsClaim(baseline, clipped)?.text).toBe(
      'The unclipped run diverged in 10 of 10 seeds, by step 5 in all. ' +
        'The clipped run diverged in 1 of 10 seeds, at step 30, and learned in 9 of 10.',
    );
  });
});

describe('learned, on the adding problem', () => {
  const adding = (firstLoss: number, finalLoss: number) => ({
    k: 0,
    seed: 0,
    steps: 100,
    done: true,
    divergedAt: null,
    firstLoss,
    finalLoss,
  });

  it('halving a loss that starts far above 1/6 is not learning unless it ends clearly below 1/6 (under 0.8 of it)', () => {
    // 1.2 -> 0.186: a sixth of the first loss, but worse than always answering 1 (0.1667).
    expect(seedLearned(adding(1.2, 0.186))).toBe(true);
    expect(seedLearned(adding(1.2, 0.186), 'adding')).toBe(false);
    // 0.8 x 1/6 = 0.1333: 0.14 is "just below", 0.05 learned.
    expect(seedLearned(adding(1.2, 0.14), 'adding')).toBe(false);
    expect(seedLearned(adding(1.2, 0.05), 'adding')).toBe(true);
    const outcomes = [adding(1.2, 0.186), { ...adding(1.1, 0.05), k: 1, seed: 1 }];
    expect(runSeedsClaim('clipped run', outcomes, 'adding')?.text).toBe('The clipped run learned in 1 of 2 seeds.');
  });
});
