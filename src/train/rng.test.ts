import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

describe('Rng', () => {
  it('replays the same numbers for the same seed and differs for another seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const sa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(sa);
  });

  it('forked streams do not depend on how much the parent or a sibling drew', () => {
    const one = new Rng(3);
    one.uniform();
    one.fork('data').uniform();
    const two = new Rng(3);
    expect(two.fork('init').uniform()).toBe(one.fork('init').uniform());
    expect(two.fork('init').uniform()).not.toBe(two.fork('batches').uniform());
  });

  it('draws standard normals with mean 0 and variance 1', () => {
    const rng = new Rng(1);
    const n = 50_000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSquares += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.03);
  });

  it('permutes every index exactly once', () => {
    const p = new Rng(5).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
