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
  /** Recurrent models: the hidden-state probes, layers x time steps. */
  hiddenLayers: number;
  timeSteps: number;
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
}

export interface EvalMetrics {
  step: number;
  testAccuracy: number;
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

export function csvHeader(layout: RunLayout): string[] {
  const columns = [
    'step',
    'epoch',
    'loss',
    'accuracy',
    'global_norm_pre',
    'global_norm_post',
    'clip_fraction',
    'clip_scale',
  ];
  for (const layer of layout.layers) columns.push(`${layer}_norm_pre`, `${layer}_norm_post`);
  for (const p of layout.params)
    columns.push(
      `${p.name}_grad_norm_pre`,
      `${p.name}_grad_norm_post`,
      `${p.name}_weight_norm`,
      `${p.name}_update_ratio`,
    );
  for (let l = 0; l < layout.hiddenLayers; l++) {
    for (let t = 1; t <= layout.timeSteps; t++) columns.push(`dL_dh_l${l}_t${t}`);
  }
  return columns;
}

export function csvRow(layout: RunLayout, m: StepMetrics): (number | string)[] {
  const row: (number | string)[] = [
    m.step,
    m.epoch,
    m.loss,
    m.accuracy ?? '',
    m.globalNormPre,
    m.globalNormPost,
    m.clipFraction,
    m.clipScale,
  ];
  // A missing figure is an empty cell, never a shifted row.
  const cell = (values: readonly number[] | null, i: number): number | string => values?.[i] ?? '';
  layout.layers.forEach((_, i) => row.push(cell(m.layerNormPre, i), cell(m.layerNormPost, i)));
  layout.params.forEach((_, i) =>
    row.push(cell(m.gradNormPre, i), cell(m.gradNormPost, i), cell(m.weightNorm, i), cell(m.updateRatio, i)),
  );
  const hidden = layout.hiddenLayers * layout.timeSteps;
  for (let k = 0; k < hidden; k++) row.push(cell(m.hiddenGradNorms, k));
  return row;
}
