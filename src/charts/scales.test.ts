import { describe, expect, it } from 'vitest';
import { BREAK_UNIT, decadeTicks, labelStride, logAxis, logDomain, niceTicks } from './scales.ts';

describe('log axes', () => {
  it('the domain is whole decades around every finite positive value', () => {
    expect(logDomain([0.05, 3, Infinity, NaN, -1, 0])).toEqual([0.01, 10]);
    expect(logDomain([5])).toEqual([1, 10]);
    expect(logDomain([10])).toEqual([1, 100]);
  });

  it('ticks every decade the domain spans, however many', () => {
    expect(decadeTicks([1e-2, 1e20])).toHaveLength(23);
    expect(decadeTicks([1e-2, 1e20])[3]).toBeCloseTo(10);
  });

  it('labels every decade when they fit and thins them, from the bottom, when they would collide', () => {
    const few = logAxis([1e-3, 1e3], 180);
    expect(few.ticks.map((t) => t.label)).toEqual(['0.001', '0.01', '0.1', '1', '10', '100', '1000']);
    const many = logAxis([1e-2, 3e19], 180);
    expect(many.ticks).toHaveLength(23);
    const labelled = many.ticks.filter((t) => t.label !== '');
    expect(labelled.length).toBeGreaterThanOrEqual(6);
    expect(labelled[0]?.label).toBe('0.01');
    // No two labels closer than the minimum spacing.
    const units = labelled.map((t) => t.unit);
    for (let i = 1; i < units.length; i++)
      expect(((units[i] ?? 0) - (units[i - 1] ?? 0)) * 180).toBeGreaterThanOrEqual(15.9);
    expect(labelStride(23, 180)).toBe(2);
    // A single decade gets 2 and 5 as well.
    expect(logAxis([2.2, 2.5], 140).ticks.map((t) => t.label)).toEqual(['1', '2', '5', '10']);
    expect(labelStride(5, 180)).toBe(1);
  });

  it('breaks the axis when the other values are far above the focus values, so those fill the chart', () => {
    const clipped = [3000, 800, 40, 12];
    const baseline = [3000, 2e6, 5e11, 3e16];
    const axis = logAxis([...clipped, ...baseline], 180, clipped);
    expect(axis.breakValue).toBe(1e4);
    expect(axis.toUnit(1e4)).toBeCloseTo(BREAK_UNIT);
    expect(axis.toUnit(10)).toBeCloseTo(0);
    expect(axis.toUnit(1e17)).toBeCloseTo(1);
    expect(axis.fromUnit(axis.toUnit(3e16))).toBeCloseTo(3e16, -14);
    expect(axis.fromUnit(axis.toUnit(40))).toBeCloseTo(40);
    // The clipped values take most of the height, a tick at each of their decades; the squeezed part keeps
    // only labelled ticks (a decade there is 2 px), and its top is labelled.
    const below = axis.ticks.filter((t) => t.value <= 1e4);
    expect(below.map((t) => t.label)).toEqual(['10', '100', '1000', '10000']);
    const above = axis.ticks.filter((t) => t.value > 1e4);
    expect(above.length).toBeGreaterThanOrEqual(1);
    expect(above.every((t) => t.label !== '')).toBe(true);
    expect(above.at(-1)?.label).toBe('1e17');
    // Close ranges: no break.
    expect(logAxis([...clipped, 1e5], 180, clipped).breakValue).toBeNull();
  });
});

describe('round ticks of a linear axis', () => {
  it.each([
    // rough step (hi - lo) / 4, rounded up to 1, 2, 2.5 or 5 times a power of ten; the multiples inside the range
    [0, 100, [0, 25, 50, 75, 100]],
    [1, 200, [50, 100, 150, 200]],
    [1, 10, [2.5, 5, 7.5, 10]],
    [-3, 90, [0, 25, 50, 75]],
    [0, 0.3, [0, 0.1, 0.2, 0.3]],
    [350, 400, [360, 380, 400]],
    [1, 3000, [1000, 2000, 3000]],
  ])('[%d, %d] is labelled at %j', (lo, hi, ticks) => {
    expect(niceTicks(lo, hi)).toEqual(ticks);
  });

  it('an empty or reversed range has at most its one end', () => {
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(7, 3)).toEqual([7]);
    expect(niceTicks(NaN, 3)).toEqual([]);
  });
});
