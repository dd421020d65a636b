import { describe, expect, it } from 'vitest';
import { at } from '../../test/support/at.ts';
import { downsampleMinMax } from './downsample.ts';

describe('min-max downsampling', () => {
  const xs = Array.from({ length: 10_000 }, (_, i) => i + 1);

  it('keeps a one-step spike that averaging would hide', () => {
    const ys = xs.map(() => 1);
    ys[5_123] = 1e13;
    const points = downsampleMinMax(xs, ys, 200);
    expect(points.length).toBeLessThanOrEqual(200);
    expect(points).toContainEqual({ x: 5_124, y: 1e13 });
  });

  it('keeps each bucket’s minimum too, in step order', () => {
    const ys = xs.map((x) => 10 + Math.sin(x / 50));
    ys[777] = 0.001;
    const points = downsampleMinMax(xs, ys, 100);
    expect(points).toContainEqual({ x: 778, y: 0.001 });
    // Each point after the first, against the one before it (points[i]).
    for (const [i, point] of points.slice(1).entries()) expect(point.x).toBeGreaterThan(at(points, i).x);
  });

  it('returns short series unchanged and drops NaN, Infinity and (for log axes) values <= 0', () => {
    expect(downsampleMinMax([1, 2, 3, 4], [5, NaN, Infinity, 0], 100)).toEqual([
      { x: 1, y: 5 },
      { x: 4, y: 0 },
    ]);
    expect(downsampleMinMax([1, 2, 3, 4], [5, NaN, Infinity, 0], 100, { positiveOnly: true })).toEqual([
      { x: 1, y: 5 },
    ]);
  });
});
