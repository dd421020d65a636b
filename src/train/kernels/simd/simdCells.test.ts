/**
 * The SIMD cell module against the TypeScript it replaces on wasm, to the bit: tanh (tanhOf, over float32 bit
 * patterns of both signs and the edge values), the RNN step's sums and tanh, dz = dh (1 - h^2), and the block
 * transpose, at widths and row counts that leave every tail of the four-lane loops; each writes nothing past
 * what it is given. Then the fused RNN layer with the module and without it: the same forward and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../../cli/nodeBackend.ts';
import type { BackendMemory, SimdCellOps } from '../backendMemory.ts';
import { memoryFor } from '../fusedRegistry.ts';
import { rnnLayer } from '../../models/rnnLayer.ts';
import { clampInto } from '../clipKernel.ts';
import { countAbove } from '../diagnosticKernels.ts';
import { transposeBlock } from '../recurrentKernels.ts';
import { tanhOf } from '../tanhKernel.ts';
import { bindSimdCells, simdCellsSwitch } from './simdCells.ts';

const fround = Math.fround;
let memory: BackendMemory;
let simd: SimdCellOps;

beforeAll(async () => {
  await startNodeBackend(['wasm']);
  memory = memoryFor('wasm', tf.backend());
  const cells = memory.simd();
  if (!cells) throw new Error('the SIMD cell module did not bind to the wasm backend in Node');
  simd = cells;
});

afterEach(() => {
  simdCellsSwitch.on = true;
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** A temporary of `memory` holding `values`, with the given shape. */
function filled(shape: number[], values: ArrayLike<number>): tf.TensorInfo {
  const info = memory.alloc(shape);
  memory.view(info).set(values);
  return info;
}

/** A deterministic spread of values, some past tanh's saturation. */
function spread(n: number, scale: number, phase = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 2.3 + phase) * scale * (1 + (i % 5)));
}

const SENTINEL = -12345.5;

