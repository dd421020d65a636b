import { describe, expect, it } from 'vitest';
import { FIGURES, lighthouseLines, median } from '../../scripts/lighthouse.ts';

describe('the Lighthouse bench (scripts/lighthouse.ts)', () => {
  it('takes the median of the runs that produced a figure', () => {
    expect(median([95, 91, 99])).toBe(95);
    expect(median([400, 100])).toBe(250);
    // A run that failed (NaN: no first paint) is left out, not counted as a zero.
    expect(median([NaN, 90, 70])).toBe(80);
    expect(median([NaN])).toBeNaN();
  });

  it('prints each median beside its target, and says which are missed', () => {
    const row = (desktop: number, mobile: number) => ({ desktop, mobile });
    const values = FIGURES.map((f) =>
      f.label === 'performance' ? row(96, 89) : f.label === 'total blocking time' ? row(150, 420) : row(100, 100),
    );
    const lines = lighthouseLines({ desktop: values.map((v) => v.desktop), mobile: values.map((v) => v.mobile) }, 3);
    const performance = lines.find((l) => l.startsWith('performance')) ?? '';
    expect(performance).toMatch(/96 \(target >= 95\)\s+89 \(target >= 90, MISSED\)/);
    // Blocking time must be under its target: 150 ms on desktop is missed, 420 ms on mobile is met.
    const tbt = lines.find((l) => l.startsWith('total blocking time')) ?? '';
    expect(tbt).toMatch(/150 ms \(target < 150 ms, MISSED\)\s+420 ms \(target < 600 ms\)$/);
  });
});
