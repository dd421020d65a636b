/** A run on the adding problem: its layout, a step's metrics over all T steps, and the test MSE it reports. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ADDING_BASELINE_MSE, DEFAULT_CONFIG, NO_CLIP, type ExperimentConfig } from '../experiment/config.ts';
import { loadTrainingData, type DataLoader } from './data/trainingData.ts';
import { Run, initialWeightsFor } from './trainer.ts';

const noFiles: DataLoader = {
  regressionCsv: () => Promise.reject(new Error('the adding problem reads no file')),
  mnist: () => Promise.reject(new Error('the adding problem reads no file')),
};

const config: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  model: 'rnn',
  task: 'adding',
  seqLen: 15,
  hidden: 6,
  trainSize: 200,
  testSize: 1200,
  optimizer: 'sgd',
  lr: 0.05,
  batch: 16,
  steps: 3,
  hiddenGradEvery: 1,
  clip: { ...NO_CLIP, mode: 'global', threshold: 0.5 },
};

describe('a run on the adding problem', () => {
  it('reads T steps of (value, marker), measures ||dL/dh_t|| at every one, and has no accuracy', async () => {
    const data = await loadTrainingData(config, noFiles);
    const run = new Run({ config, side: 'clipped', data });
    expect(run.layout).toMatchObject({ hiddenLayers: 1, timeSteps: 15, classifier: false, layers: ['rnn0', 'out'] });
    expect(run.layout.params.map((p) => `${p.name}:${p.size}`)).toEqual([
      'rnn0.W_ih:12',
      'rnn0.W_hh:36',
      'rnn0.b_ih:6',
      'rnn0.b_hh:6',
      'out.weight:6',
      'out.bias:1',
    ]);
    expect(run.hasTestSet).toBe(true);
    await run.trainStep();
    // After the first step (which makes the optimiser's momentum slots) a step and an evaluation leave nothing behind.
    const before = tf.memory().numTensors;
    const m = await run.trainStep();
    expect(m.accuracy).toBeNull();
    expect(m.hiddenGradNorms).toHaveLength(15);
    expect(Number.isFinite(m.loss) && m.loss > 0).toBe(true);
    const evaluation = await run.evaluate();
    expect(evaluation).toMatchObject({ step: 2, testAccuracy: null, examples: 1200 });
    expect(evaluation?.testSolved).toBeGreaterThanOrEqual(0);
    expect(evaluation?.testSolved).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
    run.dispose();
  });

  it('reports the test MSE: a net that always answers 1 scores mean((1 - target)^2), about 1/6', async () => {
    const data = await loadTrainingData(config, noFiles);
    if (data.kind !== 'adding') throw new Error('not the adding problem');
    // Output weights 0 and bias 1: whatever the hidden state, the answer is 1.
    const weights = initialWeightsFor(config);
    weights['out.weight'] = new Float32Array(6);
    weights['out.bias'] = Float32Array.from([1]);
    const run = new Run({ config, side: 'clipped', data, initialWeights: weights });
    let expected = 0;
    for (const t of data.test.targets) expected += (1 - t) ** 2;
    expected /= data.test.count;
    const evaluation = await run.evaluate();
    run.dispose();
    expect(evaluation?.testLoss).toBeCloseTo(expected, 5);
    expect(Math.abs(expected - ADDING_BASELINE_MSE)).toBeLessThan(0.02);
  });

  it('counts a test sequence as solved when its squared error is under 0.04: answering 1 solves |target - 1| < 0.2, about 36%', async () => {
    const data = await loadTrainingData(config, noFiles);
    if (data.kind !== 'adding') throw new Error('not the adding problem');
    const answering = async (answer: number) => {
      const weights = initialWeightsFor(config);
      weights['out.weight'] = new Float32Array(6);
      weights['out.bias'] = Float32Array.from([answer]);
      const run = new Run({ config, side: 'clipped', data, initialWeights: weights });
      const evaluation = await run.evaluate();
      run.dispose();
      return evaluation?.testSolved;
    };
    // By hand: a sequence is solved when (answer - target)^2 < 0.04; the test set has 1,200 (more than one chunk).
    const solvedBy = (answer: number) => data.test.targets.filter((t) => (answer - t) ** 2 < 0.04).length / 1200;
    expect(await answering(1)).toBe(solvedBy(1));
    // The sum of two U(0, 1) is triangular on [0, 2]: P(|s - 1| < 0.2) = 1 - 0.8^2 = 0.36.
    expect(Math.abs(solvedBy(1) - 0.36)).toBeLessThan(0.04);
    // Answering 3 is 1 or more off every target: nothing solved.
    expect(await answering(3)).toBe(0);
    expect(await answering(0.5)).toBe(solvedBy(0.5));
  });

  it('replays from the seed: two runs of one config take the same steps', async () => {
    const losses = async () => {
      const data = await loadTrainingData(config, noFiles);
      const run = new Run({ config, side: 'clipped', data });
      const out: number[] = [];
      while (run.status === 'ready') out.push((await run.trainStep()).loss);
      run.dispose();
      return out;
    };
    const first = await losses();
    expect(first).toHaveLength(3);
    expect(await losses()).toEqual(first);
  });

  it('is refused before any tensor exists when batch x T x hidden x layers is too large', async () => {
    const big = { ...config, seqLen: 200, hidden: 512, layers: 2, batch: 16 };
    const data = await loadTrainingData({ ...config, trainSize: 100, testSize: 100 }, noFiles);
    const before = tf.memory().numTensors;
    expect(() => new Run({ config: big, side: 'clipped', data })).toThrow(
      /batch x T x hidden x layers \(16 x 200 x 512 x 2\) is too large/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
