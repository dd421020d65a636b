/**
 * Weight initialisers, drawn from the run's seeded Rng in plain JS (float64,
 * stored as float32) so that the same seed gives the same weights on every
 * backend, and a pair's two runs start identical.
 */
import type { Rng } from '../rng.ts';

export function uniformArray(rng: Rng, size: number, bound: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniformIn(-bound, bound);
  return out;
}

/** Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  return uniformArray(rng, fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)));
}

export function constantArray(size: number, value: number): Float32Array {
  return new Float32Array(size).fill(value);
}

/**
 * A rows x cols matrix (row-major) with orthonormal rows or columns, whichever
 * are fewer, times `gain`: Q of the QR decomposition of a Gaussian matrix with
 * the signs of diag(R) folded in, as in Saxe et al. 2013, torch and Keras.
 */
export function orthogonal(rng: Rng, rows: number, cols: number, gain = 1): Float32Array {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // length of each orthonormal vector
  const k = tall ? cols : rows; // how many vectors
  const vectors: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    vectors.push(v);
  }
  // Modified Gram-Schmidt, twice for numerical orthogonality; the first pass's
  // norm is diag(R), whose sign is kept (i.e. Q's columns are not flipped).
  // Loop bounds keep every index below in range (the `!`s say so to noUncheckedIndexedAccess).
  for (let j = 0; j < k; j++) {
    const v = vectors[j]!;
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const q = vectors[p]!;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i]! * v[i]!;
        for (let i = 0; i < n; i++) v[i]! -= dot * q[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    if (norm < 1e-12) throw new Error('orthogonal init: degenerate random matrix');
    for (let i = 0; i < n; i++) v[i]! /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = gain * (tall ? vectors[c]![r]! : vectors[r]![c]!);
    }
  }
  return out;
}
