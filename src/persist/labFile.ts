/**
 * Every JSON file the lab writes, told apart by its `format`: the history's export and a run card's Download JSON
 * (`gradient-lab-runs`, runHistory.ts; a run card's file from before that format has none, but a link, steps and a
 * layout) and a sweep's Download JSON (`gradient-lab-sweep`, sweepExport.ts). One Import takes any of them, so a
 * user need not know which kind of file they hold; anything else is refused with one sentence.
 *
 * JSON has no NaN or Infinity: both formats write a non-finite number as {"nonFinite": "NaN" | "Infinity" |
 * "-Infinity"} and read it back here.
 */
export const RUNS_FORMAT = 'gradient-lab-runs';
export const SWEEP_FORMAT = 'gradient-lab-sweep';

export type LabFileKind = 'runs' | 'sweep';

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** JSON.stringify's replacer: a non-finite number as its marker. */
export function nonFiniteReplacer(_: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v;
}

/** JSON.parse's reviver: a marker (an object with that one key and a known value) back to its number. */
export function reviveNonFinite(_: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const marker = (v as { nonFinite?: unknown }).nonFinite;
    if (keys.length === 1 && typeof marker === 'string' && Object.hasOwn(NON_FINITE, marker)) return NON_FINITE[marker];
  }
  return v;
}

/** Parses a file's text, its non-finite markers revived; throws one plain sentence when it is not JSON. */
export function readLabJson(text: string): unknown {
  try {
    return JSON.parse(text, reviveNonFinite);
  } catch {
    throw new Error(
      text.trim() === ''
        ? 'the file is empty'
        : 'the file is not JSON, or not all of it (a file cut short, or not one the lab wrote)',
    );
  }
}

/** Which kind of lab file a parsed file is; throws one plain sentence when it is none. */
export function labFileKind(raw: unknown): LabFileKind {
  const what = 'Gradient Lab writes run exports, run cards’ JSON and sweeps’ JSON';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`the file holds ${Array.isArray(raw) ? 'a list' : 'a single value'}, not a lab file (${what})`);
  const file = raw as Record<string, unknown>;
  const format = file['format'];
  if (format === RUNS_FORMAT) return 'runs';
  if (format === SWEEP_FORMAT) return 'sweep';
  if (typeof format === 'string')
    throw new Error(`its format is "${format.slice(0, 40)}", which is not one of the lab's (${what})`);
  // A run card's Download JSON from before the archive format: no format, but these.
  if (format === undefined && typeof file['link'] === 'string' && Array.isArray(file['steps']) && 'layout' in file)
    return 'runs';
  throw new Error(`the file names no format the lab writes (${what})`);
}
