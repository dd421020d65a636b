/**
 * The lab's tanh on cpu and wasm: float32(Math.tanh(x)) (the cpu backend's values before it replaced the kernel)
 * over float32 inputs of both signs, the edge values, and as the Tanh kernel of both started backends, gradient
 * included.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { tanhInto, tanhOf } from './tanhKernel.ts';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const fround = Math.fround;

describe('tanhOf', () => {
  it('gives the hand-checked values, the limits and the signed zeros', () => {
    // tanh(0.5) = (e - 1) / (e + 1) = 0.46211715726000974; tanh(1) = (e^2 - 1) / (e^2 + 1) = 0.7615941559557649.
    expect(fround(tanhOf(0.5))).toBe(fround(0.46211715726000974));
    expect(fround(tanhOf(-1))).toBe(fround(-0.7615941559557649));
    expect(tanhOf(0.5)).toBeCloseTo(0.46211715726000974, 14);
    // Past 9.01 tanh is 1 in float32; far past the table's clamp as well.
    expect(fround(tanhOf(9.1))).toBe(1);
    expect(fround(tanhOf(-1e30))).toBe(-1);
    expect(fround(tanhOf(Infinity))).toBe(1);
    expect(fround(tanhOf(-Infinity))).toBe(-1);
    expect(tanhOf(NaN)).toBeNaN();
    expect(Object.is(tanhOf(0), 0)).toBe(true);
    expect(Object.is(tanhOf(-0), -0)).toBe(true);
    // Near 0, tanh(x) = x - x^3/3: a denormal float32 is itself, 1e-4 is 1e-4 - 3.3e-13.
    expect(fround(tanhOf(fround(1e-40)))).toBe(fround(1e-40));
    expect(tanhOf(1e-4)).toBeCloseTo(1e-4 - 1e-12 / 3, 18);
  });

  it('rounds to float32(Math.tanh(x)) for float32 x of both signs below 10, every 257th bit pattern', () => {
    const bits = new Uint32Array(1);
    const x = new Float32Array(bits.buffer);
    let checked = 0;
    const mismatches: number[] = [];
    // 0x41200000 is 10.0: from the smallest denormal up, both signs.
    for (let b = 1; b < 0x41200000; b += 257) {
      for (const sign of [0, 0x80000000]) {
        bits[0] = (b | sign) >>> 0;
        const v = x[0]!;
        checked++;
        if (fround(tanhOf(v)) !== fround(Math.tanh(v)) && mismatches.length < 5) mismatches.push(v);
      }
    }
    expect(checked).toBeGreaterThan(8_000_000);
    expect(mismatches).toEqual([]);
  });

  it('is within 2e-15 of Math.tanh in float64 where tanh is not 1 in float32', () => {
    let worst = 0;
    for (let i = -90_000; i <= 90_000; i++) {
      const v = i / 10_000 + 1e-5 * Math.sin(i);
      if (v === 0) continue;
      worst = Math.max(worst, Math.abs(tanhOf(v) - Math.tanh(v)) / Math.abs(Math.tanh(v)));
    }
    expect(worst).toBeLessThan(2e-15);
  });

  it('writes a whole array, in place too', () => {
    const x = Float32Array.from([-2, 0, 0.25, 3]);
    const out = new Float32Array(4);
    tanhInto(x, out);
    expect(Array.from(out)).toEqual(Array.from(x, (v) => fround(Math.tanh(v))));
    tanhInto(x, x);
    expect(Array.from(x)).toEqual(Array.from(out));
  });
});

describe.each(['wasm', 'cpu'] as const)("the started %s backend's Tanh", (name) => {
  it("is tanhOf, with tf.tanh's gradient 1 - tanh^2, and leaks nothing", async () => {
    await startNodeBackend([name]);
    const values = Array.from({ length: 4001 }, (_, i) => (i - 2000) / 200 + 1e-3 * Math.cos(i));
    const before = tf.memory().numTensors;
    const [y, dy] = tf.tidy(() => {
      const x = tf.tensor1d(values);
      return [
        tf.tanh(x).dataSync(),
        tf
          .grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(x)
          .dataSync(),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(y!)).toEqual(values.map((v) => fround(tanhOf(fround(v)))));
    // dL/dx = 1 - y^2 from the forward's own y, in float32 as the ops compute it.
    expect(Array.from(dy!)).toEqual(Array.from(y!, (t) => fround(1 - fround(t * t))));
  });
});
