/**
 * The adding problem (Hochreiter and Schmidhuber 1997; the version of Pascanu, Mikolov and Bengio 2013):
 * a sequence of T pairs (a value uniform in [0, 1), a marker 0 or 1) with exactly two markers, one in the
 * first half (t < floor(T/2)) and one in the second; the target is the sum of the two marked values. Only
 * what the net must carry across up to T - 1 steps tells it the answer, which is what makes it hard.
 *
 * A set keeps its values and the two marked positions per sequence (not the [N, T, 2] input), drawn from
 * one seeded stream, so the same seed and label give the same set and the train and test sets differ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ADDING_INPUTS } from '../../experiment/config.ts';
import type { Rng } from '../rng.ts';
import { rowIndex } from './mnist.ts';

export interface AddingSet {
  /** count x steps values, row-major. */
  values: Float32Array;
  /** The two marked time steps (0-based) of each sequence: first[i] < floor(T/2) <= second[i]. */
  first: Uint16Array;
  second: Uint16Array;
  /** Sum of the two marked values (summed in float32, as the net sees the values). */
  targets: Float32Array;
  count: number;
  steps: number;
}

export function makeAddingSet(rng: Rng, count: number, steps: number): AddingSet {
  if (!Number.isInteger(steps) || steps < 2)
    throw new Error(`adding problem: T must be an integer of at least 2, got ${steps}`);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`adding problem: the number of sequences must be a positive integer, got ${count}`);
  const half = Math.floor(steps / 2);
  const values = new Float32Array(count * steps);
  const first = new Uint16Array(count);
  const second = new Uint16Array(count);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < steps; t++) values[i * steps + t] = rng.uniform();
    const a = rng.int(half);
    const b = half + rng.int(steps - half);
    first[i] = a;
    second[i] = b;
    targets[i] = Math.fround(values[i * steps + a]! + values[i * steps + b]!);
  }
  return { values, first, second, targets, count, steps };
}

/** The sequences at `indices` as a [B, T, 2] input (value, marker) and the [B, 1] targets; the caller disposes them. */
export function addingBatch(set: AddingSet, indices: ArrayLike<number>): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const b = indices.length;
  const { steps } = set;
  const x = new Float32Array(b * steps * ADDING_INPUTS);
  const y = new Float32Array(b);
  for (let k = 0; k < b; k++) {
    const i = rowIndex(indices, k, set.count);
    const row = k * steps * ADDING_INPUTS;
    for (let t = 0; t < steps; t++) x[row + t * ADDING_INPUTS] = set.values[i * steps + t]!;
    x[row + set.first[i]! * ADDING_INPUTS + 1] = 1;
    x[row + set.second[i]! * ADDING_INPUTS + 1] = 1;
    y[k] = set.targets[i]!;
  }
  return { x: tf.tensor3d(x, [b, steps, ADDING_INPUTS]), y: tf.tensor2d(y, [b, 1]) };
}
