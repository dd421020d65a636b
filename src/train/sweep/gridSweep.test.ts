import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { nodeDataLoader } from '../../cli/nodeData.ts';
import { NO_CLIP, seedConfig, type ExperimentConfig } from '../../experiment/config.ts';
import { PRESETS } from '../../experiment/presets.ts';
import { sweepCells } from '../../experiment/sweep.ts';
import { loadTrainingData, type TrainingData } from '../data/trainingData.ts';
import { CellLossSummary, LAST_STEPS, mergeSeedOutcomes, type CellOutcome } from './cellOutcome.ts';
import { Run } from '../trainer.ts';
import { cellRunConfig, runGridSweep } from './gridSweep.ts';
import { sweepMethod } from './sweepMethod.ts';
import { sweepCsvRow } from './sweepCsv.ts';

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

describe('what a cell reports', () => {
  it("is the last complete epoch's loss over every row for the regression", () => {
    // 10 rows in batches of 4: 4, 4 and 2 rows an epoch; the epoch loss weighs each batch by its rows.
    const s = new CellLossSummary('regression', 10, 4);
    [1, 2, 4].forEach((loss, i) => s.add(i + 1, 1, loss));
    expect(s.finalLoss).toBeCloseTo((4 * 1 + 4 * 2 + 2 * 4) / 10, 12); // 2.0
    [1, 1, 1].forEach((loss, i) => s.add(i + 4, 2, loss));
    s.add(7, 3, 9); // an epoch begun is not counted
    expect(s.finalLoss).toBe(1);
    expect(s.minLoss).toBe(1);
  });

  it('is the mean of the last LAST_STEPS steps for a sequence task, the minimum the lowest such mean', () => {
    const s = new CellLossSummary('mnist', 10_000, 64);
    s.add(1, 1, 4);
    s.add(2, 1, 2);
    // Fewer steps than the window: the mean of those there are.
    expect(s.finalLoss).toBe(3);
    expect(s.minLoss).toBe(3);
    for (let step = 3; step <= 60; step++) s.add(step, 1, step);
    // Steps 11..60 have losses 11..60: mean 35.5. The lowest window is steps 1..50: (4 + 2 + 3 + ... + 50) / 50.
    expect(LAST_STEPS).toBe(50);
    expect(s.finalLoss).toBeCloseTo(35.5, 10);
    expect(s.minLoss).toBeCloseTo((4 + 2 + (50 * 51) / 2 - 3) / 50, 10);
  });
});

