/** Words for runs and results, shared by the CLI's output (and usable by any text report). */
import type { ClipConfig } from '../experiment/config.ts';
import type { Divergence, EvalMetrics, StepMetrics } from '../train/metrics.ts';

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

export function summarize(
  last: StepMetrics | undefined,
  divergence: Divergence | null,
  evaluation: EvalMetrics | null,
): string {
  if (divergence) return `diverged at step ${divergence.step}: the ${divergence.what} became ${divergence.value}`;
  if (!last) return 'no step was trained';
  const parts = [`finished ${last.step} steps`, `final loss ${formatNumber(last.loss, 4)}`];
  if (evaluation)
    parts.push(
      `test accuracy ${(evaluation.testAccuracy * 100).toFixed(1)}% on ${evaluation.examples} held-out digits`,
    );
  return parts.join(', ');
}

/** The formula of each mode in words, for the UI and the CLI. */
export const CLIP_FORMULAS: Record<ClipConfig['mode'], string> = {
  none: 'no clipping: the raw gradient is applied',
  value: 'g <- min(max(g, min), max) for every element (tf.clip_by_value, torch clip_grad_value_, Keras clipvalue)',
  norm: 'for each tensor, g <- g * c / max(||g||, c) (tf.clip_by_norm, Keras clipnorm)',
  global: 'total = ||all gradients||_p; every g <- g * min(1, c / (total + 1e-6)) (torch clip_grad_norm_)',
  'global-tf': 'total = sqrt(sum of ||g||^2); every g <- g * c / max(total, c) (tf.clip_by_global_norm)',
};
