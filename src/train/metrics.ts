/**
 * A run's layout (its parameters and layers) and what is computed from a step's record. The record itself,
 * `StepMetrics`, and `EvalMetrics` are derived from the metric registry (metricSchema.ts) and re-exported here.
 * Per-layer and global norms are derived from the per-parameter ones (the norm of a set of tensors is the L2
 * norm of their norms).
 */
export type { EvalMetrics, StepMetrics } from './metricSchema.ts';
import type { StepMetrics } from './metricSchema.ts';

export interface ParamInfo {
  name: string;
  layer: string;
  size: number;
}

export interface RunLayout {
  params: ParamInfo[];
  layers: string[];
  /** Recurrent models: the hidden-state probes, layers x time steps (28 for MNIST, T for the adding problem). */
  hiddenLayers: number;
  timeSteps: number;
  /** The MNIST digit classifiers (batch and test accuracy); false for the dense net and the adding problem. */
  classifier: boolean;
}

export interface Divergence {
  step: number;
  /** What went non-finite first. */
  what: 'loss' | 'gradient';
  /** The value that was not finite: 'NaN', 'Infinity' or '-Infinity'. */
  value: string;
}

/** Per layer, weights and biases together: the L2 norm of its parameters' norms (what the gradient charts draw). */
export function layerNorms(layout: RunLayout, perParam: ArrayLike<number>): number[] {
  return layout.layers.map((layer) => {
    let sumSquares = 0;
    layout.params.forEach((p, i) => {
      const norm = perParam[i] ?? NaN;
      if (p.layer === layer) sumSquares += norm * norm;
    });
    return Math.sqrt(sumSquares);
  });
}

/** The first non-finite figure of a step, or null when the step is finite. */
export function findDivergence(metrics: StepMetrics): Divergence | null {
  if (!Number.isFinite(metrics.loss)) return { step: metrics.step, what: 'loss', value: String(metrics.loss) };
  if (!Number.isFinite(metrics.globalNormPre))
    return { step: metrics.step, what: 'gradient', value: String(metrics.globalNormPre) };
  return null;
}
