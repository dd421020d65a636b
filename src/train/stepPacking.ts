/**
 * One step's figures leave the device as ONE tensor, so a GPU backend pays one read-back a step.
 * This module is the only place that knows the order inside it: the trainer hands it named parts
 * and gets named values back, named as the metric schema names them.
 */
import * as tf from '@tensorflow/tfjs';
import type { MetricId } from './metricSchema.ts';

const SCALARS = ['loss', 'correctCount', 'clipFraction', 'clipScale'] as const;
const PER_PARAMETER = [
  'gradNormPre',
  'gradNormPost',
  'weightNorm',
  'updateRatio',
] as const satisfies readonly MetricId[];

type Scalar = (typeof SCALARS)[number];
type PerParameter = (typeof PER_PARAMETER)[number];

/** Tensors of one step: scalars, one scalar per parameter, and ||dL/dh_t|| (layers x steps) when measured. */
export type PackedParts = Record<Scalar, tf.Tensor> &
  Record<PerParameter, tf.Tensor[]> & { hiddenGradNorms: tf.Tensor1D | null };

export type UnpackedStep = Record<Scalar, number> &
  Record<PerParameter, number[]> & { hiddenGradNorms: number[] | null };

/** Stacks the parts into one [n] tensor; call inside a tidy. */
export function packStep(parts: PackedParts): tf.Tensor1D {
  const scalars = [...SCALARS.map((k) => parts[k]), ...PER_PARAMETER.flatMap((k) => parts[k])];
  // A rank-0 tensor needs no Reshape kernel (each kernel is a dispatch).
  const head = tf.stack(scalars.map((s) => (s.rank === 0 ? s : tf.reshape(s, [])))) as tf.Tensor1D;
  return parts.hiddenGradNorms ? tf.concat([head, parts.hiddenGradNorms]) : head;
}

/** Reads `packStep`'s values back by name; `hidden` is how many ||dL/dh_t|| were packed (0: none). */
export function unpackStep(values: ArrayLike<number>, params: number, hidden: number): UnpackedStep {
  const expected = SCALARS.length + PER_PARAMETER.length * params + hidden;
  if (values.length !== expected) {
    throw new Error(
      `a packed step holds ${values.length} numbers; ${params} parameters and ${hidden} hidden norms make ${expected}`,
    );
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
  return { ...scalars, ...perParameter, hiddenGradNorms: hidden > 0 ? take(hidden) : null };
}
