/** A prediction is kept where storage works, and nothing breaks where it is denied or missing. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadPrediction, savePrediction } from './prediction.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('predictions in local storage', () => {
  it('keeps and finds a prediction', () => {
    const kept = new Map<string, string>();
    vi.stubGlobal('window', {
      localStorage: { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => kept.set(k, v) },
    });
    expect(savePrediction('gradient-lab.prediction.1', 'The clipped run')).toBe(true);
    expect(loadPrediction('gradient-lab.prediction.1')).toBe('The clipped run');
  });

  it('where reading localStorage throws (a cross-site frame), says it was not kept and finds nothing', () => {
    vi.stubGlobal('window', {
      get localStorage(): Storage {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    expect(savePrediction('k', 'x')).toBe(false);
    expect(loadPrediction('k')).toBeNull();
  });

  it('where writing throws (full, or private), and without a window at all', () => {
    vi.stubGlobal('window', {
      localStorage: {
        getItem: () => {
          throw new Error('nope');
        },
        setItem: () => {
          throw new DOMException('full', 'QuotaExceededError');
        },
      },
    });
    expect(savePrediction('k', 'x')).toBe(false);
    expect(loadPrediction('k')).toBeNull();
    vi.stubGlobal('window', undefined);
    expect(savePrediction('k', 'x')).toBe(false);
  });
});
