/**
 * A step's figures laid end to end as ONE kernel on the backends whose tensors live in CPU memory ('cpu', 'wasm'):
 * what stepPacking.ts does with slices, a maximum and a quotient (the update ratio), stacks and a concat, which on the
 * dense net's step were 8 of the lab's 9 kernels beyond the bare step (issue 23: the step with metrics at most 1.3x
 * the kernels of the bare step).
 *
 * Inputs t0.., attribute `segments`: the output in order, each segment either values copied from one input
 * (`copy`: input, offset, length) or the quotient u / max(w, floor) of two inputs' runs of values (`ratio`), rounded
 * to float32 as tf.div and tf.maximum round it; a NaN in either gives NaN, as both backends' maximum and div make it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedBackend } from './backendMemory.ts';
import { fusedKernelOn, memoryFor } from './fusedRegistry.ts';

export const PACK_STEP = 'GradLabPack';

export type PackSegment =
  | { kind: 'copy'; input: number; offset: number; length: number }
  | {
      kind: 'ratio';
      numerator: number;
      numeratorOffset: number;
      denominator: number;
      denominatorOffset: number;
      length: number;
      floor: number;
    };

function packKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const segments = JSON.parse(String(attrs?.['segments'])) as PackSegment[];
    const memory = memoryFor(backendName, backend);
    const total = segments.reduce((n, s) => n + s.length, 0);
    const out = memory.alloc([total]);
    const values = memory.view(out);
    const view = (k: number): Float32Array => {
      const t = inputs[`t${k}`];
      if (!t || t.dtype !== 'float32') throw new Error(`${PACK_STEP} reads float32 tensors t0..; t${k}?`);
      return memory.view(t);
    };
    let cursor = 0;
    for (const s of segments) {
      if (s.kind === 'copy') values.set(view(s.input).subarray(s.offset, s.offset + s.length), cursor);
      else {
        const [u, w, floor] = [view(s.numerator), view(s.denominator), Math.fround(s.floor)];
        for (let k = 0; k < s.length; k++) {
          const weight = w[s.denominatorOffset + k]!;
          values[cursor + k] = u[s.numeratorOffset + k]! / (weight < floor ? floor : weight);
        }
      }
      cursor += s.length;
    }
    return out;
  };
}

/** The segments packed as one [n] tensor on cpu and wasm; null elsewhere (the caller then uses the ops). */
export function fusedPack(tensors: tf.Tensor[], segments: PackSegment[]): tf.Tensor1D | null {
  if (tensors.some((t) => t.dtype !== 'float32') || !fusedKernelOn(PACK_STEP, tf.getBackend(), packKernel)) return null;
  const inputs: tf.NamedTensorMap = {};
  tensors.forEach((t, k) => (inputs[`t${k}`] = t));
  return tf.engine().runKernel(PACK_STEP, inputs, {
    segments: JSON.stringify(segments),
  } as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
