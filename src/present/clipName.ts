/**
 * A clipping's short name, for a run's title in a race and for sentences that list runs: "No clipping",
 * "Value ±1", "Per-tensor norm 1", "Global norm 1". describeClip (describe.ts) is the long form.
 */
import type { ClipConfig } from '../experiment/config.ts';
import { formatNumber } from './describe.ts';

export function clipName(clip: ClipConfig): string {
  const c = formatNumber(clip.threshold, 4);
  switch (clip.mode) {
    case 'none':
      return 'No clipping';
    case 'value':
      return clip.min === -clip.max
        ? `Value ±${formatNumber(clip.max, 4)}`
        : `Value [${formatNumber(clip.min, 4)}, ${formatNumber(clip.max, 4)}]`;
    case 'norm':
      return `Per-tensor norm ${c}`;
    case 'global':
      return clip.normType === 'inf' ? `Global max-norm ${c}` : `Global norm ${c}`;
    case 'global-tf':
      return `Global norm ${c} (tf)`;
  }
}
