/**
 * How a sweep trains, decided from the experiment alone. Kept apart from denseSweep.ts and gridSweep.ts, which
 * train with TensorFlow.js: the page asks this before it starts the sweep's worker, and must not load tfjs to ask
 * (eslint.config.js lists this file among those the page may import).
 */
import type { ExperimentConfig } from '../../experiment/config.ts';
import { sweepRefusal } from '../../experiment/sweep.ts';

export type SweepMethod = 'batched' | 'one-at-a-time';

/**
 * Why the batched program (denseSweep.ts) cannot train the experiment, or null: it is the dense net with SGD (with
 * or without momentum), the corrected loss, and a clipping mode it writes per cell (the global norm in L2 only).
 * Everything else is swept one cell at a time (gridSweep.ts).
 */
export function denseBatchRefusal(config: ExperimentConfig): string | null {
  if (config.model !== 'dense') return `model=${config.model}: batched sweeps train the dense net only`;
  if (config.optimizer !== 'sgd') return `optimizer=${config.optimizer}: batched sweeps train with SGD only`;
  if (config.loss !== 'corrected') return `loss=${config.loss}: batched sweeps train the corrected MSE loss only`;
  if (config.clip.mode === 'global' && config.clip.normType !== '2')
    return `normType=${config.clip.normType}: batched sweeps clip the global L2 norm only`;
  return sweepRefusal(config);
}

/** How a config's cells train: batched where denseSweep.ts can, else one at a time (with why not batched). */
export function sweepMethod(config: ExperimentConfig): { method: SweepMethod; why: string | null } {
  const why = denseBatchRefusal(config);
  return { method: why === null ? 'batched' : 'one-at-a-time', why };
}
