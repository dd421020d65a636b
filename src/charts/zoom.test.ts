import { describe, expect, it } from 'vitest';
import { followingEnd, zoomDomain } from './zoom.ts';

describe('the x axis follows the runs', () => {
  it('spans 10 steps at first, so step 5 of a 400-step run is half the width', () => {
    expect(followingEnd(0, 400)).toBe(10);
    expect(followingEnd(5, 400)).toBe(10);
    // 8 x 1.25 = 10: still fits; 9 x 1.25 = 11.25 widens to the next of 1-2-5, 20.
    expect(followingEnd(8, 400)).toBe(10);
    expect(followingEnd(9, 400)).toBe(20);
  });

  it('widens in 1-2-5 steps with a quarter of room ahead, up to the planned steps', () => {
    expect(followingEnd(16, 400)).toBe(20); // 20
    expect(followingEnd(17, 400)).toBe(50); // 21.25
    expect(followingEnd(40, 400)).toBe(50); // 50
    expect(followingEnd(41, 400)).toBe(100); // 51.25
    expect(followingEnd(81, 400)).toBe(200); // 101.25
    expect(followingEnd(161, 400)).toBe(400); // 201.25 -> 500, capped at 400
    expect(followingEnd(400, 400)).toBe(400);
    expect(followingEnd(1500, 2000)).toBe(2000); // 1875 -> 2000
    expect(followingEnd(600, 2000)).toBe(1000); // 750 -> 1000
  });

  it('a short run is shown whole, and never less than two steps', () => {
    expect(followingEnd(5, 12)).toBe(10);
    expect(followingEnd(9, 12)).toBe(12);
    expect(followingEnd(0, 1)).toBe(2);
  });

  it('"all steps" follows; "first N" and "last N" keep their windows', () => {
    expect(zoomDomain({ kind: 'all' }, 400, 5)).toEqual([1, 10]);
    expect(zoomDomain({ kind: 'all' }, 400, 120)).toEqual([1, 200]);
    expect(zoomDomain({ kind: 'first', steps: 10 }, 400, 120)).toEqual([1, 10]);
    expect(zoomDomain({ kind: 'last', steps: 100 }, 400, 120)).toEqual([21, 120]);
  });
});
