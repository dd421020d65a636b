/**
 * One step's figures leave the device as ONE tensor, so a GPU backend pays one read-back a step (where tensors live
 * in CPU memory they are laid out on the host directly). The order
 * inside it is the metric registry's (metricSchema.ts): its `scalar` entries, then its `per parameter` ones
 * (one number per parameter each), then its `tail` blocks, present or not. The trainer hands this module
 * tensors by metric id and gets numbers back by the same ids.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedBackend } from './kernels/backendMemory.ts';
import { memoryFor } from './kernels/fusedRegistry.ts';
import { fusedCells } from './kernels/recurrentKernels.ts';
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

/** A run of values inside a 1-D tensor: packed without a Slice kernel where the packing is one kernel. */
export interface SliceOf {
  of: tf.Tensor1D;
  offset: number;
  length: number;
}

/** u / max(w, floor), elementwise (the update ratio): packed without its two kernels where the packing is one. */
export interface RatioOf {
  numerator: tf.Tensor1D;
  denominator: SliceOf;
  floor: number;
}

export const sliceOf = (of: tf.Tensor1D, offset: number, length: number): SliceOf => ({ of, offset, length });

function isSlice(part: unknown): part is SliceOf {
  return typeof part === 'object' && part !== null && 'of' in part;
}

/**
 * The tensors of one step, by metric id: a scalar each (or a [1] tensor or slice), one scalar per parameter or a
 * block of one value per parameter (a tensor, a slice or a ratio), and the tail blocks or null.
 */
export type PackedParts = Record<ScalarId, tf.Tensor | SliceOf> &
  Record<PerParameterId, tf.Tensor[] | tf.Tensor1D | SliceOf | RatioOf> &
  Record<TailId, tf.Tensor1D | null>;

/** One run of the packed values: a tensor (rank 0 or 1), a slice or a ratio. */
type Piece = tf.Tensor | SliceOf | RatioOf;

/** The parts in the registry's order. */
function piecesOf(parts: PackedParts): Piece[] {
  const pieces: Piece[] = [];
  for (const k of PACKED_SCALARS) pieces.push(parts[k]);
  for (const k of PACKED_PER_PARAMETER) {
    const part = parts[k];
    if (Array.isArray(part)) pieces.push(...part);
    else pieces.push(part);
  }
  for (const k of PACKED_TAIL) {
    const part = parts[k];
    if (part) pieces.push(part);
  }
  return pieces;
}

/**
 * The pieces' values laid end to end, on the host: each tensor read once, in place where it is float32 (the
 * backend's memory: no copy), and the values stay on the host: no tensor is made to be read back at once.
 */
function packOnHost(pieces: Piece[]): Float32Array {
  const backendName = tf.getBackend() as FusedBackend;
  const memory = memoryFor(backendName, tf.backend());
  const read = new Map<tf.Tensor, Float32Array | Int32Array | Uint8Array>();
  const valuesOf = (t: tf.Tensor) => {
    let values = read.get(t);
    if (!values) {
      values = t.dtype === 'float32' ? memory.view(t) : (t.dataSync() as Int32Array | Uint8Array);
      read.set(t, values);
    }
    return values;
  };
  const lengthOf = (piece: Piece) =>
    piece instanceof tf.Tensor ? piece.size : isSlice(piece) ? piece.length : piece.denominator.length;
  const out = new Float32Array(pieces.reduce((n, piece) => n + lengthOf(piece), 0));
  let cursor = 0;
  for (const piece of pieces) {
    if (piece instanceof tf.Tensor) out.set(valuesOf(piece), cursor);
    else if (isSlice(piece)) out.set(valuesOf(piece.of).subarray(piece.offset, piece.offset + piece.length), cursor);
    else {
      // u / max(w, floor) in float32, as tf.div and tf.maximum make it; NaN in either gives NaN.
      const { numerator, denominator, floor } = piece;
      const [u, w, f] = [valuesOf(numerator), valuesOf(denominator.of), Math.fround(floor)];
      for (let k = 0; k < denominator.length; k++) {
        const weight = w[denominator.offset + k]!;
        out[cursor + k] = u[k]! / (weight < f ? f : weight);
      }
    }
    cursor += lengthOf(piece);
  }
  return out;
}

/** The same with ops: slices and ratios made, loose scalars stacked, then one concat. */
function packWithOps(pieces: Piece[]): tf.Tensor1D {
  const slice = ({ of, offset, length }: SliceOf) => tf.slice(of, [offset], [length]);
  const runs: tf.Tensor[] = [];
  // Loose scalars in a row are stacked together: each Reshape or Pack is a kernel, each kernel a dispatch.
  let loose: tf.Tensor[] = [];
  const flush = () => {
    if (loose.length > 0) runs.push(tf.stack(loose));
    loose = [];
  };
  for (const piece of pieces) {
    if (piece instanceof tf.Tensor && piece.rank === 0) {
      loose.push(piece);
      continue;
    }
    flush();
    if (piece instanceof tf.Tensor) runs.push(piece);
    else if (isSlice(piece)) runs.push(slice(piece));
    else runs.push(tf.div(piece.numerator, tf.maximum(slice(piece.denominator), piece.floor)));
  }
  flush();
  return (runs.length === 1 ? runs[0] : tf.concat(runs)) as tf.Tensor1D;
}

/**
 * One step's figures packed: a [n] tensor to read back once (a GPU backend), or, where tensors live in CPU memory
 * (cpu, wasm), the values themselves, already on the host.
 */
export type PackedStep = tf.Tensor1D | Float32Array;

/**
 * Lays the parts end to end, in the registry's order; call inside a tidy. Where tensors live in CPU memory (cpu,
 * wasm: reading one costs no transfer) the values are laid out on the host, with no kernel and no tensor; elsewhere by
 * ops into one tensor, whose values are the same.
 */
export function packStep(parts: PackedParts): PackedStep {
  const pieces = piecesOf(parts);
  return fusedCells.on(tf.getBackend()) ? packOnHost(pieces) : packWithOps(pieces);
}

/** A packed step's values: read back from its tensor (which is disposed), or the host values as they are. */
export async function packedValues(packed: PackedStep): Promise<ArrayLike<number>> {
  if (packed instanceof Float32Array) return packed;
  const values = await packed.data();
  packed.dispose();
  return values;
}

/** Reads `packStep`'s values back by metric id, given how many numbers each part holds. */
export function unpackStep(values: ArrayLike<number>, counts: PackedCounts): UnpackedStep {
  const { params } = counts;
  const expected =
    PACKED_SCALARS.length + PACKED_PER_PARAMETER.length * params + PACKED_TAIL.reduce((n, k) => n + counts[k], 0);
  if (values.length !== expected) {
    throw new Error(`a packed step holds ${values.length} numbers; ${JSON.stringify(counts)} make ${expected}`);
  }
  // Plain loops into one object: Object.fromEntries and spreads of three made this 9 us of the dense net's 220 us step.
  const step: Record<string, number | number[] | null> = {};
  let cursor = 0;
  const take = (n: number): number[] => {
    const part = new Array<number>(n);
    for (let k = 0; k < n; k++) part[k] = values[cursor + k] ?? NaN;
    cursor += n;
    return part;
  };
  for (const k of PACKED_SCALARS) step[k] = values[cursor++] ?? NaN;
  for (const k of PACKED_PER_PARAMETER) step[k] = take(params);
  for (const k of PACKED_TAIL) step[k] = counts[k] > 0 ? take(counts[k]) : null;
  return step as unknown as UnpackedStep;
}
