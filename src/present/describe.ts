/** Words for runs and results, shared by the CLI's output (and usable by any text report). */
import type { ClipConfig } from '../experiment/config.ts';
import type { EpochLoss } from '../train/epochLoss.ts';
import type { Divergence, EvalMetrics } from '../train/metrics.ts';

export function describeClip(clip: ClipConfig): string {
  switch (clip.mode) {
    case 'none':
      return 'no clipping';
    case 'value':
      return `clip by value to [${clip.min}, ${clip.max}]`;
    case 'norm':
      return `clip each tensor's norm to ${clip.threshold}`;
    case 'global':
      return `clip the global ${clip.normType === 'inf' ? 'max' : 'L2'} norm to ${clip.threshold} (torch)`;
    case 'global-tf':
      return `clip the global L2 norm to ${clip.threshold} (tf)`;
  }
}

/** Numbers for people: 1.2e13 rather than 12000000000000. */
export function formatNumber(value: number, digits = 3): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const [mantissa = '', exponent] = value.toExponential(digits - 1).split('e');
    return `${mantissa.replace(/\.?0+$/, '')}e${Number(exponent)}`;
  }
  return Number(value.toPrecision(digits)).toString();
}

export interface RunSummary {
  steps: number;
  /** The loss of the last batch trained. */
  lastBatchLoss: number | null;
  /** The dense net: the last complete epoch's loss over every row, as the tutorial reports it. */
  epochLoss: EpochLoss | null;
  divergence: Divergence | null;
  evaluation: EvalMetrics | null;
  /** Stopped by the user before the planned steps. */
  interrupted: boolean;
}

/** One line per run for the CLI: what happened, and the final figures named for what they are. */
export function summarize(run: RunSummary): string {
  const { divergence, evaluation } = run;
  if (divergence) return `diverged at step ${divergence.step}: the ${divergence.what} became ${divergence.value}`;
  if (run.steps === 0 || run.lastBatchLoss === null)
    return run.interrupted ? 'interrupted before its first step' : 'no step was trained';
  const parts = [`${run.interrupted ? 'interrupted after' : 'finished'} ${run.steps} steps`];
  if (run.epochLoss)
    parts.push(`epoch ${run.epochLoss.epoch} loss ${formatNumber(run.epochLoss.loss, 4)} (over every row)`);
  parts.push(`last batch loss ${formatNumber(run.lastBatchLoss, 4)}`);
  if (evaluation) parts.push(describeEvaluation(evaluation));
  return parts.join(', ');
}

/**
 * A test-set measurement in words: "test accuracy 91.2% on 1000 held-out digits (after step 300)", or for the
 * adding problem, which has no accuracy, "test MSE 0.0123 on 500 held-out sequences (after step 300)".
 */
export function describeEvaluation(evaluation: EvalMetrics): string {
  const { testAccuracy, examples, step } = evaluation;
  return testAccuracy === null
    ? `test MSE ${formatNumber(evaluation.testLoss, 3)} on ${examples} held-out sequences (after step ${step})`
    : `test accuracy ${(testAccuracy * 100).toFixed(1)}% on ${examples} held-out digits (after step ${step})`;
}

/** Seconds for people: 4.2 s, 3:07, 1:02:03. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The formula of each mode in words, for the UI and the CLI. */
export const CLIP_FORMULAS: Record<ClipConfig['mode'], string> = {
  none: 'no clipping: the raw gradient is applied',
  value: 'g <- min(max(g, min), max) for every element (tf.clip_by_value, torch clip_grad_value_, Keras clipvalue)',
  norm: 'for each tensor, g <- g * c / max(||g||, c) (tf.clip_by_norm, Keras clipnorm)',
  global: 'total = ||all gradients||_p; every g <- g * min(1, c / (total + 1e-6)) (torch clip_grad_norm_)',
  'global-tf': 'total = sqrt(sum of ||g||^2); every g <- g * c / max(total, c) (tf.clip_by_global_norm)',
};
