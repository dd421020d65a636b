import { describe, expect, it } from 'vitest';
import { findDivergence, layerNorms, type RunLayout, type StepMetrics } from './metrics.ts';

const layout: RunLayout = {
  params: [
    { name: 'fc1.weight', layer: 'fc1', size: 6 },
    { name: 'fc1.bias', layer: 'fc1', size: 3 },
    { name: 'fc2.weight', layer: 'fc2', size: 3 },
    { name: 'fc2.bias', layer: 'fc2', size: 1 },
  ],
  layers: ['fc1', 'fc2'],
  hiddenLayers: 0,
  timeSteps: 0,
  classifier: false,
};

describe('per-layer norms (what the gradient-norm charts draw)', () => {
  it('are the L2 norm of the layer’s parameter norms: sqrt(3^2 + 4^2) = 5, sqrt(12^2 + 5^2) = 13', () => {
    expect(layerNorms(layout, [3, 4, 12, 5])).toEqual([5, 13]);
  });

  it('a layer with one non-zero tensor has that tensor’s norm, not its square', () => {
    expect(layerNorms(layout, [0, 0, 7, 0])).toEqual([0, 7]);
  });
});

describe('divergence', () => {
  const finite = { step: 3, loss: 1.5, globalNormPre: 2 } as StepMetrics;
  it('is null for a finite step, and names the loss first, then the gradient', () => {
    expect(findDivergence(finite)).toBeNull();
    expect(findDivergence({ ...finite, loss: Infinity, globalNormPre: NaN })).toEqual({
      step: 3,
      what: 'loss',
      value: 'Infinity',
    });
    expect(findDivergence({ ...finite, globalNormPre: NaN })).toEqual({ step: 3, what: 'gradient', value: 'NaN' });
  });
});
