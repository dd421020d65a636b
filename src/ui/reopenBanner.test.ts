import { describe, expect, it } from 'vitest';
import { NO_CLIP } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import type { StoredRun } from '../persist/runHistory.ts';
import { describeInterrupted } from './ReopenBanner.tsx';

const base = PRESETS['dense-explode'].config;
const race = {
  ...base,
  race: [
    { ...NO_CLIP, mode: 'norm' as const, threshold: 1 },
    { ...NO_CLIP, mode: 'global' as const, threshold: 1 },
  ],
};

function stored(
  side: StoredRun['side'],
  config: StoredRun['config'],
  clip: StoredRun['clip'],
  step: number,
): StoredRun {
  return {
    id: `s:${side}`,
    session: 's',
    createdAt: 1,
    updatedAt: 1,
    side,
    preset: 'dense-explode',
    link: 'v=1',
    config,
    clip,
    phase: 'running',
    step,
    backend: 'wasm',
    layout: null,
    divergence: null,
    error: null,
  };
}

describe('what the reopen banner says was interrupted', () => {
  it('a race by its size and each run by its clipping and where it stood', () => {
    const diverged: StoredRun = {
      ...stored('baseline', race, race.baseClip, 5),
      phase: 'diverged',
      divergence: { step: 5, what: 'loss', value: 'Infinity' },
    };
    const runs = [
      diverged,
      stored('clipped', race, race.clip, 12000),
      stored('third', race, race.race[0]!, 11990),
      stored('fourth', race, race.race[1]!, 12000),
    ];
    expect(describeInterrupted(runs)).toBe(
      'a race of 4 runs: No clipping (diverged at step 5), Value ±1 (step 12,000), Per-tensor norm 1 (step 11,990) and Global norm 1 (step 12,000)',
    );
    // A run that never trained was never stored: the race is still named as a race of 4.
    expect(describeInterrupted(runs.slice(1, 3))).toBe(
      'a race of 4 runs, of which 2 had trained: Value ±1 (step 12,000) and Per-tensor norm 1 (step 11,990)',
    );
  });

  it('a pair as a pair, and one run by its clipping in words', () => {
    const pair = [stored('baseline', base, base.baseClip, 40), stored('clipped', base, base.clip, 41)];
    expect(describeInterrupted(pair)).toBe('a pair of runs: No clipping (step 40) and Value ±1 (step 41)');
    const lone = stored('clipped', { ...base, pair: false }, base.clip, 7);
    expect(describeInterrupted([lone])).toMatch(/^one run, /);
  });
});
