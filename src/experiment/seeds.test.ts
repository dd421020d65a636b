import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, MAX_SEEDS, seedConfig, seedOf } from './config.ts';

describe('the seeds of a run over several seeds', () => {
  it('seed k is the link seed plus k, so seed 0 is the link run', () => {
    const config = { ...DEFAULT_CONFIG, seed: 40, seeds: 3 };
    expect([0, 1, 2].map((k) => seedOf(config, k))).toEqual([40, 41, 42]);
  });

  it('wraps past the largest seed a link may give (2^31 - 1) to 0', () => {
    const top = 2 ** 31 - 1;
    expect(seedOf({ seed: top }, 0)).toBe(top);
    expect(seedOf({ seed: top }, 1)).toBe(0);
    expect(seedOf({ seed: top - 1 }, MAX_SEEDS - 1)).toBe(MAX_SEEDS - 3);
  });

  it("a seed's experiment is one seed of it, everything else kept", () => {
    const config = { ...DEFAULT_CONFIG, seed: 7, seeds: 5, lr: 0.01 };
    expect(seedConfig(config, 2)).toEqual({ ...config, seed: 9, seeds: 1 });
  });
});
