/**
 * Recurrent nets on sequential MNIST. These are the heavy tests, so they run
 * on tfjs's WASM backend (about 6x faster than CPU in Node here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../src/cli/nodeBackend.ts';
import { nodeDataLoader } from '../../src/cli/nodeData.ts';
import { PRESETS } from '../../src/experiment/presets.ts';
import { loadTrainingData } from '../../src/train/data/trainingData.ts';
import { Run } from '../../src/train/trainer.ts';
import { at } from '../support/at.ts';

beforeAll(async () => {
  await startNodeBackend(['wasm']);
});

describe('recurrent nets on sequential MNIST (WASM backend)', () => {
  it("the tutorial's TensorFlow LSTM (32 units, Adam 0.001, batch 32) learns: test accuracy well above chance", async () => {
    const config = { ...PRESETS['lstm-tf'].config, trainSize: 10000, testSize: 1000, steps: 300, hiddenGradEvery: 0 };
    const data = await loadTrainingData(config, nodeDataLoader);
    const run = new Run({ config, side: 'clipped', data });
    const startedMs = performance.now();
    while (run.status === 'ready') await run.trainStep();
    const result = await run.evaluate();
    run.dispose();
    const seconds = (performance.now() - startedMs) / 1000;
    console.log(
      `LSTM 1x32 after ${config.steps} steps: test accuracy ${result?.testAccuracy} on ${result?.examples} held-out digits (${seconds.toFixed(1)} s on wasm)`,
    );
    expect(result?.examples).toBe(1000);
    expect(result?.testAccuracy).toBeGreaterThan(0.5); // chance is 0.1
  });

  it('the vanilla RNN gradient vanishes toward t = 1 at scale 1.0 and explodes at scale 2 and 3', async () => {
    const ratios: Record<1 | 2 | 3, number> = { 1: NaN, 2: NaN, 3: NaN };
    for (const recScale of [1, 2, 3] as const) {
      const config = { ...PRESETS['rnn-scale'].config, recScale, trainSize: 500, hiddenGradEvery: 1 };
      const data = await loadTrainingData(config, nodeDataLoader);
      const run = new Run({ config, side: 'baseline', data });
      const m = await run.trainStep();
      run.dispose();
      const h = m.hiddenGradNorms as number[];
      expect(h).toHaveLength(28);
      ratios[recScale] = at(h, 0) / at(h, 27);
    }
    console.log(
      `||dL/dh_1|| / ||dL/dh_28||: scale 1 -> ${ratios[1].toExponential(2)}, 2 -> ${ratios[2].toExponential(2)}, 3 -> ${ratios[3].toExponential(2)}`,
    );
    expect(ratios[1]).toBeLessThan(1);
    expect(ratios[2]).toBeGreaterThan(100);
    expect(ratios[3]).toBeGreaterThan(10 * ratios[2]);
  });

  it.each([
    ['rnn', 'value'],
    ['lstm', 'norm'],
    ['gru', 'global'],
    ['lstm', 'global-tf'],
  ] as const)(
    '%s with clip %s keeps the tensor count flat over 200 steps and frees everything on dispose',
    async (model, mode) => {
      const start = tf.memory().numTensors;
      const base = PRESETS['rnn-scale'].config;
      const config = {
        ...base,
        model,
        hidden: 8,
        layers: 2,
        batch: 8,
        trainSize: 200,
        testSize: 100,
        steps: 200,
        hiddenGradEvery: 7,
        optimizer: 'adam' as const,
        clip: { ...base.clip, mode },
      };
      const data = await loadTrainingData(config, nodeDataLoader);
      const run = new Run({ config, side: 'clipped', data });
      await run.trainStep();
      const afterFirst = tf.memory().numTensors;
      while (run.status === 'ready') await run.trainStep();
      await run.evaluate();
      expect(tf.memory().numTensors).toBe(afterFirst);
      run.dispose();
      expect(tf.memory().numTensors).toBe(start);
    },
  );
});
