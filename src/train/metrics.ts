/**
 * What a training step measures, as plain numbers that can cross a worker
 * boundary, be stored and be written as CSV. Per-layer and global norms are
 * derived from the per-parameter ones (the norm of a set of tensors is the
 * L2 norm of their norms).
 */

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

export interface StepMetrics {
  /** 1-based step number. */
  step: number;
  /** 1-based epoch number. */
  epoch: number;
  loss: number;
  /** Classifiers: accuracy on this batch; null for regression. */
  accuracy: number | null;
  globalNormPre: number;
  globalNormPost: number;
  /** Fraction of gradient elements changed by clipping. */
  clipFraction: number;
  /** Factor applied by clipping (1: untouched). */
  clipScale: number;
  /**
   * cos(gradient, clipped gradient) over all parameters: 1 where clipping kept the direction (none, the global
   * modes), below 1 where it turned the step (by value, per-tensor norm). Absent in runs stored before it existed.
   */
  clipCosine?: number;
  /** Per parameter, in layout order. */
  gradNormPre: number[];
  gradNormPost: number[];
  weightNorm: number[];
  /** ||update|| / ||weight before the update||. */
  updateRatio: number[];
  /** Per layer, in layout order. */
  layerNormPre: number[];
  layerNormPost: number[];
  /** ||dL/dh_t||, layer-major (layer 0: t = 1..T, then layer 1), when measured this step. */
  hiddenGradNorms: number[] | null;
  /** Recurrent nets: per recurrent layer, the largest singular value of W_hh after the update. */
  spectralNorm?: number[];
  /** Recurrent nets with the hand-written backward: per recurrent layer, the fraction of |h| > 0.99. */
  saturation?: number[];
}

/** The held-out test set after a step: MNIST's test digits, or the adding problem's test sequences. */
export interface EvalMetrics {
  step: number;
  /** Classifiers: the fraction of test digits read right. Null for the adding problem, which has no accuracy. */
  testAccuracy: number | null;
  /** The mean loss over the test set: cross-entropy (MNIST) or mean squared error (the adding problem). */
  testLoss: number;
  examples: number;
}

export interface Divergence {
  step: number;
  /** What went non-finite first. */
  what: 'loss' | 'gradient';
  /** The value that was not finite: 'NaN', 'Infinity' or '-Infinity'. */
  value: string;
}

/** Biases are named `bias` (dense, output) or `b_ih` / `b_hh` (recurrent); every other parameter is a weight. */
export function isBias(paramName: string): boolean {
  return /(^|\.)(bias|b_ih|b_hh)$/.test(paramName);
}

/** Per layer: the L2 norm of the per-parameter norms of the parameters `include` keeps. */
function normsByLayer(layout: RunLayout, perParam: ArrayLike<number>, include: (p: ParamInfo) => boolean): number[] {
  return layout.layers.map((layer) => {
    let sumSquares = 0;
    layout.params.forEach((p, i) => {
      const norm = perParam[i] ?? NaN;
      if (p.layer === layer && include(p)) sumSquares += norm * norm;
    });
    return Math.sqrt(sumSquares);
  });
}

/** Per layer, weights and biases together (what the gradient-norm charts draw). */
export function layerNorms(layout: RunLayout, perParam: ArrayLike<number>): number[] {
  return normsByLayer(layout, perParam, () => true);
}

/** Per layer, the weight matrices only: the figure the tutorial records (`fc1.weight.grad.norm()`). */
export function layerWeightNorms(layout: RunLayout, perParam: ArrayLike<number>): number[] {
  return normsByLayer(layout, perParam, (p) => !isBias(p.name));
}

/** The first non-finite figure of a step, or null when the step is finite. */
export function findDivergence(metrics: StepMetrics): Divergence | null {
  if (!Number.isFinite(metrics.loss)) return { step: metrics.step, what: 'loss', value: String(metrics.loss) };
  if (!Number.isFinite(metrics.globalNormPre))
    return { step: metrics.step, what: 'gradient', value: String(metrics.globalNormPre) };
  return null;
}
