import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../cli/nodeData.ts';
import { NO_CLIP, seedConfig, type ExperimentConfig, type RunSide } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import { BatchedSeeds, batchedSeedsRefusal } from './batchedSeeds.ts';
import { loadTrainingData } from './data/trainingData.ts';
import { driveRun } from './runDriver.ts';
import { SeedBands, type SeedBandRow } from './seedBands.ts';
import { Run } from './trainer.ts';

const STEPS = 16;

/** Seeds 1 and 2 of `config`'s `side`, told to a SeedBands of seeds 0-2: by one batched program, or a Run each. */
async function bandsOf(config: ExperimentConfig, side: RunSide, batched: boolean) {
  const seeds = [0, 1, 2].map((k) => seedConfig(config, k));
  const data = await Promise.all(seeds.map((c) => loadTrainingData(c, nodeDataLoader)));
  const bands = new SeedBands(seeds.map((c) => c.seed));
  // Seed 0 is the run itself: left out of both, so its rows wait for nobody.
  bands.diverged(0, { step: 0, what: 'loss', value: 'NaN' });
  if (batched) {
    const lane = new BatchedSeeds(config, side, data.slice(1), bands);
    await driveRun(lane, []);
    lane.dispose();
  } else {
    for (const k of [1, 2]) {
      const run = new Run({ config: seeds[k] as ExperimentConfig, side, data: data[k] as (typeof data)[number] });
      await driveRun(run, [bands.observer(k)]);
      run.dispose();
    }
  }
  return { ...bands.take(), outcomes: bands.outcomes().slice(1) };
}

function close(a: SeedBandRow[], b: SeedBandRow[]): void {
  expect(a.map((r) => r.step)).toEqual(b.map((r) => r.step));
  a.forEach((row, i) => {
    const other = b[i] as SeedBandRow;
    for (const key of ['loss', 'globalNorm'] as const) {
      expect(row[key]?.finite, `step ${row.step} ${key}`).toBe(other[key]?.finite);
      // No seed finite there (both overflowed at that step): no band on either side.
      if (other[key] === null) continue;
      for (const part of ['median', 'min', 'max'] as const) {
        const x = row[key]?.[part] ?? NaN;
        const y = other[key]?.[part] ?? NaN;
        // Float32 in both; the program sums the global norm in float32, Run in double.
        expect(Math.abs(x - y) / Math.abs(y), `step ${row.step} ${key} ${part}`).toBeLessThan(1e-4);
      }
    }
  });
}

describe("a dense run's other seeds as one batched program", () => {
  it.each(['clipped', 'baseline'] as const)('tells the bands what a Run per seed would (%s run)', async (side) => {
    const config: ExperimentConfig = { ...PRESETS['dense-explode'].config, steps: STEPS, seeds: 3, seed: 2 };
    expect(batchedSeedsRefusal(config, side)).toBeNull();
    const before = tf.memory().numTensors;
    const batched = await bandsOf(config, side, true);
    expect(tf.memory().numTensors).toBe(before);
    const alone = await bandsOf(config, side, false);
    close(batched.rows, alone.rows);
    expect(batched.outcomes.map((o) => [o.seed, o.divergedAt, o.steps, o.done])).toEqual(
      alone.outcomes.map((o) => [o.seed, o.divergedAt, o.steps, o.done]),
    );
    // The tutorial's unclipped run overflows at step 5 from every seed's weights; clipped by value, none does.
    expect(batched.outcomes.map((o) => o.divergedAt)).toEqual(side === 'baseline' ? [5, 5] : [null, null]);
  });

  it('refuses what the program cannot train, saying why', () => {
    const base = { ...PRESETS['dense-explode'].config, seeds: 3 };
    expect(batchedSeedsRefusal({ ...base, model: 'lstm' }, 'clipped')).toMatch(/^model=lstm/);
    expect(batchedSeedsRefusal({ ...base, optimizer: 'adam' }, 'clipped')).toMatch(/^optimizer=adam/);
    expect(batchedSeedsRefusal({ ...base, clip: { ...NO_CLIP, mode: 'value', min: -1, max: 2 } }, 'clipped')).toMatch(
      /not \[-c, c\]/,
    );
    expect(batchedSeedsRefusal({ ...base, schedule: [{ step: 3, knob: 'lr', lr: 0.01 }] }, 'clipped')).toMatch(
      /schedule/,
    );
  });
});
