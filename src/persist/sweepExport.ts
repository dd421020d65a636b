/**
 * A sweep as the JSON file the sweep page's Download JSON writes, and back: everything needed to show it again with
 * the same numbers.
 *
 *     {"format": "gradient-lab-sweep", "version": 1, "sweep": {id, createdAt, link, lr, clip, steps, method,
 *      classifier, phase, elapsedMs, error, outcomes}}
 *
 * `link` is the sweep page's link (experiment, grid and steps); on import the experiment, preset and grid settings
 * are decoded from it through the link codec, never taken from the file as they are. `lr` and `clip` are the axes'
 * values, `outcomes` the cells row-major (a row per learning rate, the unclipped column last; null: not finished),
 * each as cellOutcome.ts describes it. A cell with no final loss has NaN there: written as {"nonFinite": "NaN"}
 * (labFile.ts). The file is checked against the link: the axes are the link's ranges, every cell is at its row's
 * learning rate and its column's threshold, no cell trained more steps than the sweep. A refused file is one
 * sentence naming the field and what is wrong.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { rangeValues, sweepRefusal, MAX_AXIS, MAX_SWEEP_STEPS } from '../experiment/sweep.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import { SWEEP_FORMAT, nonFiniteReplacer, readLabJson } from './labFile.ts';
import { SWEEP_PHASES, type StoredSweep } from './sweepHistory.ts';

export const SWEEP_VERSION = 1;

/** The fields of a stored sweep the file carries; config, preset and settings come from the link. */
type SweepFileBody = Pick<
  StoredSweep,
  | 'id'
  | 'createdAt'
  | 'link'
  | 'lr'
  | 'clip'
  | 'steps'
  | 'method'
  | 'classifier'
  | 'phase'
  | 'elapsedMs'
  | 'error'
  | 'outcomes'
>;

/** The sweep (a stored one, or the page's, which has more fields) as the file's text. */
export function sweepJson(sweep: StoredSweep): string {
  const body: SweepFileBody = {
    id: sweep.id,
    createdAt: sweep.createdAt,
    link: sweep.link,
    lr: sweep.lr,
    clip: sweep.clip,
    steps: sweep.steps,
    method: sweep.method,
    classifier: sweep.classifier,
    // A sweep still training when it is downloaded: what the file holds is all there will be of it.
    phase: sweep.phase === 'running' ? 'interrupted' : sweep.phase,
    elapsedMs: sweep.elapsedMs,
    error: sweep.error,
    outcomes: sweep.outcomes,
  };
  return JSON.stringify({ format: SWEEP_FORMAT, version: SWEEP_VERSION, sweep: body }, nonFiniteReplacer);
}

/** A file name for it: the sweep's id, with anything a file system may refuse replaced. */
export function sweepFileName(sweep: Pick<StoredSweep, 'id'>): string {
  return `${sweep.id.replace(/[^\w.-]+/g, '-')}.json`;
}

const anyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');
const positive = z.number().check(z.positive());
/** A whole number from `min` (to `max`). */
const intFrom = (min: number, max?: number) => z.int().check(z.gte(min), ...(max === undefined ? [] : [z.lte(max)]));
/** A string of `min` to `max` characters. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const cellSchema = z.object({
  lr: positive,
  clip: z.nullable(positive),
  divergedAt: z.nullable(intFrom(1)),
  finalLoss: anyNumber,
  minLoss: anyNumber,
  testAccuracy: z.nullable(z.number().check(z.gte(0), z.lte(1))),
  steps: intFrom(0),
  // A sweep over several seeds: how many seeds each cell trained and how many diverged (absent for one seed).
  seeds: z.optional(intFrom(1, 10)),
  seedsDiverged: z.optional(intFrom(0, 10)),
});
const cellsMax = MAX_AXIS * (MAX_AXIS + 1);
const fileSchema = z.object({
  format: z.literal(SWEEP_FORMAT),
  version: z.literal(SWEEP_VERSION),
  sweep: z.object({
    id: text(1, 200),
    createdAt: intFrom(0),
    link: text(0, 4096),
    lr: z.array(positive).check(z.minLength(1), z.maxLength(MAX_AXIS)),
    clip: z.array(positive).check(z.minLength(1), z.maxLength(MAX_AXIS)),
    steps: intFrom(1, MAX_SWEEP_STEPS),
    method: z.nullable(z.enum(['batched', 'one-at-a-time'])),
    classifier: z.nullable(z.boolean()),
    phase: z.enum([...SWEEP_PHASES, 'interrupted']),
    elapsedMs: z.number().check(z.gte(0)),
    error: z.nullable(text(0, 2000)),
    outcomes: z.array(z.nullable(cellSchema)).check(z.maxLength(cellsMax)),
  }),
});

/** zod's messages in English, for the one place a person reads them: a refused file. */
const ENGLISH = en().localeError;

