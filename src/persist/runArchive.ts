/**
 * The file every run export is: the history's Export, a run card's Download JSON, and what Import reads back
 * (validated with zod, its messages in English). Apart from runHistory.ts so that the page's first JavaScript does
 * not carry the schema and zod's English messages: it is loaded when a file is written or read.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { nonFiniteReplacer, reviveNonFinite } from './labFile.ts';
import { EXPORT_FORMAT, type StoredRun } from './runHistory.ts';
import { RUN_SIDES, clipOf } from '../experiment/config.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import { recordSchemas } from '../train/metricSchema.ts';
import type { EvalMetrics, StepMetrics } from '../train/metrics.ts';
import { RUN_PHASES } from '../train/runPhase.ts';

const EXPORT_VERSION = 1;

/** One run with everything it measured, as exported and imported. */
export interface RunArchive {
  run: StoredRun;
  steps: StepMetrics[];
  evals: EvalMetrics[];
}

const divergenceSchema = z.object({
  step: z.int().check(z.gte(1)),
  what: z.enum(['loss', 'gradient']),
  value: z.enum(['NaN', 'Infinity', '-Infinity']),
});
/** A string of at most `max` characters. */
const text = (max: number) => z.string().check(z.maxLength(max));

/**
 * The file's schema, made when a file is read rather than when this module loads: the history panel loads it with
 * the page, and the step, evaluation and layout schemas (from the metric registry, as the records themselves are)
 * are most of the cost of building it (docs/PERFORMANCE.md).
 */
function archiveSchema() {
  const { step: stepSchema, evaluation: evalSchema, layout: layoutSchema } = recordSchemas();
  return z.object({
    format: z.literal(EXPORT_FORMAT),
    version: z.literal(EXPORT_VERSION),
    runs: z
      .array(
        z.object({
          run: z.object({
            id: text(200),
            session: text(200),
            createdAt: z.number(),
            side: z.enum(RUN_SIDES),
            link: text(4096),
            phase: z.enum(RUN_PHASES),
            backend: z.union([text(20), z.null()]),
            layout: z.union([layoutSchema, z.null()]),
            divergence: z.union([divergenceSchema, z.null()]),
            error: z.union([text(2000), z.null()]),
          }),
          steps: z.array(stepSchema).check(z.maxLength(200_000)),
          evals: z.array(evalSchema).check(z.maxLength(200_000)),
        }),
      )
      .check(z.maxLength(1000)),
  });
}
/** zod's messages in English, for the one place a person reads them: a refused file. */
const ENGLISH = en().localeError;

/**
 * The one format every JSON file the lab writes has (the history's export and a run card's Download JSON), so each
 * imports back. JSON has no NaN or Infinity: a diverged step's loss is written as {"nonFinite": "Infinity"} and read
 * back by parseArchive.
 */
export function archiveJson(runs: readonly RunArchive[]): string {
  return JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, runs }, nonFiniteReplacer);
}

/**
 * A run card's Download JSON before it wrote the archive format: {link, side, clip, config, layout, steps,
 * evaluations}, its non-finite numbers as the strings "NaN", "Infinity" and "-Infinity". Read as a one-run archive
 * so the files already downloaded import too; null when the file is not one.
 */
function fromRunCardFile(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'format' in raw) return null;
  const file = raw as Record<string, unknown>;
  if (typeof file['link'] !== 'string' || !Array.isArray(file['steps']) || !('layout' in file)) return null;
  const numbers = (row: unknown): unknown =>
    typeof row === 'object' && row !== null && !Array.isArray(row)
      ? Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.isArray(v) ? v.map(unString) : unString(v)]))
      : row;
  const steps = (file['steps'] as unknown[]).map(numbers);
  const evals = Array.isArray(file['evaluations']) ? file['evaluations'].map(numbers) : [];
  // The old file did not say how the run ended: a last step with a non-finite loss or gradient is a divergence.
  const last = steps.at(-1) as Partial<Record<'step' | 'loss' | 'globalNormPre', unknown>> | undefined;
  const bad = (['loss', 'globalNormPre'] as const).find(
    (k) => typeof last?.[k] === 'number' && !Number.isFinite(last[k]),
  );
  const divergence =
    bad && last && typeof last.step === 'number'
      ? { step: last.step, what: bad === 'loss' ? 'loss' : 'gradient', value: String(last[bad]) }
      : null;
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    runs: [
      {
        run: {
          id: `run-card:${typeof file['side'] === 'string' ? file['side'] : 'run'}`,
          session: 'run-card',
          createdAt: Date.now(),
          side: file['side'],
          link: file['link'],
          phase: divergence ? 'diverged' : 'finished',
          backend: null,
          layout: file['layout'],
          divergence,
          error: null,
        },
        steps,
        evals,
      },
    ],
  };
}

function unString(v: unknown): unknown {
  return v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v;
}

/** Validates an exported file; throws an Error whose message says, in plain words, what is wrong. */
export function parseArchive(text: string): RunArchive[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text, reviveNonFinite);
  } catch {
    throw new Error('the file is not JSON');
  }
  const parsed = archiveSchema().safeParse(fromRunCardFile(raw) ?? raw, { error: ENGLISH });
  if (!parsed.success) {
    // zod reports at least one issue when it fails; say so plainly should it ever report none.
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'it does not match the format';
    throw new Error(`the file is not a Gradient Lab run export (${where})`);
  }
  return parsed.data.runs.map(({ run, steps, evals }) => {
    const decoded = decodeExperiment(run.link);
    const [linkIssue] = decoded.issues;
    if (linkIssue) {
      throw new Error(`run ${run.id}: its experiment link is not valid (${linkIssue.param}: ${linkIssue.message})`);
    }
    const config = decoded.config;
    const clip = clipOf(config, run.side);
    const stored: StoredRun = {
      id: run.id,
      session: run.session,
      createdAt: run.createdAt,
      updatedAt: run.createdAt,
      side: run.side,
      preset: decoded.preset,
      link: run.link,
      config,
      clip,
      phase: run.phase,
      step: steps.at(-1)?.step ?? 0,
      backend: run.backend,
      layout: run.layout,
      divergence: run.divergence,
      error: run.error,
    };
    return { run: stored, steps: steps as StepMetrics[], evals };
  });
}
