import { describe, expect, it } from 'vitest';
import { explainDivergence } from './explain.ts';
import type { StepMetrics } from '../train/metrics.ts';

const step = (n: number, norm: number): StepMetrics => ({
  step: n,
  epoch: 1,
  loss: 1,
  accuracy: null,
  globalNormPre: norm,
  globalNormPost: norm,
  clipFraction: 0,
  clipScale: 1,
  gradNormPre: [],
  gradNormPost: [],
  weightNorm: [],
  updateRatio: [],
  layerNormPre: [],
  layerNormPost: [],
  hiddenGradNorms: null,
});

describe('divergence explanation', () => {
  it('states the growth of the gradient norm and the step the loss went non-finite', () => {
    const text = explainDivergence({ step: 5, what: 'loss', value: 'Infinity' }, [
      step(1, 238.7),
      step(2, 2188),
      step(3, 8.3e5),
      step(4, 1.7e13),
      step(5, Infinity),
    ]);
    expect(text).toContain('grew 7.1e10-fold in 3 steps');
    expect(text).toContain('from 239 at step 1 to 1.7e13 at step 4');
    expect(text).toContain('at step 5 the loss became Infinity');
  });

  it('says so when the run blew up at once', () => {
    expect(explainDivergence({ step: 1, what: 'gradient', value: 'NaN' }, [step(1, NaN)])).toContain(
      'At step 1 a gradient became NaN',
    );
  });
});