function refused(where: string, what: string): Error {
  return new Error(`the sweep file is not valid (${where}: ${what})`);
}

/** Two axis values written by the same code: equal but for the last bits of a float's rounding. */
function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/** A parsed file (its non-finite markers revived) as the sweep to store and show; throws one plain sentence. */
export function decodeSweepFile(raw: unknown, nowMs = Date.now()): StoredSweep {
  const file = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (file['format'] === SWEEP_FORMAT && file['version'] !== SWEEP_VERSION) {
    const version = file['version'];
    throw new Error(
      typeof version === 'number' && version > SWEEP_VERSION
        ? `the file is version ${version} of the sweep format, newer than this page reads (version ${SWEEP_VERSION})`
        : `the file's version (${JSON.stringify(version)?.slice(0, 40) ?? 'none'}) is not one of the sweep format's (${SWEEP_VERSION})`,
    );
  }
  const parsed = fileSchema.safeParse(raw, { error: ENGLISH });
  if (!parsed.success) {
    // zod reports at least one issue when it fails; say so plainly should it ever report none.
    const issue = parsed.error.issues[0];
    if (!issue) throw refused('file', 'it does not match the format');
    const message = issue.message.replace(/^Invalid input: expected (.+), received undefined$/, 'missing, expected $1');
    throw refused(issue.path.join('.') || 'file', message);
  }
  const s = parsed.data.sweep;

  const decoded = decodeExperiment(s.link);
  const [linkIssue] = decoded.issues;
  if (linkIssue) throw refused('sweep.link', `${linkIssue.param}: ${linkIssue.message}`);
  const { config, preset } = decoded;
  const settings = decoded.view.sweep;
  const why = sweepRefusal(config);
  if (why) throw refused('sweep.link', why);

  // The axes are the link's ranges, and the sweep's steps its own.
  for (const axis of ['lr', 'clip'] as const) {
    const expected = rangeValues(settings[axis]);
    const values = s[axis];
    if (values.length !== expected.length || !values.every((v, i) => same(v, expected[i] ?? NaN)))
      throw refused(`sweep.${axis}`, `[${values.join(', ')}] are not the values of the link's range`);
  }
  const steps = settings.steps ?? config.steps;
  if (s.steps !== steps) throw refused('sweep.steps', `${s.steps}, where the link trains ${steps} steps per cell`);

  // Every cell in its place: row-major, a row per learning rate, the unclipped column last.
  const columns = s.clip.length + 1;
  if (s.outcomes.length !== s.lr.length * columns)
    throw refused(
      'sweep.outcomes',
      `${s.outcomes.length} cells, where ${s.lr.length} learning rates x ${columns} columns make ${s.lr.length * columns}`,
    );
  const outcomes = s.outcomes.map((o, k): CellOutcome | null => {
    if (o === null) return null;
    const lr = s.lr[Math.floor(k / columns)];
    const clip = s.clip[k % columns] ?? null;
    const where = `sweep.outcomes.${k}`;
    if (o.lr !== lr) throw refused(`${where}.lr`, `${o.lr}, where its row's learning rate is ${lr}`);
    if (o.clip !== clip) throw refused(`${where}.clip`, `${o.clip}, where its column's threshold is ${clip}`);
    if (o.steps > steps) throw refused(`${where}.steps`, `${o.steps}, more than the sweep's ${steps}`);
    if (o.divergedAt !== null && o.divergedAt > o.steps)
      throw refused(`${where}.divergedAt`, `step ${o.divergedAt}, after the cell's last step (${o.steps})`);
    const { seeds, seedsDiverged, ...one } = o;
    if ((seeds === undefined) !== (seedsDiverged === undefined) || (seedsDiverged ?? 0) > (seeds ?? 0))
      throw refused(`${where}.seedsDiverged`, `${seedsDiverged} diverged of ${seeds} seeds`);
    return seeds === undefined || seedsDiverged === undefined ? one : { ...one, seeds, seedsDiverged };
  });

  return {
    id: s.id,
    createdAt: s.createdAt,
    updatedAt: nowMs,
    preset,
    link: s.link,
    config,
    settings,
    lr: s.lr,
    clip: s.clip,
    steps,
    method: s.method,
    classifier: s.classifier,
    outcomes,
    // A file written while the sweep trained: nothing more will come of it here.
    phase: s.phase === 'running' ? 'interrupted' : s.phase,
    elapsedMs: s.elapsedMs,
    error: s.error,
  };
}

/** The file's text as the sweep to store and show; throws one plain sentence when it is not a valid sweep file. */
export function parseSweepFile(text: string, nowMs = Date.now()): StoredSweep {
  return decodeSweepFile(readLabJson(text), nowMs);
}
