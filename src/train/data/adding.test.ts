import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ADDING_BASELINE_MSE, DEFAULT_CONFIG, type ExperimentConfig } from '../../experiment/config.ts';
import { Rng } from '../rng.ts';
import { addingBatch, makeAddingSet, type AddingSet } from './adding.ts';
import { loadTrainingData, makeBatch, trainRows, type DataLoader } from './trainingData.ts';

const noFiles: DataLoader = {
  regressionCsv: () => Promise.reject(new Error('the adding problem reads no file')),
  mnist: () => Promise.reject(new Error('the adding problem reads no file')),
};

const addingConfig: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  model: 'rnn',
  task: 'adding',
  seqLen: 21,
  trainSize: 300,
  testSize: 200,
};

describe('the adding problem', () => {
  it('has exactly two markers, one in each half, and the target is the sum of the marked values', () => {
    for (const steps of [2, 3, 10, 21, 200]) {
      const set = makeAddingSet(new Rng(7), 500, steps);
      const half = Math.floor(steps / 2);
      expect(set.values).toHaveLength(500 * steps);
      const wrong: string[] = [];
      for (let i = 0; i < set.count; i++) {
        const a = set.first[i] ?? -1;
        const b = set.second[i] ?? -1;
        if (a < 0 || a >= half || b < half || b >= steps) wrong.push(`sequence ${i}: markers at ${a}, ${b}`);
        const sum = Math.fround((set.values[i * steps + a] ?? NaN) + (set.values[i * steps + b] ?? NaN));
        if (set.targets[i] !== sum) wrong.push(`sequence ${i}: target ${set.targets[i]}, marked sum ${sum}`);
      }
      expect(wrong).toEqual([]);
      expect(Math.min(...set.values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...set.values)).toBeLessThan(1);
    }
  });

  it('marks every position of each half about equally often', () => {
    const steps = 10;
    const set = makeAddingSet(new Rng(3), 20_000, steps);
    const counts = new Array<number>(steps).fill(0);
    for (let i = 0; i < set.count; i++) {
      counts[set.first[i] ?? 0]! += 1;
      counts[set.second[i] ?? 0]! += 1;
    }
    // Each of the 5 positions of a half is marked in 1/5 of 20,000 sequences: 4,000 (sd about 57).
    for (const c of counts) expect(Math.abs(c - 4000)).toBeLessThan(300);
  });

  it('always answering 1 scores 1/6 on it: the 0.167 the charts mark', () => {
    const set = makeAddingSet(new Rng(11), 50_000, 30);
    let squares = 0;
    for (const t of set.targets) squares += (1 - t) ** 2;
    // Var(U1 + U2) = 2/12; the standard error of the mean of 50,000 squares is about 0.0007.
    expect(ADDING_BASELINE_MSE).toBeCloseTo(0.1667, 4);
    expect(Math.abs(squares / set.count - ADDING_BASELINE_MSE)).toBeLessThan(0.004);
  });

  it('lays a batch out as [B, T, (value, marker)] with [B, 1] targets, and leaves no tensor behind', () => {
    // A hand-made set: two sequences of T = 4.
    const set: AddingSet = {
      values: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]),
      first: Uint16Array.from([1, 0]),
      second: Uint16Array.from([3, 2]),
      targets: Float32Array.from([0.6, 1.2]),
      count: 2,
      steps: 4,
    };
    const before = tf.memory().numTensors;
    const { x, y } = addingBatch(set, [1, 0, 1]);
    expect(x.shape).toEqual([3, 4, 2]);
    expect(y.shape).toEqual([3, 1]);
    const xs = Array.from(x.dataSync());
    const second = [0.5, 1, 0.6, 0, 0.7, 1, 0.8, 0];
    const first = [0.1, 0, 0.2, 1, 0.3, 0, 0.4, 1];
    expect(xs.map((v) => Number(v.toFixed(6)))).toEqual([...second, ...first, ...second]);
    expect(Array.from(y.dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([1.2, 0.6, 1.2]);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => addingBatch(set, [2])).toThrow(/batch index 0 is 2, not a row of 0..1/);
  });

  it('refuses a sequence too short for two halves, or no sequences, naming the value', () => {
    expect(() => makeAddingSet(new Rng(1), 10, 1)).toThrow(/T must be an integer of at least 2, got 1/);
    expect(() => makeAddingSet(new Rng(1), 0, 10)).toThrow(/number of sequences must be a positive integer, got 0/);
  });

  it('is made from the seed: the same seed gives the same sets, the test set is not the training set', async () => {
    const a = await loadTrainingData(addingConfig, noFiles);
    const b = await loadTrainingData(addingConfig, noFiles);
    const c = await loadTrainingData({ ...addingConfig, seed: 1 }, noFiles);
    if (a.kind !== 'adding' || b.kind !== 'adding' || c.kind !== 'adding') throw new Error('not the adding problem');
    expect(a.train.count).toBe(300);
    expect(a.test.count).toBe(200);
    expect(a.train.steps).toBe(21);
    expect(trainRows(a)).toBe(300);
    expect(b.train.values).toEqual(a.train.values);
    expect(b.test.values).toEqual(a.test.values);
    expect(b.train.first).toEqual(a.train.first);
    // No test sequence starts like the first training sequence, and another seed gives other data.
    expect(a.test.values.subarray(0, 21)).not.toEqual(a.train.values.subarray(0, 21));
    expect(c.train.values.subarray(0, 21)).not.toEqual(a.train.values.subarray(0, 21));
    const { x, y } = makeBatch(a, [5]);
    expect(x.shape).toEqual([1, 21, 2]);
    expect(y.dataSync()[0]).toBe(a.train.targets[5]);
    tf.dispose([x, y]);
  });
});
