import { describe, expect, it } from 'vitest';
import { toDegrees } from './angle.ts';

describe('the angle of the step', () => {
  it('turns cosines into degrees: 1 -> 0, 0.5 -> 60, 0 -> 90; NaN stays a gap; rounding above 1 is 0', () => {
    const ys = toDegrees([1, 0.5, 0, NaN, 1 + 1e-7].map((y, x) => ({ x, y }))).map((p) => p.y);
    expect(ys[0]).toBe(0);
    expect(ys[1]).toBeCloseTo(60, 10);
    expect(ys[2]).toBeCloseTo(90, 10);
    expect(ys[3]).toBeNaN();
    expect(ys[4]).toBe(0);
  });
});
