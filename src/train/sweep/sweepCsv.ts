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
 * - steps: steps trained (to the divergence, for a diverged cell).
 */
import type { CellOutcome } from './cellOutcome.ts';

export const SWEEP_CSV_HEADER = ['lr', 'clip', 'diverged_at', 'final_loss', 'min_loss', 'test_accuracy', 'steps'];

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
  ];
}

/** The whole file, header first, cells in the order given (finished ones only). */
export function sweepCsv(outcomes: readonly (CellOutcome | null)[]): string {
  const rows = outcomes.filter((o): o is CellOutcome => o !== null).map((o) => sweepCsvRow(o).join(','));
  return `${[SWEEP_CSV_HEADER.join(','), ...rows].join('\n')}\n`;
}
