import { describe, expect, it } from 'vitest';
import { MAX_REST_MS, MIN_DUTY, restAfter, workerDuty } from './workerShare.ts';

describe("the workers' share of the cores", () => {
  it('leaves the page MAIN_THREAD_RESERVE of a core where the workers outnumber the cores, ONE_PER_CORE_RESERVE where they match', () => {
    // Fewer workers than cores: no rest.
    expect(workerDuty(1, 2)).toBe(1);
    expect(workerDuty(2, 4)).toBe(1);
    // One per core: (2 - 0.25) / 2, a pair on two cores; (4 - 0.25) / 4.
    expect(workerDuty(2, 2)).toBe(0.875);
    expect(workerDuty(4, 4)).toBe(0.9375);
    expect(workerDuty(1, 1)).toBe(0.75);
    // (2 - 0.75) / 4 and / 3: a race of four on two cores, and the three left when one has diverged.
    expect(workerDuty(4, 2)).toBe(0.3125);
    expect(workerDuty(3, 2)).toBeCloseTo(1.25 / 3, 12);
    // (4 - 0.75) / 8.
    expect(workerDuty(8, 4)).toBe(0.40625);
    // However many, each still trains.
    expect(workerDuty(100, 2)).toBe(MIN_DUTY);
    // A browser that says nothing of its cores is taken for two.
    expect(workerDuty(4, NaN)).toBe(0.3125);
    expect(workerDuty(4, 0)).toBe(0.3125);
    expect(workerDuty(0, 2)).toBe(1);
  });

  it('rests so that the worker computes its duty of the time, a rest at most MAX_REST_MS', () => {
    // 30 ms busy at a duty of 0.3125: 30 * 0.6875 / 0.3125 = 66 ms of rest, 30 / 96 = 0.3125 of the time.
    expect(restAfter(30, 0.3125)).toBeCloseTo(66, 10);
    expect(restAfter(30, 0.625)).toBeCloseTo(18, 10);
    expect(restAfter(30, 1)).toBe(0);
    expect(restAfter(0, 0.5)).toBe(0);
    expect(restAfter(1000, 0.1)).toBe(MAX_REST_MS);
    expect(restAfter(30, NaN)).toBe(0);
  });
});
