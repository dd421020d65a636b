/**
 * The run file's schema is made when a file is read, not when runArchive.ts loads: the history panel loads it with
 * the page, and the registry's record schemas are most of the cost of building it.
 */
import { describe, expect, it, vi } from 'vitest';
import type * as MetricSchema from '../train/metricSchema.ts';

const { made } = vi.hoisted(() => ({ made: { count: 0 } }));
vi.mock('../train/metricSchema.ts', async (original) => {
  const real = await original<typeof MetricSchema>();
  return {
    ...real,
    recordSchemas: () => {
      made.count++;
      return real.recordSchemas();
    },
  };
});

describe("the run file's schema", () => {
  it('is not made when the module loads, and is made to read a file', async () => {
    const { parseArchive } = await import('./runArchive.ts');
    expect(made.count).toBe(0);
    expect(() => parseArchive('{"format": "something else"}')).toThrow(/not a Gradient Lab run export/);
    expect(made.count).toBe(1);
  });
});
