import { describe, expect, it } from 'vitest';
import { describeEvaluation, summarize } from './describe.ts';

describe('a run summed up in words', () => {
  it('names the test figure for what it is: accuracy on digits, MSE on adding-problem sequences', () => {
    expect(describeEvaluation({ step: 300, testAccuracy: 0.9123, testLoss: 0.3, examples: 1000 })).toBe(
      'test accuracy 91.2% on 1000 held-out digits (after step 300)',
    );
    expect(describeEvaluation({ step: 2000, testAccuracy: null, testLoss: 0.038231, examples: 500 })).toBe(
      'test MSE 0.0382 on 500 held-out sequences (after step 2000)',
    );
  });

  it('puts it after the last batch loss, and never prints an accuracy the adding problem does not have', () => {
    const line = summarize({
      steps: 2000,
      lastBatchLoss: 0.05,
      epochLoss: null,
      divergence: null,
      evaluation: { step: 2000, testAccuracy: null, testLoss: 0.04, examples: 500 },
      interrupted: false,
    });
    expect(line).toBe(
      'finished 2000 steps, last batch loss 0.05, test MSE 0.04 on 500 held-out sequences (after step 2000)',
    );
    expect(line).not.toMatch(/accuracy|NaN|%/);
  });
});
