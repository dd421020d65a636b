/**
 * The tour's claims are checked on ten seeds by `npm run lessons` (scripts/lessons.ts), which CI runs after the
 * tests: training every lesson for ten seeds is too long for the unit suite. Here, cheaply: the rule a claim is
 * judged by (every seed, or the rate its lesson states, within one seed), and that the checks and the lesson
 * texts agree (every lesson that trains has a check; every stated rate is in its lesson's words).
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/experiment/presets.ts';
import { TOUR } from '../../src/experiment/tour.ts';
import { LESSON_CHECKS } from '../../scripts/lessons/claims.ts';
import { RATE_SEEDS, rateTolerance, statedRate, verdict } from '../../scripts/lessons/verdict.ts';
import type { LessonClaim } from '../../scripts/lessons/claims.ts';

const TEN = [...RATE_SEEDS];
const HUNDRED = Array.from({ length: 100 }, (_, s) => s);

/** A claim's rate phrases, none where it must hold in every seed. */
const ratesOf = (claim: LessonClaim): string[] =>
  claim.rate === undefined ? [] : typeof claim.rate === 'string' ? [claim.rate] : [...claim.rate];

describe('a claim is judged on every seed, or on the rate its lesson states', () => {
  it('reads a stated rate', () => {
    expect(statedRate('clipped, it learns in 8 of 10 seeds')).toEqual({ held: 8, of: 10 });
    expect(statedRate('in 10 of 10 seeds')).toEqual({ held: 10, of: 10 });
    expect(statedRate('it learns')).toBeNull();
    expect(() => statedRate('in 11 of 10 seeds')).toThrow(/more than all/);
  });

  it('without a rate: holds only if it held in every seed checked, and names the seeds it failed in', () => {
    expect(verdict(TEN, TEN)).toMatchObject({ ok: true, asserted: true, summary: 'held in 10 of 10 seeds' });
    const missed = verdict([0, 1, 2, 3, 5, 6, 7, 9], TEN);
    expect(missed.ok).toBe(false);
    expect(missed.summary).toBe('held in 8 of 10 seeds; failed in seeds 4, 8');
    expect(verdict([0, 1], [0, 1]).ok).toBe(true);
    expect(verdict([1], [0, 1]).summary).toContain('failed in seed 0');
  });

  it('with a rate, on seeds 0-9: the count may be one seed off the stated one, not two', () => {
    const seeds = (n: number) => TEN.slice(0, n);
    expect(verdict(seeds(8), TEN, 'in 8 of 10 seeds').ok).toBe(true);
    expect(verdict(seeds(7), TEN, 'in 8 of 10 seeds').ok).toBe(true);
    expect(verdict(seeds(9), TEN, 'in 8 of 10 seeds').ok).toBe(true);
    expect(verdict(seeds(6), TEN, 'in 8 of 10 seeds').ok).toBe(false);
    expect(verdict(seeds(10), TEN, 'in 8 of 10 seeds').ok).toBe(false);
    expect(verdict(seeds(6), TEN, 'in 8 of 10 seeds').summary).toBe(
      'held in 6 of 10 seeds (the text says in 8 of 10 seeds; within one seed passes)',
    );
  });

  it('with a rate per count of seeds: seeds 0-9 held to the ten, seeds 0-99 to the hundred within three', () => {
    const rates = ['in 4 of 10 seeds', 'in 61 of 100 seeds'];
    expect(rateTolerance(10)).toBe(1);
    expect(rateTolerance(100)).toBe(3);
    expect(verdict(TEN.slice(0, 5), TEN, rates).ok).toBe(true);
    expect(verdict(TEN.slice(0, 6), TEN, rates).ok).toBe(false);
    expect(verdict(HUNDRED.slice(0, 58), HUNDRED, rates)).toMatchObject({ ok: true, asserted: true });
    expect(verdict(HUNDRED.slice(0, 64), HUNDRED, rates).ok).toBe(true);
    expect(verdict(HUNDRED.slice(0, 57), HUNDRED, rates).ok).toBe(false);
    expect(verdict(HUNDRED.slice(0, 65), HUNDRED, rates).summary).toBe(
      'held in 65 of 100 seeds (the text says in 61 of 100 seeds; within 3 seeds passes)',
    );
    const other = verdict([10], HUNDRED.slice(10, 40), rates);
    expect(other).toMatchObject({ ok: true, asserted: false });
    expect(other.summary).toContain('checked on seeds 0-9 or 0-99 only');
  });

  it('with a rate, on other seeds: reported, never asserted', () => {
    const some = verdict([0], [0, 1, 2], 'in 8 of 10 seeds');
    expect(some).toMatchObject({ ok: true, asserted: false });
    expect(some.summary).toContain('checked on seeds 0-9 only');
    expect(() => verdict([0], [0], 'often')).toThrow(/in N of M seeds/);
  });
});

describe('the checks and the lessons agree', () => {
  it('every lesson that trains runs has a check (the cliff, lesson 6, is the cliff page and has its own tests)', () => {
    const trains = TOUR.filter((l) => !l.query.includes('page=cliff')).map((l) => l.n);
    expect(LESSON_CHECKS.map((c) => c.lesson).sort((a, b) => a - b)).toEqual(trains);
  });

  it('a stated rate is in its lesson’s own words, and a lesson states no rate the check does not measure', () => {
    for (const check of LESSON_CHECKS) {
      const lesson = TOUR.find((l) => l.n === check.lesson);
      const words = `${lesson?.text ?? ''} ${lesson?.lookFor ?? ''}`;
      const rates = check.claims.flatMap(ratesOf);
      for (const rate of rates) expect(words, `lesson ${check.lesson}`).toContain(rate);
      for (const [phrase] of words.matchAll(/\bin \d+ of \d+ seeds\b/g))
        expect(rates, `lesson ${check.lesson} says "${phrase}"`).toContain(phrase);
    }
  });

  it('a rate a preset states is the rate a lesson on that preset states and the check measures', () => {
    for (const preset of Object.values(PRESETS)) {
      const rates = LESSON_CHECKS.filter((c) =>
        TOUR.find((l) => l.n === c.lesson)?.query.startsWith(`preset=${preset.id}&`),
      ).flatMap((c) => c.claims.flatMap(ratesOf));
      for (const [phrase] of preset.summary.matchAll(/\bin \d+ of \d+ seeds\b/g))
        expect(rates, `preset ${preset.id} says "${phrase}"`).toContain(phrase);
    }
  });

  it("every lesson's experiments parse for any seed, and carry that seed", () => {
    for (const check of LESSON_CHECKS) {
      for (const { config } of Object.values(check.experiments(7))) expect(config.seed).toBe(7);
    }
  });
});
