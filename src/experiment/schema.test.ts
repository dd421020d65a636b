import { describe, expect, it } from 'vitest';
import { isDecimal, parseDecimal } from './schema.ts';

describe('numbers in links', () => {
  it('reads plain decimals and exponents, and -0 as 0', () => {
    expect(parseDecimal('0.07')).toBe(0.07);
    expect(parseDecimal('-1.5e-3')).toBe(-0.0015);
    expect(parseDecimal('.5')).toBe(0.5);
    expect(Object.is(parseDecimal('-0'), 0)).toBe(true);
  });

  it('refuses hex, Infinity, an overflow, blanks and words', () => {
    for (const text of ['0x10', 'Infinity', '1e999', '', ' ', 'NaN', '1_000', '١٢٣', 'e5'])
      expect(parseDecimal(text)).toBeNull();
    // An overflow is a decimal (the sweep's range says "A and B must be positive" of it), but has no value.
    expect(isDecimal('1e999')).toBe(true);
  });
});
