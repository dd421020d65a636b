/**
 * Whether a lesson's claim held often enough. A claim either holds in every seed checked, or the lesson's text
 * states how often ("in 8 of 10 seeds", and perhaps "in 61 of 100 seeds" too) and the count measured over seeds
 * 0 to M-1 must be within one seed of the stated N of M (three of a hundred). CI checks seeds 0-9;
 * `npm run lessons -- --seeds 0-99` checks a rate stated over a hundred. Pure: the check (scripts/lessons.ts) and
 * its unit test share it.
 */

/** The rate a phrase states: "in 8 of 10 seeds" is 8 of 10; null when it states none. */
export function statedRate(phrase: string): { held: number; of: number } | null {
  const match = /\bin (\d+) of (\d+) seeds\b/.exec(phrase);
  if (!match) return null;
  const held = Number(match[1]);
  const of = Number(match[2]);
  if (!(held >= 0 && held <= of)) throw new Error(`"${phrase}" states ${held} of ${of}: more than all`);
  return { held, of };
}

/** The seeds CI measures the stated rates on. */
export const RATE_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** How far the count may be from a rate stated over `of` seeds: one seed in ten, three in a hundred. */
export function rateTolerance(of: number): number {
  return Math.max(1, Math.round((3 * of) / 100));
}

export interface Verdict {
  ok: boolean;
  /** Whether the count was held to a stated rate (on seeds 0 to M-1 of a rate over M), rather than reported. */
  asserted: boolean;
  /** "held in 8 of 10 seeds (the text says in 8 of 10 seeds)". */
  summary: string;
}

/**
 * `held` of `checked` seeds held. Without a rate: ok only if it held in every seed checked. With rates (one phrase,
 * or one per count of seeds): where the seeds checked are 0 to M-1 of a rate stated over M, ok when the count is
 * within rateTolerance(M) of it; on other seeds it is reported, not asserted.
 */
export function verdict(
  held: readonly number[],
  checked: readonly number[],
  rate?: string | readonly string[],
): Verdict {
  const count = held.length;
  const summary = `held in ${count} of ${checked.length} seeds`;
  if (rate === undefined) {
    const failed = checked.filter((s) => !held.includes(s));
    return {
      ok: failed.length === 0,
      asserted: true,
      summary:
        failed.length === 0
          ? summary
          : `${summary}; failed in seed${failed.length > 1 ? 's' : ''} ${failed.join(', ')}`,
    };
  }
  const phrases = typeof rate === 'string' ? [rate] : [...rate];
  const stated = phrases.map((phrase) => {
    const parsed = statedRate(phrase);
    if (!parsed) throw new Error(`a rate must say "in N of M seeds", got "${phrase}"`);
    return { phrase, ...parsed };
  });
  const firstSeeds = (of: number) =>
    checked.length === of && Array.from({ length: of }, (_, s) => s).every((s) => checked.includes(s));
  const match = stated.find((r) => firstSeeds(r.of));
  if (!match) {
    const ranges = stated.map((r) => `0-${r.of - 1}`).join(' or ');
    return {
      ok: true,
      asserted: false,
      summary: `${summary} (the text says ${phrases.join(', ')}: checked on seeds ${ranges} only)`,
    };
  }
  const tolerance = rateTolerance(match.of);
  return {
    ok: Math.abs(count - match.held) <= tolerance,
    asserted: true,
    summary: `${summary} (the text says ${match.phrase}; within ${tolerance === 1 ? 'one seed' : `${tolerance} seeds`} passes)`,
  };
}
