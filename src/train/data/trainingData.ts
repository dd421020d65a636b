/**
 * The data of one experiment, loaded once and shared by both runs of a pair.
 * Where bytes come from differs by place (files in Node, fetched chunks in the
 * browser), so the caller passes a DataLoader; everything after is shared.
 */
import * as tf from '@tensorflow/tfjs-core';
import { REGRESSION_FEATURES, type ExperimentConfig } from '../../experiment/config.ts';
import { Rng } from '../rng.ts';
import { addingBatch, makeAddingSet, type AddingSet } from './adding.ts';
import { TUTORIAL_REGRESSION, makeRegression } from './makeRegression.ts';
import { mnistBatch, rowIndex, type MnistSplit } from './mnist.ts';
import { parseRegressionCsv, type RegressionSet } from './regressionSet.ts';

export interface DataLoader {
  /** The text of make_regression_rs1.csv. */
  regressionCsv(): Promise<string>;
  /** The first `count` images of a split. */
  mnist(split: 'train' | 'test', count: number): Promise<MnistSplit>;
}

export type TrainingData =
  | { kind: 'regression'; set: RegressionSet }
  | { kind: 'mnist'; train: MnistSplit; test: MnistSplit }
  | { kind: 'adding'; train: AddingSet; test: AddingSet };

export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

export async function loadTrainingData(config: ExperimentConfig, loader: DataLoader): Promise<TrainingData> {
  if (config.model === 'dense') {
    if (config.data === 'rs1') return { kind: 'regression', set: parseRegressionCsv(await loader.regressionCsv()) };
    const rng = new Rng(config.seed).fork('data');
    return {
      kind: 'regression',
      set: makeRegression(rng, { ...TUTORIAL_REGRESSION, samples: config.samples, features: REGRESSION_FEATURES }),
    };
  }
  if (config.task === 'adding') {
    // Generated from the seed, nothing to load; two streams, so the test set is not the training set.
    const rng = new Rng(config.seed).fork('adding');
    return {
      kind: 'adding',
      train: makeAddingSet(rng.fork('train'), config.trainSize, config.seqLen),
      test: makeAddingSet(rng.fork('test'), config.testSize, config.seqLen),
    };
  }
  const [train, test] = await Promise.all([
    loader.mnist('train', config.trainSize),
    loader.mnist('test', config.testSize),
  ]);
  return { kind: 'mnist', train, test };
}

export function trainRows(data: TrainingData): number {
  return data.kind === 'regression' ? data.set.rows : data.train.count;
}

/** Tensors for the rows at `indices`; the caller disposes them. */
export function makeBatch(data: TrainingData, indices: ArrayLike<number>): Batch {
  if (data.kind === 'mnist') {
    const { x, y } = mnistBatch(data.train, indices);
    return { x, y };
  }
  if (data.kind === 'adding') return addingBatch(data.train, indices);
  const { set } = data;
  const b = indices.length;
  const x = new Float32Array(b * set.features);
  const y = new Float32Array(b);
  for (let k = 0; k < b; k++) {
    const i = rowIndex(indices, k, set.rows);
    x.set(set.x.subarray(i * set.features, (i + 1) * set.features), k * set.features);
    y[k] = set.y[i]!;
  }
  return { x: tf.tensor2d(x, [b, set.features]), y: tf.tensor1d(y) };
}