describe('a grid sweep', () => {
  it('batches the dense net with SGD, and its outcomes equal one-at-a-time training to 1e-5', async () => {
    const config: ExperimentConfig = { ...PRESETS['dense-explode'].config };
    expect(sweepMethod(config).method).toBe('batched');
    const cells = sweepCells([0.01, 0.07], [0.5, 4]);
    const data = await loadTrainingData(config, nodeDataLoader);
    const before = tf.memory().numTensors;
    const order: number[] = [];
    const progress: number[] = [];
    const batched = await runGridSweep(config, data, cells, 24, {
      onCell: (k) => order.push(k),
      onProgress: (done, total) => progress.push(done / total),
    });
    const single = await runGridSweep(config, data, cells, 24, { method: 'one-at-a-time' });
    expect(tf.memory().numTensors).toBe(before);
    // The unclipped cell at lr 0.07 diverges at step 5, and is reported then, before the cells that finish.
    expect(order[0]).toBe(5);
    expect(order.slice().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= (progress[i - 1] ?? 0))).toBe(true);
    batched.forEach((b, k) => {
      const s = single[k] as CellOutcome;
      expect(b?.divergedAt, `cell ${k}`).toBe(s.divergedAt);
      expect(b?.steps, `cell ${k}`).toBe(s.steps);
      if (s.divergedAt !== null) return;
      expect(relative(b?.finalLoss ?? NaN, s.finalLoss), `cell ${k} final`).toBeLessThan(1e-5);
      expect(relative(b?.minLoss ?? NaN, s.minLoss), `cell ${k} min`).toBeLessThan(1e-5);
      expect(b?.testAccuracy).toBeNull();
    });
    expect(batched[5]).toMatchObject({ lr: 0.07, clip: null, divergedAt: 5, steps: 5 });
  });

  it('sweeps grid x seeds, batched or one at a time alike, each cell merged over its seeds', async () => {
    // Generated data, so each seed has its own data as well as its own weights and batches.
    const config: ExperimentConfig = { ...PRESETS['dense-explode'].config, data: 'generated', samples: 400, seeds: 3 };
    const cells = sweepCells([0.07], [1]);
    const seedData = await Promise.all([0, 1, 2].map((k) => loadTrainingData(seedConfig(config, k), nodeDataLoader)));
    const before = tf.memory().numTensors;
    const heard: number[] = [];
    const batched = await runGridSweep(
      config,
      seedData[0] as TrainingData,
      cells,
      16,
      { onCell: (k) => heard.push(k) },
      seedData,
    );
    const single = await runGridSweep(
      config,
      seedData[0] as TrainingData,
      cells,
      16,
      { method: 'one-at-a-time' },
      seedData,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(heard.slice().sort()).toEqual([0, 1]);
    // Each seed alone, as a one-seed sweep of that seed: the merged cell is made of these.
    const alone = await Promise.all(
      [0, 1, 2].map((k) =>
        runGridSweep(seedConfig(config, k), seedData[k] as TrainingData, cells, 16, { method: 'one-at-a-time' }),
      ),
    );
    cells.forEach((cell, k) => {
      const perSeed = alone.map((outcomes) => outcomes[k] as CellOutcome);
      const expected = mergeSeedOutcomes(cell, perSeed);
      const diverged = perSeed.filter((o) => o.divergedAt !== null).length;
      for (const got of [batched[k], single[k]]) {
        expect(got?.seeds).toBe(3);
        expect(got?.seedsDiverged, `cell ${k}`).toBe(diverged);
        expect(got?.divergedAt).toBe(expected.divergedAt);
        if (diverged < 3) expect(relative(got?.finalLoss ?? NaN, expected.finalLoss)).toBeLessThan(1e-5);
      }
    });
    // Unclipped at the tutorial's rate every seed overflows; clipped at 1, none does.
    expect(batched[1]).toMatchObject({ clip: null, seedsDiverged: 3 });
    expect(batched[0]).toMatchObject({ clip: 1, seedsDiverged: 0 });
  });

  it('merges a cell over seeds: counts, the first divergence, the median of the finite seeds', () => {
    const cell = { lr: 0.1, clip: 1 };
    const seed = (divergedAt: number | null, finalLoss: number): CellOutcome => ({
      ...cell,
      divergedAt,
      finalLoss,
      minLoss: finalLoss / 2,
      testAccuracy: null,
      steps: divergedAt ?? 100,
    });
    // Finite seeds end at 3, 1 and 8: median 3 (mins 1.5, 0.5, 4: median 1.5); the two diverged at 40 and 12.
    expect(
      mergeSeedOutcomes(cell, [seed(null, 3), seed(40, NaN), seed(null, 1), seed(12, NaN), seed(null, 8)]),
    ).toEqual({
      ...cell,
      divergedAt: 12,
      finalLoss: 3,
      minLoss: 1.5,
      testAccuracy: null,
      steps: 100,
      seeds: 5,
      seedsDiverged: 2,
    });
    expect(mergeSeedOutcomes(cell, [seed(5, NaN), seed(7, NaN)]).finalLoss).toBeNaN();
  });

  it('marks a cell diverged at the first non-finite gradient, also while its loss is still finite, both ways', async () => {
    // At lr 0.2 the dense net's gradient norm overflows float32 at step 4, a step before its loss does:
    // sqrt(sum g^2) passes 3.4e38 once the elements pass 1.8e19, while the loss is still about 1e34.
    const config: ExperimentConfig = { ...PRESETS['dense-explode'].config, steps: 12 };
    const data = await loadTrainingData(config, nodeDataLoader);
    const cells = [{ lr: 0.2, clip: null }];
    const run = new Run({ config: cellRunConfig(config, { lr: 0.2, clip: null }, 12), side: 'clipped', data });
    const losses: number[] = [];
    while (run.status === 'ready') losses.push((await run.trainStep()).loss);
    run.dispose();
    expect(run.divergence).toEqual({ step: 4, what: 'gradient', value: 'Infinity' });
    expect(Number.isFinite(losses[3])).toBe(true);
    for (const method of ['batched', 'one-at-a-time'] as const) {
      const [outcome] = await runGridSweep(config, data, [...cells, { lr: 0.2, clip: 1 }], 12, { method });
      expect(outcome, method).toMatchObject({ divergedAt: 4, steps: 4 });
      expect(sweepCsvRow(outcome as CellOutcome)[2], method).toBe(4);
    }
  });

  it('evaluates a classifier cell once, after its last step; an adding cell, which has no accuracy, never', async () => {
    const config: ExperimentConfig = {
      ...PRESETS['rnn-scale'].config,
      hidden: 8,
      batch: 16,
      trainSize: 100,
      testSize: 100,
      recScale: 3,
    };
    const data = await loadTrainingData(config, nodeDataLoader);
    const evaluatedAfter: number[] = [];
    const real = Run.prototype.evaluate;
    const spy = vi.spyOn(Run.prototype, 'evaluate').mockImplementation(function (this: Run) {
      evaluatedAfter.push(this.step);
      return real.call(this);
    });
    try {
      const [calm] = await runGridSweep(config, data, [{ lr: 1e-3, clip: null }], 30);
      expect(calm).toMatchObject({ divergedAt: null, steps: 30 });
      // A share of the 100 test digits.
      const hits = (calm?.testAccuracy ?? NaN) * 100;
      expect(Math.abs(hits - Math.round(hits))).toBeLessThan(1e-9);
      expect(evaluatedAfter).toEqual([30]);
      // The adding problem: unclipped, its gradient overflows at step 31 while its loss is about 1.7e27; clipped to
      // 0.1 it trains all its steps. Neither is evaluated: the adding problem has no accuracy to report.
      const adding: ExperimentConfig = { ...PRESETS.adding.config, trainSize: 1000, testSize: 100 };
      const addingData = await loadTrainingData(adding, nodeDataLoader);
      const addingCells = [
        { lr: adding.lr, clip: null },
        { lr: adding.lr, clip: 0.1 },
      ];
      const [overflowed, clipped] = await runGridSweep(adding, addingData, addingCells, 40);
      expect(overflowed).toMatchObject({ divergedAt: 31, steps: 31, testAccuracy: null });
      expect(clipped).toMatchObject({ divergedAt: null, steps: 40, testAccuracy: null });
      expect(evaluatedAfter).toEqual([30]);
      // The diverged cell's loss is the mean of its 30 finite steps (fewer than 50): the diverging step's 1.7e27
      // is not in it. The same run's batch losses, step by step:
      const run = new Run({
        config: cellRunConfig(adding, { lr: adding.lr, clip: null }, 40),
        side: 'clipped',
        data: addingData,
      });
      const losses: number[] = [];
      while (run.status === 'ready') losses.push((await run.trainStep()).loss);
      run.dispose();
      expect(losses).toHaveLength(31);
      const mean = losses.slice(0, 30).reduce((a, b) => a + b, 0) / 30;
      expect(relative(overflowed?.finalLoss ?? NaN, mean)).toBeLessThan(1e-12);
    } finally {
      spy.mockRestore();
    }
  });

  it('trains what it cannot batch one cell at a time: Adam on the dense net', async () => {
    const config: ExperimentConfig = { ...PRESETS['dense-explode'].config, optimizer: 'adam' };
    expect(sweepMethod(config)).toEqual({
      method: 'one-at-a-time',
      why: 'optimizer=adam: batched sweeps train with SGD only',
    });
    const data = await loadTrainingData(config, nodeDataLoader);
    const outcomes = await runGridSweep(config, data, sweepCells([0.01], [1]), 16);
    expect(outcomes.map((o) => o?.divergedAt)).toEqual([null, null]);
    expect(outcomes.every((o) => o !== null && o.finalLoss > 0 && o.minLoss <= o.finalLoss)).toBe(true);
  });

  it('sweeps a recurrent net on MNIST: each cell reports its loss and test accuracy, and a cancel stops it', async () => {
    const config: ExperimentConfig = {
      ...PRESETS['lstm-tf'].config,
      hidden: 8,
      batch: 16,
      trainSize: 64,
      testSize: 50,
    };
    const data = await loadTrainingData(config, nodeDataLoader);
    const cells = sweepCells([0.001, 0.01], [1]);
    const before = tf.memory().numTensors;
    const starts: unknown[] = [];
    const outcomes = await runGridSweep(config, data, cells, 3, { onStart: (info) => starts.push(info) });
    expect(tf.memory().numTensors).toBe(before);
    expect(starts).toEqual([{ method: 'one-at-a-time', classifier: true }]);
    for (const o of outcomes) {
      expect(o?.steps).toBe(3);
      expect(o?.divergedAt).toBeNull();
      // Ten classes: a cross-entropy near ln 10 after three steps, an accuracy among 50 test digits.
      expect(o?.finalLoss).toBeGreaterThan(1.5);
      expect(o?.finalLoss).toBeLessThan(3);
      expect(Number.isInteger((o?.testAccuracy ?? NaN) * 50)).toBe(true);
    }
    let finished = 0;
    const cancelled = await runGridSweep(config, data, cells, 3, {
      onCell: () => finished++,
      cancelled: () => finished >= 1,
    });
    expect(cancelled.map((o) => o !== null)).toEqual([true, false, false, false]);
    // A cancel heard in the middle of a cell: it stops there, and the cell is left out.
    let progressed = 0;
    const midway = await runGridSweep(config, data, cells, 3, {
      onProgress: () => progressed++,
      cancelled: () => progressed >= 2,
    });
    expect(midway).toEqual([null, null, null, null]);
    expect(progressed).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives each cell its learning rate and threshold in the link’s clipping mode, and refuses clip=none', async () => {
    const base = PRESETS['rnn-scale'].config;
    expect(cellRunConfig(base, { lr: 0.5, clip: 2 }, 30)).toMatchObject({
      lr: 0.5,
      steps: 30,
      pair: false,
      hiddenGradEvery: 0,
      clip: { mode: 'global', threshold: 2 },
    });
    expect(cellRunConfig(base, { lr: 0.5, clip: null }, 30).clip).toEqual(NO_CLIP);
    const config = { ...PRESETS['dense-explode'].config, clip: NO_CLIP };
    const data = await loadTrainingData(config, nodeDataLoader);
    await expect(runGridSweep(config, data, sweepCells([0.01], [1]), 2)).rejects.toThrow(/^clip=none: /);
  });
});
