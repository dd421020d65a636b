/**
 * The worker's remembered choices: a stored record is believed only for its model size, browser and age;
 * and the order backends start in, remembered or not (never waiting for a trial).
 */
import { describe, expect, it } from 'vitest';
import { AUTO_FIRST, autoOrder, readCachedChoice } from './backendChoice.ts';

const NOW = Date.UTC(2026, 10, 25);
const result = {
  chosen: 'wasm',
  measuredAt: NOW - 60_000,
  timings: [
    { backend: 'wasm', msPerStep: 7.8, steps: 30, gaveUp: false, error: null, detail: null },
    { backend: 'webgl', msPerStep: 66, steps: 15, gaveUp: false, error: null, detail: 'software-rendered' },
  ],
};
const record = { key: 'dense h25 b128', env: 'tfjs 4.22.0; Chromium', result };

describe('readCachedChoice', () => {
  it('returns the stored choice for the same model size and environment', () => {
    expect(readCachedChoice(record, 'dense h25 b128', 'tfjs 4.22.0; Chromium', NOW)).toEqual(result);
  });

  it('ignores another model size, another browser or tfjs, and timings older than two weeks', () => {
    expect(readCachedChoice(record, 'lstm 1x32 b32', 'tfjs 4.22.0; Chromium', NOW)).toBeNull();
    expect(readCachedChoice(record, 'dense h25 b128', 'tfjs 4.23.0; Chromium', NOW)).toBeNull();
    expect(readCachedChoice(record, 'dense h25 b128', 'tfjs 4.22.0; Chromium', NOW + 15 * 24 * 3600_000)).toBeNull();
  });

  it('refuses records that are not what this code wrote', () => {
    const env = 'tfjs 4.22.0; Chromium';
    expect(readCachedChoice(undefined, 'dense h25 b128', env, NOW)).toBeNull();
    expect(
      readCachedChoice({ ...record, result: { ...result, chosen: 'webgpu' } }, 'dense h25 b128', env, NOW),
    ).toBeNull();
    const badTiming = { ...result, timings: [{ backend: 'wasm', msPerStep: -1 }] };
    expect(readCachedChoice({ ...record, result: badTiming }, 'dense h25 b128', env, NOW)).toBeNull();
    expect(
      readCachedChoice({ ...record, result: { ...result, measuredAt: NOW + 1 } }, 'dense h25 b128', env, NOW),
    ).toBeNull();
  });
});

describe('autoOrder: the backends to start, at once', () => {
  it('a size not timed yet starts on WASM, then WebGL, then CPU', () => {
    expect(AUTO_FIRST).toBe('wasm');
    expect(autoOrder(null)).toEqual(['wasm', 'webgl', 'cpu']);
  });

  it('a remembered choice starts first, the other that ran after it, CPU last; one that failed is left out', () => {
    const webgl = {
      chosen: 'webgl' as const,
      measuredAt: NOW,
      timings: [
        { backend: 'wasm' as const, msPerStep: 7.8, steps: 30, gaveUp: false, error: null, detail: null },
        { backend: 'webgl' as const, msPerStep: 2, steps: 30, gaveUp: false, error: null, detail: null },
      ],
    };
    expect(autoOrder(webgl)).toEqual(['webgl', 'wasm', 'cpu']);
    const failed = { backend: 'webgl' as const, msPerStep: null, steps: 0, gaveUp: false, error: 'no', detail: null };
    expect(autoOrder({ ...webgl, chosen: 'wasm', timings: [webgl.timings[0]!, failed] })).toEqual(['wasm', 'cpu']);
  });
});
