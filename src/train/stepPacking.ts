/**
 * One step's figures leave the device as ONE tensor, so a GPU backend pays one read-back a step. The order
 * inside it is the metric registry's (metricSchema.ts): its `scalar` entries, then its `per parameter` ones
 * (one number per parameter each), then its `tail` blocks, present or not. The trainer hands this module
 * tensors by metric id and gets numbers back by the same ids.
 */
import * as tf from '@tensorflow/tfjs-core';
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

/**
 * The tensors of one step, by metric id: a scalar each (or a [1] slice), one scalar per parameter or a block of one
 * value per parameter, and the tail blocks or null.
 */
export type PackedParts = Record<ScalarId, tf.Tensor> &
  Record<PerParameterId, tf.Tensor[] | tf.Tensor1D> &
  Record<TailId, tf.Tensor1D | null>;

/** Lays the parts end to end as one [n] tensor, in the registry's order; call inside a tidy. */
export function packStep(parts: PackedParts): tf.Tensor1D {
  const pieces: tf.Tensor[] = [];
  // Loose scalars in a row are stacked together: each Reshape or Pack is a kernel, each kernel a dispatch.
  let loose: tf.Tensor[] = [];
  const flush = () => {
    if (loose.length > 0) pieces.push(tf.stack(loose.map((s) => (s.rank === 0 ? s : tf.reshape(s, [])))));
    loose = [];
  };
  for (const k of PACKED_SCALARS) {
    const t = parts[k];
    if (t.rank === 1) {
      flush();
      pieces.push(t);
    } else loose.push(t);
  }
  for (const k of PACKED_PER_PARAMETER) {
    const part = parts[k];
    if (Array.isArray(part)) loose.push(...part);
    else {
      flush();
      pieces.push(part);
    }
  }
  flush();
  pieces.push(...PACKED_TAIL.flatMap((k) => parts[k] ?? []));
  return (pieces.length === 1 ? pieces[0] : tf.concat(pieces)) as tf.Tensor1D;
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
