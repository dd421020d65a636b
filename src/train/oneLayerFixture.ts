/**
 * For tests: a run of one layer (fc1) and a step row of it, the numbers easy to check by hand. Tests of the history,
 * the series and the import each need a run's layout and rows without training one.
 */
import type { RunLayout, StepMetrics } from './metrics.ts';

export const ONE_LAYER: RunLayout = {
  params: [{ name: 'fc1.weight', layer: 'fc1', size: 500 }],
  layers: ['fc1'],
  hiddenLayers: 0,
  timeSteps: 0,
  classifier: false,
};

/** Step `n` of a one-layer run: the loss 100 / n unless given, the norms fixed (3 before clipping, 1 after). */
export function oneLayerStep(n: number, loss = 100 / n): StepMetrics {
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
