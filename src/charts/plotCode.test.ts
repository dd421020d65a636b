import { describe, expect, it } from 'vitest';
import { fetchPlotCode } from './DeferredPlot.tsx';

describe("a plot's code", () => {
  it('is fetched at once for a plot every page shows, and is loaded once here', async () => {
    let calls = 0;
    const code = fetchPlotCode(async () => {
      calls++;
    });
    expect(calls).toBe(1);
    expect(code.loaded).toBe(false);
    await code.ready;
    expect(code.loaded).toBe(true);
    expect(calls).toBe(1);
  });

  it('is fetched only when a chart first asks for it, and once', async () => {
    let calls = 0;
    const code = fetchPlotCode(async () => {
      calls++;
    }, 'asked');
    expect(calls).toBe(0);
    expect(code.loaded).toBe(false);
    const first = code.ready;
    expect(code.ready).toBe(first);
    await first;
    expect(calls).toBe(1);
    expect(code.loaded).toBe(true);
  });

  it('that failed stays not loaded and rejects for each chart that asks', async () => {
    const code = fetchPlotCode(() => Promise.reject(new Error('offline')), 'asked');
    await expect(code.ready).rejects.toThrow('offline');
    expect(code.loaded).toBe(false);
  });
});
