/**
 * Sequential MNIST: each 28x28 image is read as 28 time steps of 28 pixels,
 * normalised with the usual mean 0.1307 and std 0.3081 (torchvision's figures).
 */
import * as tf from '@tensorflow/tfjs-core';
import { MNIST_CLASSES, MNIST_PIXELS, MNIST_STEPS } from '../../experiment/config.ts';
import { parseIdx } from './idx.ts';

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
export const MNIST_IMAGE_BYTES = MNIST_STEPS * MNIST_PIXELS;

export interface MnistSplit {
  /** count x 784 raw pixels, 0-255. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export function mnistSplitFromIdx(
  imagesIdx: ArrayBuffer | Uint8Array,
  labelsIdx: ArrayBuffer | Uint8Array,
  limit = Infinity,
): MnistSplit {
  const images = parseIdx(imagesIdx);
  const labels = parseIdx(labelsIdx);
  if (images.dims.length !== 3 || images.dims[1] !== MNIST_STEPS || images.dims[2] !== MNIST_PIXELS) {
    throw new Error(`MNIST images must be N x 28 x 28, got ${images.dims.join(' x ')}`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new Error(`MNIST labels (${labels.dims.join(' x ')}) do not match ${images.dims[0]} images`);
  }
  const count = Math.min(images.dims[0] ?? 0, limit);
  return { images: images.data.subarray(0, count * MNIST_IMAGE_BYTES), labels: labels.data.subarray(0, count), count };
}

/** Joins chunks read separately (the browser loads the training set in chunks). */
export function concatSplits(parts: MnistSplit[], limit = Infinity): MnistSplit {
  const total = Math.min(
    parts.reduce((n, p) => n + p.count, 0),
    limit,
  );
  const images = new Uint8Array(total * MNIST_IMAGE_BYTES);
  const labels = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    const take = Math.min(part.count, total - at);
    if (take <= 0) break;
    images.set(part.images.subarray(0, take * MNIST_IMAGE_BYTES), at * MNIST_IMAGE_BYTES);
    labels.set(part.labels.subarray(0, take), at);
    at += take;
  }
  return { images, labels, count: total };
}

/** The k-th of `indices`, checked to be a row of a set of `rows` rows. */
export function rowIndex(indices: ArrayLike<number>, k: number, rows: number): number {
  const i = indices[k];
  if (i === undefined || !Number.isInteger(i) || i < 0 || i >= rows)
    throw new Error(`batch index ${k} is ${i}, not a row of 0..${rows - 1}`);
  return i;
}

/**
 * A byte's normalised value, (v / 255 - mean) / std, as a float32: looked up per pixel instead of computed (a batch
 * of 64 images took 0.2 ms of the RNN 1x128's step of about 9; the values are the float32s the formula stored).
 */
const NORMALISED = Float32Array.from({ length: 256 }, (_, v) => v * (1 / (255 * MNIST_STD)) - MNIST_MEAN / MNIST_STD);

/** The images at `indices` as a [B, 28, 28] normalised float tensor and one-hot [B, 10] labels. */
export function mnistBatch(
  split: MnistSplit,
  indices: ArrayLike<number>,
): { x: tf.Tensor3D; y: tf.Tensor2D; labels: Int32Array } {
  const b = indices.length;
  const pixels = new Float32Array(b * MNIST_IMAGE_BYTES);
  const labels = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const i = rowIndex(indices, k, split.count);
    const offset = i * MNIST_IMAGE_BYTES;
    // i < count, so every pixel index is inside the split (the `!` says so to noUncheckedIndexedAccess).
    for (let p = 0; p < MNIST_IMAGE_BYTES; p++)
      pixels[k * MNIST_IMAGE_BYTES + p] = NORMALISED[split.images[offset + p]!]!;
    labels[k] = split.labels[i]!;
  }
  return tf.tidy(() => ({
    x: tf.tensor3d(pixels, [b, MNIST_STEPS, MNIST_PIXELS]),
    y: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), MNIST_CLASSES), 'float32') as tf.Tensor2D,
    labels,
  }));
}
