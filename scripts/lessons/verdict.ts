/**
 * Whether a lesson's claim held often enough. A claim either holds in every seed checked, or the lesson's text
 * states how often ("in 8 of 10 seeds") and the count measured over the ten seeds 0-9 must be within one seed of
 * it. Pure: the check (scripts/lessons.ts) and its unit test share it.
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

/** The seeds the stated rates are measured on. */
export const RATE_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

export interface Verdict {
  ok: boolean;
  /** Whether the count was held to a stated rate (only on the ten seeds 0-9), rather than reported. */
  asserted: boolean;
  /** "held in 8 of 10 seeds (the text says in 8 of 10 seeds)". */
  summary: string;
}

/**
 * `held` of `checked` seeds held. Without a rate: ok only if it held in every seed checked. With one: on the ten
 * seeds 0-9, ok when the count is within one of the stated one; on other seeds it is reported, not asserted.
 */
export function verdict(held: readonly number[], checked: readonly number[], rate?: string): Verdict {
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
  const stated = statedRate(rate);
  if (!stated) throw new Error(`a rate must say "in N of M seeds", got "${rate}"`);
  const tenSeeds = checked.length === RATE_SEEDS.length && RATE_SEEDS.every((s) => checked.includes(s));
  if (!tenSeeds || stated.of !== RATE_SEEDS.length)
    return { ok: true, asserted: false, summary: `${summary} (the text says ${rate}: checked on seeds 0-9 only)` };
  return {
    ok: Math.abs(count - stated.held) <= 1,
    asserted: true,
    summary: `${summary} (the text says ${rate}; within one seed passes)`,
  };
}
