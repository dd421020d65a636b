/**
 * `gradlab sweep '<link>' --lr A:B:N --clip A:B:N [--steps S] [--out sweep.csv]`: the link's experiment
 * trained for every learning rate x clipping threshold (log-spaced, inclusive), plus an unclipped column,
 * as one batched program (train/sweep/denseSweep.ts). The threshold is c of [-c, c] for value clipping and
 * the max norm for the norm modes, in the link's clipping mode.
 */
import { formatDuration, formatNumber } from '../present/describe.ts';
import type { TrainingData } from '../train/data/trainingData.ts';
import type { ExperimentConfig } from '../experiment/config.ts';
import { DenseSweep, sweepRefusal, type CellOutcome, type SweepCell } from '../train/sweep/denseSweep.ts';
import { pickNodeBackend } from './nodeBackend.ts';

/** The largest grid: 12 x 12 thresholds and learning rates (plus the unclipped column). */
export const MAX_AXIS = 12;

export interface SweepArgs {
  lr: number[];
  clip: number[];
  steps: number | null;
}

/** `A:B:N`: N log-spaced values from A to B inclusive (N = 1: A alone); null with why when refused. */
export function logRange(text: string, name: string): number[] | string {
  const parts = text.split(':');
  const [a, b, n] = parts.map(Number);
  if (parts.length !== 3 || a === undefined || b === undefined || n === undefined) {
    return `--${name} ${text}: write it as A:B:N, e.g. 0.001:0.1:8`;
  }
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    return `--${name} ${text}: A and B must be positive numbers`;
  }
  if (a > b) return `--${name} ${text}: the range is empty (A = ${a} is above B = ${b})`;
  if (!Number.isInteger(n) || n < 1 || n > MAX_AXIS) {
    return `--${name} ${text}: N must be an integer from 1 to ${MAX_AXIS} (a ${MAX_AXIS} x ${MAX_AXIS} grid at most)`;
  }
  if (n > 1 && a === b) return `--${name} ${text}: ${n} values from ${a} to ${b} are all the same; use N = 1`;
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a * (b / a) ** (i / (n - 1))));
}

/** The cells: every learning rate with every threshold, and with no clipping (the unclipped column). */
export function sweepCells(args: SweepArgs): SweepCell[] {
  return args.lr.flatMap((lr) => [...args.clip.map((clip) => ({ lr, clip })), { lr, clip: null }]);
}

export const SWEEP_CSV_HEADER = ['lr', 'clip', 'diverged_at', 'final_loss', 'min_loss'];

export function sweepCsvRow(o: CellOutcome): (number | string)[] {
  const finite = (v: number) => (Number.isFinite(v) ? v : '');
  return [o.lr, o.clip ?? 'none', o.divergedAt ?? '', finite(o.finalLoss), finite(o.minLoss)];
}

/** The map in text: a row per learning rate, a column per threshold; "x5" diverged at step 5. */
function sweepMap(args: SweepArgs, outcomes: CellOutcome[]): string[] {
  const columns = [...args.clip.map((c) => `c=${formatNumber(c, 2)}`), 'none'];
  const width = 10;
  const lines = [`${'lr'.padEnd(9)}${columns.map((c) => c.padStart(width)).join('')}`];
  args.lr.forEach((lr, row) => {
    const cells = outcomes.slice(row * columns.length, (row + 1) * columns.length).map((o) => {
      const text = o.divergedAt !== null ? `x${o.divergedAt}` : formatNumber(o.finalLoss, 3);
      return text.padStart(width);
    });
    lines.push(`${formatNumber(lr, 3).padEnd(9)}${cells.join('')}`);
  });
  return lines;
}

/** Trains the sweep, logging progress and the map; `row` receives each CSV row. Returns the outcomes. */
export async function runSweep(
  config: ExperimentConfig,
  data: TrainingData,
  args: SweepArgs,
  log: (line: string) => void,
  row: ((cells: (number | string)[]) => void) | null,
  signal?: AbortSignal,
): Promise<CellOutcome[]> {
  const refused = sweepRefusal(config);
  if (refused) throw new Error(refused);
  const steps = args.steps ?? config.steps;
  const run = { ...config, steps };
  const { line } = await pickNodeBackend(run, data, null);
  log(line);
  const cells = sweepCells(args);
  log(
    `sweep: ${args.lr.length} learning rates x ${args.clip.length} thresholds (${config.clip.mode}) + no clipping = ` +
      `${cells.length} cells, ${steps} steps each, trained together`,
  );
  const sweep = new DenseSweep(run, data, cells);
  const startedMs = performance.now();
  let lastYieldMs = startedMs;
  try {
    for (let s = 1; s <= steps; s++) {
      if (performance.now() - lastYieldMs > 50) {
        // A turn of the event loop, so Ctrl-C is heard (see gradlab.ts).
        await new Promise((resolve) => setImmediate(resolve));
        lastYieldMs = performance.now();
      }
      if (signal?.aborted) {
        log(`interrupted after step ${s - 1}`);
        break;
      }
      await sweep.trainStep();
      if (s % Math.max(1, Math.round(steps / 10)) === 0 || s === steps) {
        const elapsed = performance.now() - startedMs;
        log(
          `step ${String(s).padStart(6)}/${steps}  elapsed ${formatDuration(elapsed / 1000)}  eta ${formatDuration(((elapsed / s) * (steps - s)) / 1000)}`,
        );
      }
    }
    const seconds = (performance.now() - startedMs) / 1000;
    const outcomes = sweep.outcomes();
    log(`${cells.length} cells x ${sweep.step} steps in ${formatDuration(seconds)}`);
    log('final epoch loss per cell (xN: diverged at step N):');
    for (const l of sweepMap(args, outcomes)) log(l);
    if (row) for (const o of outcomes) row(sweepCsvRow(o));
    return outcomes;
  } finally {
    sweep.dispose();
  }
}