describe('the SIMD module', () => {
  it('binds to the wasm heap in Node (so the tests below test it), and not to a shared heap or a non-memory', () => {
    expect(memory.simd()).not.toBeNull();
    const malloc = () => 0;
    expect(bindSimdCells({ buffer: new ArrayBuffer(8) }, malloc)).toBeNull();
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    expect(bindSimdCells(shared, malloc)).toBeNull();
    simdCellsSwitch.on = false;
    expect(memory.simd()).toBeNull();
  });

  it('tanh is tanhOf rounded to float32 for float32 x of both signs below 10, every 263rd bit pattern', () => {
    const n = 1 << 16;
    const x = memory.alloc([n]);
    const out = memory.alloc([n]);
    const bits = new Uint32Array(n);
    const floats = new Float32Array(bits.buffer);
    let checked = 0;
    const mismatches: number[] = [];
    let b = 1;
    while (b < 0x41200000) {
      for (let i = 0; i < n; i += 2, b += 263) {
        bits[i] = b;
        bits[i + 1] = (b | 0x80000000) >>> 0;
      }
      memory.view(x).set(floats);
      simd.tanh({ ...x }, out);
      const got = memory.view(out);
      for (let i = 0; i < n; i++) {
        checked++;
        if (got[i] !== fround(tanhOf(floats[i]!)) && mismatches.length < 5) mismatches.push(floats[i]!);
      }
    }
    memory.free(x);
    memory.free(out);
    expect(checked).toBeGreaterThan(8_000_000);
    expect(mismatches).toEqual([]);
  });

  it('tanh keeps the edge values: infinities, NaN of any payload, signed zeros, denormals, huge values', () => {
    const nanWithPayload = new Float32Array(new Uint32Array([0x7fc12345, 0xffbfffff]).buffer);
    const edges = [Infinity, -Infinity, NaN, nanWithPayload[0]!, nanWithPayload[1]!, 0, -0, 1e-45, -1e-45];
    const more = [1.1754942e-38, 9.01, -9.02, 19, 3.4e38, -3.4e38, 0.5, -1];
    const values = [...edges, ...more];
    const x = filled([values.length], values);
    const out = memory.alloc([values.length]);
    simd.tanh(x, out);
    const got = Array.from(memory.view(out));
    expect(got).toEqual(values.map((v) => fround(tanhOf(fround(v)))));
    expect(Object.is(got[6], -0)).toBe(true);
    expect(got.slice(2, 5).every(Number.isNaN)).toBe(true);
    memory.free(x);
    memory.free(out);
  });

  it('tanh of 1 to 11 values writes those and nothing after them, in place too', () => {
    for (let n = 1; n <= 11; n++) {
      const x = filled([n], spread(n, 0.7));
      const out = filled([n + 4], new Float32Array(n + 4).fill(SENTINEL));
      const outN = { ...out, shape: [n] };
      simd.tanh(x, outN);
      const expected = Array.from(memory.view(x), (v) => fround(tanhOf(v)));
      expect(Array.from(memory.view(out))).toEqual([...expected, ...new Array<number>(4).fill(SENTINEL)]);
      simd.tanh(x, x);
      expect(Array.from(memory.view(x))).toEqual(expected);
      memory.free(x);
      memory.free(out);
    }
  });

  it.each([1, 3, 4, 5, 8, 9, 33])(
    "rnnStep gives the step's float32 sums and their tanh at width %i, with and without h W_hh",
    (g) => {
      const steps = 3;
      const rows = 5;
      const xw = filled([steps * rows, g], spread(steps * rows * g, 2));
      const bih = filled([g], spread(g, 0.5, 1));
      const bhh = filled([g], spread(g, 0.25, 2));
      const rec = filled([rows, g], spread(rows * g, 1.5, 3));
      const out = filled([steps * rows + 1, g], new Float32Array((steps * rows + 1) * g).fill(SENTINEL));
      const outRows = { ...out, shape: [steps * rows, g] };
      simd.rnnStep(xw, bih, bhh, null, outRows, 0, rows);
      simd.rnnStep(xw, bih, bhh, rec, outRows, rows, rows);
      const x = memory.view(xw);
      const bi = memory.view(bih);
      const bh = memory.view(bhh);
      const r = memory.view(rec);
      const expected = Array.from({ length: 2 * rows * g }, (_, i) => {
        const k = i % g;
        const projected = fround(fround(x[i]! + bi[k]!) + bh[k]!);
        return fround(tanhOf(i < rows * g ? projected : fround(projected + r[i - rows * g]!)));
      });
      const got = Array.from(memory.view(out));
      expect(got.slice(0, 2 * rows * g)).toEqual(expected);
      // Rows it was not asked for (step 2's, and the row past the sequence) are untouched.
      expect(got.slice(2 * rows * g).every((v) => v === SENTINEL)).toBe(true);
      for (const info of [xw, bih, bhh, rec, out]) memory.free(info);
    },
  );

  it.each([1, 2, 3, 4, 7, 64])('tanhGrad is dh (1 - h^2) in float32 steps over %i values from an offset', (n) => {
    const offset = 3;
    const dh = filled([offset + n], spread(offset + n, 3));
    const h = filled([offset + n], spread(offset + n, 0.4, 1));
    const dz = filled([offset + n + 2], new Float32Array(offset + n + 2).fill(SENTINEL));
    simd.tanhGrad(dh, h, dz, offset, n);
    const t = memory.view(h);
    const expected = Array.from(memory.view(dh)).map((v, i) => fround(v * fround(1 - fround(t[i]! * t[i]!))));
    const got = Array.from(memory.view(dz));
    expect(got.slice(offset, offset + n)).toEqual(expected.slice(offset));
    expect([...got.slice(0, offset), ...got.slice(offset + n)].every((v) => v === SENTINEL)).toBe(true);
    for (const info of [dh, h, dz]) memory.free(info);
  });

  it.each([
    [4, 8],
    [5, 7],
    [3, 4],
    [8, 33],
    [9, 1],
  ])('transposeBlock moves %i rows of width %i into the transposed columns as the TypeScript does', (rows, g) => {
    const total = 3 * rows;
    const m = filled([total, g], spread(total * g, 1));
    const mT = filled([g, total], new Float32Array(g * total).fill(SENTINEL));
    const expected = new Float32Array(g * total).fill(SENTINEL);
    transposeBlock(memory.view(m), rows, rows, g, expected, total);
    simd.transposeBlock(m, rows, rows, mT);
    expect(Array.from(memory.view(mT))).toEqual(Array.from(expected));
    // Spot-check against the definition: mT[k, r] = m[r, k].
    expect(memory.view(mT)[(g - 1) * total + rows]).toBe(memory.view(m)[rows * g + g - 1]);
    memory.free(m);
    memory.free(mT);
  });

  it.each([1, 3, 4, 6, 9, 130])('countAbove counts |x| above the limit over %i values as the TypeScript does', (n) => {
    const limit = new Int32Array(Float32Array.of(0.99).buffer)[0]!;
    // 0.99 itself, -0.99, values just past it, infinities and zeros: the count on the bits, the limit not counted.
    const pattern = [0.99, -0.99, Math.fround(0.99) * (1 + 2 ** -23), -1, 0.5, -0, Infinity, -Infinity, 0.2];
    const values = Float32Array.from({ length: n }, (_, i) => pattern[i % pattern.length]! * (i % 7 === 6 ? -1 : 1));
    const x = filled([n], values);
    const expected = countAbove(values, limit);
    expect(simd.countAbove(x, limit)).toBe(expected);
    // By hand for the first values: 0.99 and -0.99 are not above 0.99; the next float32 above it is.
    if (n === 3) expect(expected).toBe(1);
    // A NaN anywhere, in the four-lane part or the tail, gives -1.
    for (const at of [0, n - 1]) {
      memory.view(x).set(values);
      memory.view(x)[at] = NaN;
      expect(simd.countAbove(x, limit)).toBe(-1);
    }
    memory.free(x);
  });

  it.each([1, 2, 4, 7, 13])(
    'clipValue clips %i values to [-1, 0.5] as tfjs-wasm does and counts those outside',
    (n) => {
      // NaN becomes lo on wasm; the bounds themselves and -0 are inside; infinities are outside.
      const pattern = [NaN, -1, 0.5, 0.75, -3, -0, Infinity, -Infinity, 0.25, 2, -0.999];
      const values = Float32Array.from({ length: n }, (_, i) => pattern[(i * 3) % pattern.length]!);
      const x = filled([n], values);
      const out = filled([n + 3], new Float32Array(n + 3).fill(SENTINEL));
      const expected = new Float32Array(n);
      const count = clampInto('wasm')(0, values, expected, -1, 0.5);
      expect(simd.clipValue(x, { ...out, shape: [n] }, -1, 0.5)).toBe(count);
      const got = Array.from(memory.view(out));
      expect(got.slice(0, n)).toEqual(Array.from(expected));
      expect(got.slice(n)).toEqual([SENTINEL, SENTINEL, SENTINEL]);
      // By hand, the first seven (NaN, 0.75, Infinity, 2, -1, -3, -Infinity): NaN -> -1 and not counted, -1 kept,
      // the five others clipped and counted.
      if (n === 7) {
        expect(got.slice(0, 7)).toEqual([-1, 0.5, 0.5, 0.5, -1, -1, -1]);
        expect(count).toBe(5);
      }
      memory.free(x);
      memory.free(out);
    },
  );

  it.each([
    [4, 1, 1],
    [8, 7, 9],
    [12, 64, 16],
    [160, 113, 33],
  ])('gemm on toPanels gives tf.matMul of [%i x %i] x [%i wide], to the bit', (m, k, n) => {
    const a = spread(m * k, 1.3);
    const b = spread(k * n, 0.7, 1);
    const expected = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
    const aInfo = filled([m, k], a);
    // b's rows in two blocks, as the backward writes them step by step.
    const bInfo = filled([k, n], b);
    const panels = memory.alloc([Math.ceil(n / 8), k, 8]);
    const half = Math.floor(k / 2);
    simd.toPanels(bInfo, 0, half, panels);
    simd.toPanels(bInfo, half, k - half, panels);
    // The layout by hand: value (r, j) at panel j / 8, row r, lane j % 8; lanes past n are 0.
    const p = memory.view(panels);
    expect(p[(Math.floor((n - 1) / 8) * k + (k - 1)) * 8 + ((n - 1) % 8)]).toBe(memory.view(bInfo)[k * n - 1]);
    if (n % 8 !== 0) expect(p[Math.floor(n / 8) * k * 8 + (n % 8)]).toBe(0);
    const width = 8 * Math.ceil(n / 8);
    const c = memory.alloc([m, width]);
    simd.gemm(aInfo, panels, c);
    const got = memory.view(c);
    const product = Array.from({ length: m * n }, (_, i) => got[Math.floor(i / n) * width + (i % n)]!);
    expect(product).toEqual(Array.from(expected));
    const wrong = memory.alloc([m, width + 8]);
    expect(() => simd.gemm(aInfo, panels, wrong)).toThrow(/do not fit/);
    for (const info of [aInfo, bInfo, panels, c, wrong]) memory.free(info);
  });
});

