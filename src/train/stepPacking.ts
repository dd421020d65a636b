/**
 * One step's figures leave the device as ONE tensor, so a GPU backend pays one read-back a step.
 * This module is the only place that knows the order inside it: the trainer hands it named parts
 * and gets named values back, named as the metric schema names them.
 */
import * as tf from '@tensorflow/tfjs';
import type { MetricId } from './metricSchema.ts';

const SCALARS = ['loss', 'correctCount', 'clipFraction', 'clipScale', 'clipCosine'] as const;
const PER_PARAMETER = [
  'gradNormPre',
  'gradNormPost',
  'weightNorm',
  'updateRatio',
] as const satisfies readonly MetricId[];

type Scalar = (typeof SCALARS)[number];
type PerParameter = (typeof PER_PARAMETER)[number];

/** The per-layer figures of recurrent nets, and ||dL/dh_t||: present or not, in this order. */
const OPTIONAL = ['spectralNorm', 'saturation', 'hiddenGradNorms'] as const satisfies readonly MetricId[];
type Optional = (typeof OPTIONAL)[number];

/**
 * Tensors of one step: scalars, one scalar per parameter, and the recurrent figures when measured:
 * the spectral norm of each W_hh, the saturated fraction of each layer, ||dL/dh_t|| (layers x steps).
 */
export type PackedParts = Record<Scalar, tf.Tensor> &
  Record<PerParameter, tf.Tensor[]> &
  Record<Optional, tf.Tensor1D | null>;

export type UnpackedStep = Record<Scalar, number> & Record<PerParameter, number[]> & Record<Optional, number[] | null>;

/** How many numbers each part holds (0: not packed this step). */
export type PackedCounts = { params: number } & Record<Optional, number>;

/** Stacks the parts into one [n] tensor; call inside a tidy. */
export function packStep(parts: PackedParts): tf.Tensor1D {
  const scalars = [...SCALARS.map((k) => parts[k]), ...PER_PARAMETER.flatMap((k) => parts[k])];
  // A rank-0 tensor needs no Reshape kernel (each kernel is a dispatch).
  const head = tf.stack(scalars.map((s) => (s.rank === 0 ? s : tf.reshape(s, [])))) as tf.Tensor1D;
  const tail = OPTIONAL.flatMap((k) => parts[k] ?? []);
  return tail.length > 0 ? tf.concat([head, ...tail]) : head;
}

/** Reads `packStep`'s values back by name, given how many numbers each part holds. */
export function unpackStep(values: ArrayLike<number>, counts: PackedCounts): UnpackedStep {
  const { params } = counts;
  const expected = SCALARS.length + PER_PARAMETER.length * params + OPTIONAL.reduce((n, k) => n + counts[k], 0);
  if (values.length !== expected) {
    throw new Error(`a packed step holds ${values.length} numbers; ${JSON.stringify(counts)} make ${expected}`);
  }
  let cursor = 0;
  const take = (n: number): number[] => {
    const part = Array.from({ length: n }, (_, k) => values[cursor + k] ?? NaN);
    cursor += n;
    return part;
  };
  const scalars = Object.fromEntries(SCALARS.map((k) => [k, take(1)[0] ?? NaN])) as Record<Scalar, number>;
  const perParameter = Object.fromEntries(PER_PARAMETER.map((k) => [k, take(params)])) as Record<
    PerParameter,
    number[]
  >;
  const optional = Object.fromEntries(OPTIONAL.map((k) => [k, counts[k] > 0 ? take(counts[k]) : null]));
  return { ...scalars, ...perParameter, ...(optional as Record<Optional, number[] | null>) };
}
