/**
 * One step's figures leave the device as ONE tensor, so a GPU backend pays one read-back a step. The order
 * inside it is the metric registry's (metricSchema.ts): its `scalar` entries, then its `per parameter` ones
 * (one number per parameter each), then its `tail` blocks, present or not. The trainer hands this module
 * tensors by metric id and gets numbers back by the same ids.
 */
import * as tf from '@tensorflow/tfjs';
import {
  PACKED_PER_PARAMETER,
  PACKED_SCALARS,
  PACKED_TAIL,
  type PackedCounts,
  type PerParameterId,
  type ScalarId,
  type TailId,
  type UnpackedStep,
} from './metricSchema.ts';

export type { PackedCounts, UnpackedStep } from './metricSchema.ts';

/** The tensors of one step, by metric id: a scalar each, one scalar per parameter, and the tail blocks or null. */
export type PackedParts = Record<ScalarId, tf.Tensor> &
  Record<PerParameterId, tf.Tensor[]> &
  Record<TailId, tf.Tensor1D | null>;

/** Stacks the parts into one [n] tensor; call inside a tidy. */
export function packStep(parts: PackedParts): tf.Tensor1D {
  const scalars = [...PACKED_SCALARS.map((k) => parts[k]), ...PACKED_PER_PARAMETER.flatMap((k) => parts[k])];
  // A rank-0 tensor needs no Reshape kernel (each kernel is a dispatch).
  const head = tf.stack(scalars.map((s) => (s.rank === 0 ? s : tf.reshape(s, [])))) as tf.Tensor1D;
  const tail = PACKED_TAIL.flatMap((k) => parts[k] ?? []);
  return tail.length > 0 ? tf.concat([head, ...tail]) : head;
}

/** Reads `packStep`'s values back by metric id, given how many numbers each part holds. */
export function unpackStep(values: ArrayLike<number>, counts: PackedCounts): UnpackedStep {
  const { params } = counts;
  const expected =
    PACKED_SCALARS.length + PACKED_PER_PARAMETER.length * params + PACKED_TAIL.reduce((n, k) => n + counts[k], 0);
  if (values.length !== expected) {
    throw new Error(`a packed step holds ${values.length} numbers; ${JSON.stringify(counts)} make ${expected}`);
  }
  let cursor = 0;
  const take = (n: number): number[] => {
    const part = Array.from({ length: n }, (_, k) => values[cursor + k] ?? NaN);
    cursor += n;
    return part;
  };
  const scalars = Object.fromEntries(PACKED_SCALARS.map((k) => [k, take(1)[0] ?? NaN]));
  const perParameter = Object.fromEntries(PACKED_PER_PARAMETER.map((k) => [k, take(params)]));
  const tail = Object.fromEntries(PACKED_TAIL.map((k) => [k, counts[k] > 0 ? take(counts[k]) : null]));
  return { ...scalars, ...perParameter, ...tail } as UnpackedStep;
}