describe('the fused RNN layer on wasm', () => {
  it.each([
    [1, 3, 1],
    [5, 7, 3],
    [33, 6, 8],
    // h W_hh and dz W_hh^T by the SIMD gemm (hidden a multiple of 8, batch of 4)
    [16, 5, 4],
    [24, 9, 8],
  ])(
    'is the same, to the bit, with the SIMD module and without it (hidden %i, %i steps, batch %i)',
    (hidden, steps, batch) => {
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor2d(spread(steps * batch * 2, 1), [steps * batch, 2]);
          const weights = {
            wih: tf.tensor2d(spread(2 * hidden, 0.8, 1), [2, hidden]),
            whh: tf.tensor2d(spread(hidden * hidden, 1.2 / Math.sqrt(hidden), 2), [hidden, hidden]),
            bih: tf.tensor1d(spread(hidden, 0.1, 3)),
            bhh: tf.tensor1d(spread(hidden, 0.1, 4)),
          };
          const layer = (...a: tf.Tensor[]) =>
            rnnLayer(a[0] as tf.Tensor2D, { wih: a[1], whh: a[2], bih: a[3], bhh: a[4] } as never, {
              steps,
              returnSequence: true,
              inputNeedsGrad: true,
            });
          const inputs = [x, weights.wih, weights.whh, weights.bih, weights.bhh];
          const h = layer(...inputs);
          const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(layer(...a), tf.sin(h))))(inputs);
          return [h, ...grads].map((t) => Array.from(t.dataSync()));
        });
      const before = tf.memory().numTensors;
      const withModule = run();
      simdCellsSwitch.on = false;
      const without = run();
      expect(withModule).toEqual(without);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
