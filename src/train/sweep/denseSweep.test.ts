import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../../cli/nodeData.ts';
import { NO_CLIP, seedConfig, type ClipConfig, type ClipMode, type ExperimentConfig } from '../../experiment/config.ts';
import { PRESETS } from '../../experiment/presets.ts';
import { loadTrainingData, type TrainingData } from '../data/trainingData.ts';
import { EpochLossTracker } from '../epochLoss.ts';
import { Run } from '../trainer.ts';
import { DenseSweep, type SweepCell } from './denseSweep.ts';
import { denseBatchRefusal } from './sweepMethod.ts';

const STEPS = 12;

function clipFor(mode: ClipMode, threshold: number | null): ClipConfig {
  if (threshold === null) return NO_CLIP;
  if (mode === 'value') return { ...NO_CLIP, mode, min: -threshold, max: threshold };
  return { ...NO_CLIP, mode, threshold };
}

/** The same cells trained one at a time by Run: batch losses per step, and where each diverged. */
async function oneAtATime(config: ExperimentConfig, cells: SweepCell[]) {
  const data = await loadTrainingData(config, nodeDataLoader);
  const out: { losses: number[]; divergedAt: number | null }[] = [];
  for (const cell of cells) {
    const run = new Run({
      config: { ...config, lr: cell.lr, pair: false, clip: clipFor(config.clip.mode, cell.clip) },
      side: 'clipped',
      data,
    });
    const losses: number[] = [];
    while (run.status === 'ready' && losses.length < STEPS) losses.push((await run.trainStep()).loss);
    out.push({ losses, divergedAt: run.divergence?.step ?? null });
    run.dispose();
  }
  return out;
}

describe('a batched dense sweep', () => {
  it.each(['value', 'norm', 'global', 'global-tf'] as const)(
    'equals one-at-a-time training to 1e-5, clipping by %s, unclipped cells included',
    async (mode) => {
      const config: ExperimentConfig = { ...PRESETS['dense-explode'].config, steps: STEPS, clip: clipFor(mode, 1) };
      const cells: SweepCell[] = [
        { lr: 0.07, clip: null },
        { lr: 0.07, clip: 1 },
        { lr: 0.01, clip: 5 },
        { lr: 0.002, clip: null },
      ];
      const data = await loadTrainingData(config, nodeDataLoader);
      const before = tf.memory().numTensors;
      const sweep = new DenseSweep(config, data, cells);
      const batched: number[][] = cells.map(() => []);
      for (let s = 0; s < STEPS; s++) {
        const losses = await sweep.trainStep();
        cells.forEach((_, k) => batched[k]?.push(losses[k] ?? NaN));
      }
      const outcomes = sweep.outcomes();
      sweep.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const reference = await oneAtATime(config, cells);
      reference.forEach((ref, k) => {
        expect(outcomes[k]?.divergedAt, `cell ${k} diverged at`).toBe(ref.divergedAt);
        ref.losses.forEach((loss, s) => {
          if (!Number.isFinite(loss)) return;
          const ours = batched[k]?.[s] ?? NaN;
          expect(Math.abs(ours - loss) / Math.abs(loss), `cell ${k} step ${s + 1}`).toBeLessThan(1e-5);
        });
      });
      // The unclipped cell at the tutorial's learning rate explodes at step 5, as the lesson says.
      expect(outcomes[0]?.divergedAt).toBe(5);
    },
  );

  it('reports each cell’s final and lowest epoch loss, as Run’s steps give them', async () => {
    const config: ExperimentConfig = { ...PRESETS['dense-explode'].config, steps: 16 };
    const data = await loadTrainingData(config, nodeDataLoader);
    const sweep = new DenseSweep(config, data, [{ lr: 0.07, clip: 1 }]);
    for (let s = 0; s < 16; s++) await sweep.trainStep();
    const [outcome] = sweep.outcomes();
    sweep.dispose();
    // 16 steps are two epochs of 8 batches (7 of 128 rows, one of 104): the loss over every row of each.
    const run = new Run({ config: { ...config, pair: false }, side: 'clipped', data });
    const tracker = new EpochLossTracker(1000, config.batch);
    const epochs: number[] = [];
    while (run.status === 'ready') {
      const m = await run.trainStep();
      tracker.add(m.step, m.epoch, m.loss);
      const done = tracker.lastCompleteEpoch();
      if (done && done.epoch > epochs.length) epochs.push(done.loss);
    }
    run.dispose();
    expect(epochs).toHaveLength(2);
    expect(Math.abs((outcome?.finalLoss ?? NaN) - (epochs[1] ?? NaN)) / (epochs[1] ?? NaN)).toBeLessThan(1e-5);
    expect(Math.abs((outcome?.minLoss ?? NaN) - Math.min(...epochs)) / Math.min(...epochs)).toBeLessThan(1e-5);
  });

  it.each(['rs1', 'generated'] as const)(
    'trains grid x seeds as one program, each seed from its own weights and batches (data %s)',
    async (source) => {
      const config: ExperimentConfig = {
        ...PRESETS['dense-explode'].config,
        data: source,
        samples: 600,
        steps: STEPS,
        seed: 3,
        clip: clipFor('norm', 1),
      };
      const cells: SweepCell[] = [
        { lr: 0.07, clip: null },
        { lr: 0.03, clip: 2 },
      ];
      const seeds = [0, 1, 2].map((s) => seedConfig(config, s));
      const seedData = await Promise.all(seeds.map((c) => loadTrainingData(c, nodeDataLoader)));
      const before = tf.memory().numTensors;
      const sweep = new DenseSweep(config, seedData[0] as TrainingData, cells, seedData);
      const batched: number[][] = seeds.flatMap(() => cells.map(() => []));
      for (let s = 0; s < STEPS; s++) {
        const losses = await sweep.trainStep();
        batched.forEach((row, k) => row.push(losses[k] ?? NaN));
      }
      const outcomes = sweep.outcomes();
      sweep.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(outcomes).toHaveLength(6);
      for (const [s, seedRun] of seeds.entries()) {
        const reference = await oneAtATime(seedRun, cells);
        reference.forEach((ref, k) => {
          const index = s * cells.length + k;
          expect(outcomes[index]?.divergedAt, `seed ${s} cell ${k} diverged at`).toBe(ref.divergedAt);
          ref.losses.forEach((loss, step) => {
            if (!Number.isFinite(loss)) return;
            const ours = batched[index]?.[step] ?? NaN;
            expect(Math.abs(ours - loss) / Math.abs(loss), `seed ${s} cell ${k} step ${step + 1}`).toBeLessThan(1e-5);
          });
        });
      }
      // The seeds differ: their first losses are not all one number (other weights, other batches).
      expect(new Set([0, 2, 4].map((k) => batched[k]?.[0])).size).toBe(3);
    },
  );

  it('refuses what it cannot batch, saying which setting', () => {
    const base = PRESETS['dense-explode'].config;
    expect(denseBatchRefusal({ ...base, model: 'lstm' })).toMatch(/^model=lstm: /);
    expect(denseBatchRefusal({ ...base, optimizer: 'adam' })).toMatch(/^optimizer=adam: /);
    expect(denseBatchRefusal({ ...base, loss: 'literal' })).toMatch(/^loss=literal: /);
    expect(denseBatchRefusal({ ...base, clip: { ...base.clip, mode: 'global', normType: 'inf' } })).toMatch(
      /^normType=inf: /,
    );
    expect(denseBatchRefusal({ ...base, clip: NO_CLIP })).toMatch(/^clip=none: /);
    expect(denseBatchRefusal(base)).toBeNull();
  });
});
