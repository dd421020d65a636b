/**
 * tanh for the backends whose tensors live in CPU memory, about 6 ns a value in Node where tfjs-wasm's Tanh (a libm
 * tanhf loop) takes 14 and tfjs-cpu's (Math.tanh) 21; on wasm the SIMD module (simd/cells.wat) runs the same
 * operations in two float64 lanes, about 3 ns a value, with the same results. It is the tanh of both backends (fusedRegistry.ts registers
 * it as their Tanh kernel) and of the fused recurrent kernels, so the fused cells still equal the unfused ops, and
 * wasm now gives the cpu backend's values: float32(Math.tanh(x)), for every float32 x in (-10, 10) checked
 * (tanhKernel.test.ts; beyond, both are +-1 in float32). Before, wasm's tanhf differed from those in the last bit of
 * about one value in eight.
 *
 * How: tanh(x) = e / (e + 2) with e = expm1(2x), in float64. expm1(y) = 2^(k/32) expm1(r) + (2^(k/32) - 1), with
 * k = round(32 y / ln 2) and |r| <= ln 2 / 64: two tables made once with Math.exp and Math.expm1, and expm1(r) as a
 * degree-6 series (error under 4e-16 relative). The float64 result is within about 1e-15 of tanh, far inside half a
 * float32 ulp, so it rounds to the float32 that Math.tanh rounds to. No branch depends on the sign of x: a random sign costs a
 * misprediction per value (8 ns a value with one, measured).
 */

/** Table steps per doubling of e^y. */
const STEPS = 32;
/** ln 2 / STEPS in two parts: HI has few enough bits that k * HI is exact for every k of the table. */
const STEP_HI = Math.fround(Math.LN2 / STEPS);
const STEP_LO = Math.LN2 / STEPS - STEP_HI;
const INV_STEP = STEPS / Math.LN2;
/** tanh(9.5) = 1 - 1.1e-8, which is 1 in float32 (as is tanh of anything above 9.01): 2x is clamped to +-19. */
const Y_MAX = 19;
/** 1.5 * 2^52: a float64 sum with it is rounded to an integer. */
const ROUNDING_SHIFT = 6755399441055744;
/** Index of k = 0 in the tables: k runs from -OFFSET to OFFSET. */
const OFFSET = Math.ceil(Y_MAX * INV_STEP) + 1;

function table(f: (y: number) => number): Float64Array {
  const values = new Float64Array(2 * OFFSET + 1);
  for (let i = 0; i < values.length; i++) values[i] = f((i - OFFSET) * STEP_HI + (i - OFFSET) * STEP_LO);
  return values;
}

/** 2^(k/32) and 2^(k/32) - 1. */
const POW = table(Math.exp);
const POW_M1 = table(Math.expm1);

const C2 = 1 / 2;
const C3 = 1 / 6;
const C4 = 1 / 24;
const C5 = 1 / 120;
const C6 = 1 / 720;

/** tanh(x) in float64, to about 1e-15 relative; its float32 rounding is float32(Math.tanh(x)). */
export function tanhOf(x: number): number {
  const y = Math.min(Math.max(x + x, -Y_MAX), Y_MAX);
  // k = round(y / step): adding 1.5 * 2^52 rounds to an integer (the SIMD module reads it from the sum's low bits).
  const k = y * INV_STEP + ROUNDING_SHIFT - ROUNDING_SHIFT;
  // A NaN index is 0 after | 0, and NaN flows through r to the result.
  const i = (k + OFFSET) | 0;
  const r = y - k * STEP_HI - k * STEP_LO;
  const expm1R = r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * C6)))));
  const e = POW[i]! * expm1R + POW_M1[i]!;
  const t = e / (e + 2);
  // tanh(-0) is -0, but the sign of a zero does not survive the sum above (-0 + 0 is 0): +-0 gives x itself.
  return t === 0 ? x : t;
}

/**
 * The two tables interleaved, (2^(k/32), 2^(k/32) - 1) for each k, as the SIMD module (simd/cells.wat) reads them:
 * its tanh is tanhOf's operations in float64 lanes, these tables included.
 */
export function tanhTable(): Float64Array {
  const pairs = new Float64Array(2 * POW.length);
  for (let i = 0; i < POW.length; i++) {
    pairs[2 * i] = POW[i]!;
    pairs[2 * i + 1] = POW_M1[i]!;
  }
  return pairs;
}

/** out[i] = tanh(x[i]) in float32, for the first x.length values (out may be x). */
export function tanhInto(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = tanhOf(x[i]!);
}
