/**
 * `gradlab sweep '<link>' --lr A:B:N --clip A:B:N [--steps S] [--out sweep.csv]`: the link's experiment
 * trained for every learning rate x clipping threshold (log-spaced, inclusive), plus an unclipped column
 * (train/sweep/gridSweep.ts: the dense net with SGD as one batched program, anything else one cell at a time).
 * The threshold is c of [-c, c] for value clipping and the max norm for the norm modes, in the link's mode.
 */
import { formatDuration, formatNumber } from '../present/describe.ts';
import type { TrainingData } from '../train/data/trainingData.ts';
import type { ExperimentConfig } from '../experiment/config.ts';
import { MAX_AXIS, parseLogRange, rangeValues, sweepCells } from '../experiment/sweep.ts';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import { runGridSweep } from '../train/sweep/gridSweep.ts';
import { sweepMethod } from '../train/sweep/sweepMethod.ts';
import { sweepCsvRow } from '../train/sweep/sweepCsv.ts';
import { pickNodeBackend } from './nodeBackend.ts';

export { MAX_AXIS, sweepCells };
export { SWEEP_CSV_HEADER, sweepCsvHeader, sweepCsvRow } from '../train/sweep/sweepCsv.ts';

export interface SweepArgs {
  lr: number[];
  clip: number[];
  steps: number | null;
}

/** `A:B:N`: N log-spaced values from A to B inclusive (N = 1: A alone); the refusal names --name and the limit. */
export function logRange(text: string, name: string): number[] | string {
  const parsed = parseLogRange(text);
  return parsed.ok ? rangeValues(parsed.range) : `--${name} ${text}: ${parsed.why}`;
}

/** The map in text: a row per learning rate, a column per threshold; "x5" diverged at step 5. */
function sweepMap(
  args: SweepArgs,
  outcomes: (CellOutcome | null)[],
  figure: (o: CellOutcome) => string,
  /** The figure for diverged cells too (the seeds' count), not "xN". */
  always = false,
): string[] {
  const columns = [...args.clip.map((c) => `c=${formatNumber(c, 2)}`), 'none'];
  const width = 10;
  const lines = [`${'lr'.padEnd(9)}${columns.map((c) => c.padStart(width)).join('')}`];
  args.lr.forEach((lr, row) => {
    const cells = outcomes.slice(row * columns.length, (row + 1) * columns.length).map((o) => {
      const text = o === null ? '-' : o.divergedAt !== null && !always ? `x${o.divergedAt}` : figure(o);
      return text.padStart(width);
    });
    lines.push(`${formatNumber(lr, 3).padEnd(9)}${cells.join('')}`);
  });
  return lines;
}

/** Trains the sweep, logging progress and the map; `row` receives each finished cell's CSV row. */
export async function runSweep(
  config: ExperimentConfig,
  data: TrainingData,
  args: SweepArgs,
  log: (line: string) => void,
  row: ((cells: (number | string)[]) => void) | null,
  signal?: AbortSignal,
  /** Over several seeds (the link's seeds=): each seed's data; every cell trains them all. */
  seedData: readonly TrainingData[] = [data],
): Promise<(CellOutcome | null)[]> {
  const steps = args.steps ?? config.steps;
  const { line } = await pickNodeBackend({ ...config, steps }, data, null);
  log(line);
  const cells = sweepCells(args.lr, args.clip);
  const { method, why } = sweepMethod(config);
  log(
    `sweep: ${args.lr.length} learning rates x ${args.clip.length} thresholds (${config.clip.mode}) + no clipping = ` +
      `${cells.length} cells, ${steps} steps each${seedData.length > 1 ? `, ${seedData.length} seeds per cell` : ''}, ` +
      (method === 'batched' ? 'trained together' : `one at a time (${why})`),
  );
  const startedMs = performance.now();
  let nextReport = 0.1;
  let classifier = false;
  const outcomes = await runGridSweep(
    config,
    data,
    cells,
    steps,
    {
      onStart: (info) => (classifier = info.classifier),
      onProgress: (done, total) => {
        if (done / total < nextReport && done < total) return;
        nextReport = Math.floor((done / total) * 10 + 1) / 10;
        const elapsed = performance.now() - startedMs;
        const eta = (elapsed / done) * (total - done);
        log(
          `${String(Math.round((100 * done) / total)).padStart(3)}%  elapsed ${formatDuration(elapsed / 1000)}  eta ${formatDuration(eta / 1000)}`,
        );
      },
      // A turn of the event loop, so Ctrl-C is heard (see gradlab.ts).
      pause: () => new Promise((resolve) => setImmediate(resolve)),
      cancelled: () => signal?.aborted ?? false,
    },
    seedData,
  );
  const finished = outcomes.filter((o) => o !== null).length;
  if (signal?.aborted) log(`interrupted: ${finished} of ${cells.length} cells finished`);
  const seconds = (performance.now() - startedMs) / 1000;
  log(`${finished} cells x ${steps} steps in ${formatDuration(seconds)}`);
  const lossWords = data.kind === 'regression' ? 'final epoch loss' : 'mean loss of the last 50 steps (all, if fewer)';
  log(`${lossWords} per cell (xN: diverged at step N):`);
  for (const l of sweepMap(args, outcomes, (o) => formatNumber(o.finalLoss, 3))) log(l);
  if (seedData.length > 1) {
    log(`seeds diverged per cell, of ${seedData.length}:`);
    for (const l of sweepMap(args, outcomes, (o) => String(o.seedsDiverged ?? 0), true)) log(l);
  }
  if (classifier) {
    log('test accuracy per cell:');
    for (const l of sweepMap(args, outcomes, (o) => `${formatNumber(100 * (o.testAccuracy ?? NaN), 3)}%`)) log(l);
  }
  if (row) for (const o of outcomes) if (o) row(sweepCsvRow(o));
  return outcomes;
}
