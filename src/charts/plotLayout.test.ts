import { describe, expect, it } from 'vitest';
import { nearestIndex, plotGeometry, tooltipAt } from './plotLayout.ts';
import type { LineSpec } from './StepChart.tsx';

describe("a step chart's plot area and scales", () => {
  it('leaves the margins and the axes their room, and maps the ranges onto the rest', () => {
    // 400 x 194: left 4 + 58 (y axis), right 16, top 14, bottom 4 + 30 (x axis) -> a 322 x 146 plot at (62, 14).
    const g = plotGeometry(400, 194, 58, 30, [0, 100], [0, 1]);
    expect(g).toMatchObject({ x: 62, y: 14, width: 322, height: 146 });
    expect(g && g.ax * 50 + g.bx).toBeCloseTo(223, 9); // 62 + 50 * 3.22
    expect(g && g.ay * 0 + g.by).toBeCloseTo(160, 9); // the bottom
    expect(g && g.ay * 1 + g.by).toBeCloseTo(14, 9); // the top
  });

  it('puts a range that does not start at zero at the edges too', () => {
    const g = plotGeometry(400, 194, 58, 30, [1, 201], [-3, 90]);
    if (!g) throw new Error('no plot');
    expect(g.ax * 1 + g.bx).toBeCloseTo(62, 9);
    expect(g.ax * 201 + g.bx).toBeCloseTo(384, 9);
    expect(g.ay * -3 + g.by).toBeCloseTo(160, 9);
    expect(g.ay * 90 + g.by).toBeCloseTo(14, 9);
    expect(g.ay * 0 + g.by).toBeCloseTo(160 - (3 / 93) * 146, 9);
  });

  it('has no plot without room or without a range', () => {
    expect(plotGeometry(70, 194, 58, 30, [0, 1], [0, 1])).toBeNull();
    expect(plotGeometry(400, 40, 58, 30, [0, 1], [0, 1])).toBeNull();
    expect(plotGeometry(400, 194, 58, 30, [5, 5], [0, 1])).toBeNull();
    expect(plotGeometry(400, 194, 58, 30, [0, 1], [2, 1])).toBeNull();
  });
});

describe('what the tooltip names', () => {
  const points = (xs: number[], y: (x: number) => number) => xs.map((x) => ({ x, y: y(x) }));
  it('finds the nearest point by step, the earlier one on a tie', () => {
    const p = points([1, 3, 10], (x) => x);
    expect(nearestIndex(p, 2)).toBe(0);
    expect(nearestIndex(p, 2.1)).toBe(1);
    expect(nearestIndex(p, 100)).toBe(2);
    expect(nearestIndex(p, -5)).toBe(0);
    expect(nearestIndex([], 1)).toBe(-1);
  });

  const line = (key: string, xs: number[], y: (x: number) => number): LineSpec => ({
    key,
    name: key,
    color: '#000000',
    points: points(xs, y),
  });
  const all = line('all', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (x) => 10 * x);
  const diverged = line('diverged', [1, 2, 3], (x) => 100 * x);
  const even = line('even', [2, 4], (x) => -x);

  it("names the step nearest the pointer that some line has, and each line's value at that step", () => {
    expect(tooltipAt([all, diverged], 7.4)).toEqual({ step: 7, rows: [{ name: 'all', color: '#000000', value: 70 }] });
    expect(tooltipAt([all, diverged], 2.6)).toEqual({
      step: 3,
      rows: [
        { name: 'all', color: '#000000', value: 30 },
        { name: 'diverged', color: '#000000', value: 300 },
      ],
    });
    // The nearer step wins across lines: 3 (0.4 away, only `all` has it) over 4 (0.6 away).
    expect(tooltipAt([even, all], 3.4)?.step).toBe(3);
    expect(tooltipAt([even, all], 3.4)?.rows.map((r) => r.name)).toEqual(['all']);
    expect(tooltipAt([even], 3.4)).toEqual({ step: 4, rows: [{ name: 'even', color: '#000000', value: -4 }] });
  });

  it('names nothing where no line has a point', () => {
    expect(tooltipAt([], 3)).toBeNull();
    expect(tooltipAt([line('empty', [], (x) => x)], 3)).toBeNull();
  });
});
