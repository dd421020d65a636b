/** Determinism, pairs, divergence, leaks: the guarantees every run gives (CPU backend). */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../../src/cli/nodeData.ts';
import { NO_CLIP, type ExperimentConfig } from '../../src/experiment/config.ts';
import { PRESETS } from '../../src/experiment/presets.ts';
import { loadTrainingData } from '../../src/train/data/trainingData.ts';
import type { StepMetrics } from '../../src/train/metrics.ts';
import { at } from '../support/at.ts';
import { Run } from '../../src/train/trainer.ts';

const dense = PRESETS['dense-explode'].config;

async function train(
  config: ExperimentConfig,
  side: 'baseline' | 'clipped',
  limit = Infinity,
): Promise<{ run: Run; metrics: StepMetrics[] }> {
  const data = await loadTrainingData(config, nodeDataLoader);
  const run = new Run({ config, side, data });
  const metrics: StepMetrics[] = [];
  while (run.status === 'ready' && metrics.length < limit) metrics.push(await run.trainStep());
  return { run, metrics };
}

describe('runs', () => {
  it('same seed, same metrics; another seed, other metrics', async () => {
    const config = { ...dense, data: 'generated' as const, seed: 42 };
    const a = await train(config, 'clipped', 20);
    const b = await train(config, 'clipped', 20);
    const c = await train({ ...config, seed: 43 }, 'clipped', 20);
    [a, b, c].forEach((r) => r.run.dispose());
    expect(b.metrics).toEqual(a.metrics);
    expect(at(c.metrics, 0).loss).not.toBe(at(a.metrics, 0).loss);
  });

  it('the members of a pair start from identical weights and see identical batches', async () => {
    const config = { ...PRESETS['rnn-scale'].config, hidden: 16, trainSize: 300, batch: 16 };
    const data = await loadTrainingData(config, nodeDataLoader);
    const baseline = new Run({ config, side: 'baseline', data });
    const clipped = new Run({ config, side: 'clipped', data });
    expect(await clipped.weights()).toEqual(await baseline.weights());
    // With identical weights and batch, the first step's loss and raw gradients agree exactly;
    // only clipping tells them apart.
    const [m1, m2] = [await baseline.trainStep(), await clipped.trainStep()];
    expect(m2.loss).toBe(m1.loss);
    expect(m2.gradNormPre).toEqual(m1.gradNormPre);
    expect(m1.clipScale).toBe(1);
    baseline.dispose();
    clipped.dispose();
  });

  it('a diverging run stops the step it goes non-finite, names it, and keeps its history', async () => {
    const { run, metrics } = await train({ ...dense, clip: NO_CLIP }, 'clipped');
    expect(run.status).toBe('diverged');
    expect(run.divergence).toEqual({ step: 5, what: 'loss', value: 'Infinity' });
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
    await expect(run.trainStep()).rejects.toThrow('diverged');
    run.dispose();
  });

  it.each([11, 12, 13, 14, 15])(
    "with the app's own generator, seed %i: unclipped diverges in the first epochs, clipped converges",
    async (seed) => {
      const config = { ...dense, data: 'generated' as const, seed };
      const unclipped = await train(config, 'baseline');
      const clipped = await train(config, 'clipped');
      expect(unclipped.run.status).toBe('diverged');
      expect(unclipped.run.divergence?.step).toBeLessThanOrEqual(3 * 8); // within 3 epochs of 8 steps
      expect(clipped.run.status).toBe('finished');
      unclipped.run.dispose();
      clipped.run.dispose();
      const firstEpoch = clipped.metrics.slice(0, 8).reduce((s, m) => s + m.loss, 0) / 8;
      const lastEpoch = clipped.metrics.slice(-8).reduce((s, m) => s + m.loss, 0) / 8;
      expect(lastEpoch).toBeLessThan(0.01 * firstEpoch);
    },
  );

  it('the dense net keeps the tensor count flat over 400 steps of every clip mode and frees all on dispose', async () => {
    const start = tf.memory().numTensors;
    for (const mode of ['none', 'value', 'norm', 'global', 'global-tf'] as const) {
      for (const optimizer of ['sgd', 'adam', 'rmsprop'] as const) {
        const config: ExperimentConfig = {
          ...dense,
          optimizer,
          lr: 0.001,
          clip: { ...dense.clip, mode },
          data: 'generated',
        };
        const data = await loadTrainingData(config, nodeDataLoader);
        const run = new Run({ config, side: 'clipped', data });
        await run.trainStep();
        const afterFirst = tf.memory().numTensors;
        while (run.status === 'ready') await run.trainStep();
        expect(tf.memory().numTensors, `${mode}/${optimizer}`).toBe(afterFirst);
        run.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses an experiment that would exhaust the machine, with the limit stated, before allocating anything', async () => {
    const data = await loadTrainingData(dense, nodeDataLoader);
    const before = tf.memory().numTensors;
    const huge: ExperimentConfig = { ...PRESETS['lstm-pytorch'].config, hidden: 512, layers: 2, batch: 1024 };
    expect(() => new Run({ config: huge, side: 'clipped', data })).toThrow(
      /too large: batch x hidden x layers \(1024 x 512 x 2\).*at most 65536/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the tensor count stays flat over a long run: 5,000 steps of the dense net', async () => {
    const config: ExperimentConfig = { ...dense, steps: 5000, clip: { ...NO_CLIP, mode: 'global', threshold: 5 } };
    const data = await loadTrainingData(config, nodeDataLoader);
    const before = tf.memory().numTensors;
    const run = new Run({ config, side: 'clipped', data });
    await run.trainStep();
    const afterFirst = tf.memory().numTensors;
    while (run.status === 'ready') await run.trainStep();
    expect(run.step).toBe(5000);
    expect(tf.memory().numTensors).toBe(afterFirst);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
