import { describe, expect, it } from 'vitest';
import { dataLoadLabel, loadedFraction, megabytes, pageLoad, slowestLoad, type ByteProgress } from './dataLoad.ts';

describe('the MNIST download in words', () => {
  it('counts megabytes of 10^6 bytes: one decimal below 10, whole from 10 up', () => {
    expect(megabytes(0)).toBe('0.0');
    expect(megabytes(3_140_000)).toBe('3.1');
    // The full set as public/mnist/manifest.json lists it: 9,654,014 + 1,604,560 bytes.
    expect(megabytes(9_654_014 + 1_604_560)).toBe('11');
    expect(megabytes(806_763)).toBe('0.8');
  });

  it('says how much of how much has arrived', () => {
    expect(dataLoadLabel({ loadedBytes: 3_140_000, totalBytes: 11_258_574 })).toBe(
      'Loading MNIST digits: 3.1 of 11 MB',
    );
    // Lesson 4's data: one train chunk and one test chunk, 806,763 + 786,278 bytes.
    expect(dataLoadLabel({ loadedBytes: 0, totalBytes: 1_593_041 })).toBe('Loading MNIST digits: 0.0 of 1.6 MB');
    // Never more than the whole, even if a server sends more than the manifest said.
    expect(dataLoadLabel({ loadedBytes: 2_000_000, totalBytes: 1_593_041 })).toBe(
      'Loading MNIST digits: 1.6 of 1.6 MB',
    );
    expect(dataLoadLabel({ loadedBytes: 3_140_000, totalBytes: null })).toBe('Loading MNIST digits: 3.1 MB so far');
  });

  it('gives the fraction done', () => {
    expect(loadedFraction({ loadedBytes: 400_000, totalBytes: 1_600_000 })).toBe(0.25);
    expect(loadedFraction({ loadedBytes: 2_000_000, totalBytes: 1_600_000 })).toBe(1);
    expect(loadedFraction({ loadedBytes: 0, totalBytes: 0 })).toBe(1);
    expect(loadedFraction({ loadedBytes: 5, totalBytes: null })).toBeNull();
  });

  it('follows the run furthest from done, so the bar fills only when every run has its data', () => {
    const half = { loadedBytes: 800_000, totalBytes: 1_600_000 };
    const quarter = { loadedBytes: 400_000, totalBytes: 1_600_000 };
    const unknown = { loadedBytes: 1_000_000, totalBytes: null };
    expect(slowestLoad([])).toBeNull();
    expect(slowestLoad([half, quarter])).toBe(quarter);
    expect(slowestLoad([quarter, half])).toBe(quarter);
    expect(slowestLoad([half, unknown, quarter])).toBe(unknown);
    const fewer = { loadedBytes: 10, totalBytes: null };
    expect(slowestLoad([unknown, fewer])).toBe(fewer);
  });

  it('counts a run not heard from yet as nothing received, so the bar never moves back', () => {
    expect(pageLoad([])).toBeNull();
    expect(pageLoad([null, null])).toBeNull();
    const total = 1_593_041;
    expect(pageLoad([{ loadedBytes: 16_384, totalBytes: total }, null])).toEqual({ loadedBytes: 0, totalBytes: total });
    // Two runs' reports as they arrived in Chromium (the second run reported after the first had 16 kB).
    let a: ByteProgress | null = null;
    let b: ByteProgress | null = null;
    const shown: number[] = [];
    for (const [run, bytes] of [
      ['a', 16_384],
      ['b', 3_904],
      ['a', 49_152],
      ['b', 49_152],
      ['b', 81_920],
      ['a', total],
      ['b', total],
    ] as const) {
      if (run === 'a') a = { loadedBytes: bytes, totalBytes: total };
      else b = { loadedBytes: bytes, totalBytes: total };
      shown.push(pageLoad([a, b])?.loadedBytes ?? -1);
    }
    expect(shown).toEqual([0, 3_904, 3_904, 49_152, 49_152, 81_920, total]);
  });
});
