/**
 * A sweep as CSV, one row per cell, the same from the page's "Download CSV" and `gradlab sweep --out`:
 *
 * - lr: the cell's learning rate;
 * - clip: its threshold in the experiment's clipping mode (c of [-c, c] for value clipping, the max norm
 *   otherwise), `none` for the unclipped column;
 * - diverged_at: the first step whose loss or gradient was not finite, empty if it never diverged;
 * - final_loss, min_loss: see cellOutcome.ts (the regression: the last and lowest complete-epoch loss over every
 *   row; the sequence tasks: the mean training loss of the last 50 steps, and the lowest such mean); empty when
 *   there is none;
 * - test_accuracy: classifiers, after the last step; empty for a regression or a diverged cell;
 * - steps: steps trained (to the divergence, for a diverged cell);
 * - over several seeds only, seeds and seeds_diverged: how many seeds each cell trained and how many diverged (the
 *   figures above are then merged over them: cellOutcome.ts mergeSeedOutcomes).
 */
import type { CellOutcome } from './cellOutcome.ts';

export const SWEEP_CSV_HEADER = ['lr', 'clip', 'diverged_at', 'final_loss', 'min_loss', 'test_accuracy', 'steps'];
const SEED_COLUMNS = ['seeds', 'seeds_diverged'];

/** The header, with the seed columns for a sweep over several seeds. */
export function sweepCsvHeader(seeds: number): string[] {
  return seeds > 1 ? [...SWEEP_CSV_HEADER, ...SEED_COLUMNS] : SWEEP_CSV_HEADER;
}

export function sweepCsvRow(o: CellOutcome): (number | string)[] {
  const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : '');
  return [
    o.lr,
    o.clip ?? 'none',
    o.divergedAt ?? '',
    finite(o.finalLoss),
    finite(o.minLoss),
    finite(o.testAccuracy),
    o.steps,
    ...(o.seeds !== undefined ? [o.seeds, o.seedsDiverged ?? 0] : []),
  ];
}

/** The whole file, header first, cells in the order given (finished ones only). */
export function sweepCsv(outcomes: readonly (CellOutcome | null)[]): string {
  const finished = outcomes.filter((o): o is CellOutcome => o !== null);
  const rows = finished.map((o) => sweepCsvRow(o).join(','));
  const header = sweepCsvHeader(finished[0]?.seeds ?? 1);
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
