import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import { DEFAULT_SWEEP } from '../experiment/sweep.ts';
import { SweepHistory, type StoredSweep } from './sweepHistory.ts';

function sweep(id: string, createdAt: number, phase: StoredSweep['phase']): StoredSweep {
  return {
    id,
    createdAt,
    updatedAt: createdAt,
    preset: 'dense-explode',
    link: 'v=1&preset=dense-explode&page=sweep',
    config: PRESETS['dense-explode'].config,
    settings: DEFAULT_SWEEP,
    lr: [0.01],
    clip: [1],
    steps: 10,
    method: 'batched',
    classifier: false,
    outcomes: [
      { lr: 0.01, clip: 1, divergedAt: null, finalLoss: 2, minLoss: 1.5, testAccuracy: null, steps: 10 },
      { lr: 0.01, clip: null, divergedAt: 3, finalLoss: NaN, minLoss: NaN, testAccuracy: null, steps: 3 },
    ],
    phase,
    elapsedMs: 120,
    error: null,
  };
}

describe('the sweep history', () => {
  it('keeps sweeps with their cells, lists them newest first, and reads a left-running sweep as interrupted', async () => {
    const history = await SweepHistory.open('sweep-test-1');
    await history.save(sweep('a', 1, 'finished'));
    await history.save(sweep('b', 2, 'running'));
    const listed = await history.list();
    expect(listed.map((s) => [s.id, s.phase])).toEqual([
      ['b', 'interrupted'],
      ['a', 'finished'],
    ]);
    const a = await history.get('a');
    expect(a?.outcomes[1]?.divergedAt).toBe(3);
    expect(Number.isNaN(a?.outcomes[1]?.finalLoss)).toBe(true);
    await history.delete('a');
    expect((await history.list()).map((s) => s.id)).toEqual(['b']);
    expect(await history.get('a')).toBeNull();
    history.close();
  });
});
