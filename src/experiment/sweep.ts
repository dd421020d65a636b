/**
 * A sweep's settings as data: which learning rates and clipping thresholds to train (each a log-spaced range,
 * `A:B:N`), and for how many steps. The clipping mode is the experiment's own (`clip=`); every cell is a run of
 * the link's experiment with that learning rate and threshold, plus an unclipped column. The link carries them
 * as `sweepLr`, `sweepClip` and `sweepSteps`; the CLI takes the same `A:B:N` as `--lr` and `--clip`.
 */
import type { ClipConfig, ExperimentConfig } from './config.ts';
import { NO_CLIP } from './config.ts';
import { isDecimal } from './schema.ts';

/** The largest grid: 12 learning rates x 12 thresholds (plus the unclipped column). */
export const MAX_AXIS = 12;
/** The most steps a cell may train. */
export const MAX_SWEEP_STEPS = 100_000;

/** `count` values from `from` to `to` inclusive, evenly spaced on a log scale. */
export interface LogRange {
  from: number;
  to: number;
  count: number;
}

export interface SweepSettings {
  lr: LogRange;
  clip: LogRange;
  /** Steps per cell; null: the experiment's own `steps`. */
  steps: number | null;
}

/** Around the tutorial's lr 0.07 and clip 1: the unclipped column explodes from about 0.02 up. */
export const DEFAULT_SWEEP: SweepSettings = {
  lr: { from: 0.001, to: 0.3, count: 6 },
  clip: { from: 0.1, to: 10, count: 5 },
  steps: null,
};

/** The link's keys. */
export const SWEEP_KEYS = { lr: 'sweepLr', clip: 'sweepClip', steps: 'sweepSteps' } as const;

/** `A:B:N` into a range, or why not (without the parameter's name: the caller names it). */
export function parseLogRange(text: string): { ok: true; range: LogRange } | { ok: false; why: string } {
  const parts = text.split(':');
  if (parts.length !== 3 || !parts.every((p) => isDecimal(p.trim())))
    return { ok: false, why: 'write it as A:B:N (from A to B, N values), e.g. 0.001:0.1:8' };
  const [from = NaN, to = NaN, count = NaN] = parts.map((p) => Number(p.trim()));
  if (!(from > 0 && to > 0 && Number.isFinite(from) && Number.isFinite(to)))
    return { ok: false, why: 'A and B must be positive numbers (the values are spaced on a log scale)' };
  if (from > to) return { ok: false, why: `the range is empty (A = ${from} is above B = ${to})` };
  if (!Number.isInteger(count) || count < 1 || count > MAX_AXIS)
    return { ok: false, why: `N must be an integer from 1 to ${MAX_AXIS} (a ${MAX_AXIS} x ${MAX_AXIS} grid at most)` };
  if (count > 1 && from === to)
    return { ok: false, why: `${count} values from ${from} to ${to} are all the same; use N = 1` };
  return { ok: true, range: { from, to, count } };
}

export function formatLogRange(r: LogRange): string {
  return `${r.from}:${r.to}:${r.count}`;
}

/** The range's values, inclusive; N = 1 is A alone. */
export function rangeValues(r: LogRange): number[] {
  const { from, to, count } = r;
  return Array.from({ length: count }, (_, i) => (count === 1 ? from : from * (to / from) ** (i / (count - 1))));
}

/** `sweepSteps`: an integer from 1 to MAX_SWEEP_STEPS, or why not. */
export function parseSweepSteps(text: string): { ok: true; steps: number } | { ok: false; why: string } {
  const steps = /^\d{1,7}$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_SWEEP_STEPS)
    return { ok: false, why: `allowed: an integer from 1 to ${MAX_SWEEP_STEPS}` };
  return { ok: true, steps };
}

export interface SweepCell {
  lr: number;
  /** The clipping threshold (c of [-c, c] for value clipping, the max norm otherwise); null: no clipping. */
  clip: number | null;
}

/** Every learning rate with every threshold and then with no clipping: row-major, a row per learning rate. */
export function sweepCells(lr: readonly number[], clip: readonly number[]): SweepCell[] {
  return lr.flatMap((l) => [...clip.map((c) => ({ lr: l, clip: c })), { lr: l, clip: null }]);
}

export function sweepGrid(s: SweepSettings): { lr: number[]; clip: number[]; cells: SweepCell[] } {
  const lr = rangeValues(s.lr);
  const clip = rangeValues(s.clip);
  return { lr, clip, cells: sweepCells(lr, clip) };
}

/** The experiment's clipping mode with threshold c: [-c, c] for value clipping, the max norm for the others. */
export function clipWithThreshold(clip: ClipConfig, threshold: number | null): ClipConfig {
  if (threshold === null) return NO_CLIP;
  if (clip.mode === 'value') return { ...clip, min: -threshold, max: threshold };
  return { ...clip, threshold };
}

/** Why the experiment cannot be swept, or null: the sweep varies the threshold of the link's clipping mode. */
export function sweepRefusal(config: ExperimentConfig): string | null {
  if (config.clip.mode === 'none')
    return "clip=none: the sweep varies the threshold of the link's clipping mode; set clip=value, norm, global or global-tf";
  return null;
}

/**
 * A cell as the experiment to open on the training page: the pair (or race) at that learning rate and threshold,
 * for the sweep's steps (a cell of the unclipped column opens the pair at the link's threshold, beside its baseline).
 */
export function cellExperiment(config: ExperimentConfig, cell: SweepCell, steps: number): ExperimentConfig {
  return {
    ...config,
    lr: cell.lr,
    steps,
    pair: true,
    clip: cell.clip === null ? config.clip : clipWithThreshold(config.clip, cell.clip),
  };
}
