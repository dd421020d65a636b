/**
 * Play and Step make the workers at once (worker/client.ts startWorkersNow) instead of waiting for the page to settle
 * after its start: a student who presses Play during the start-up should not wait for it.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as WorkerClient from '../worker/client.ts';

const { startWorkersNow } = vi.hoisted(() => ({ startWorkersNow: vi.fn() }));
vi.mock('../worker/client.ts', async (original) => ({
  ...(await original<typeof WorkerClient>()),
  startWorkersNow,
}));

import { PRESETS } from '../experiment/presets.ts';
import { useLab } from './labStore.ts';
import { play, resetRuns, setClientFactory, setPacing, stepOnce } from './session.ts';

beforeEach(() => {
  startWorkersNow.mockClear();
  setClientFactory(() => ({ send: () => {}, terminate: () => {}, dispose: () => {} }));
  useLab.setState({ config: PRESETS['dense-explode'].config, preset: 'dense-explode', runs: {}, playing: false });
  setPacing(false);
  resetRuns();
});

describe('asking for training', () => {
  it('makes the workers now: Play', () => {
    expect(startWorkersNow).not.toHaveBeenCalled();
    play();
    expect(startWorkersNow).toHaveBeenCalled();
  });

  it('makes the workers now: Step', () => {
    stepOnce();
    expect(startWorkersNow).toHaveBeenCalled();
  });
});
