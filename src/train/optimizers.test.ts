import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startNodeBackend } from '../cli/nodeBackend.ts';
import { adam, adamKeras, fusedOptimizers, rmsprop, sgd, type Optimizer } from './optimizers.ts';
import { Rng } from './rng.ts';

/** `steps` steps on p = [1, 2] with the constant gradient g (default [0.5, -1]); returns p after each step. */
async function run(optimizer: Optimizer, steps = 2, gradient: number[] = [0.5, -1]): Promise<number[][]> {
  const initial = tf.tensor1d([1, 2]);
  const p = tf.variable(initial);
  initial.dispose();
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      optimizer.apply([p], [tf.tensor1d(gradient)]);
    });
    out.push(Array.from(await p.data()));
  }
  optimizer.dispose();
  p.dispose();
  return out;
}

function expectValues(actual: number[] | undefined, expected: number[], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => expect(actual?.[i], `element ${i}`).toBeCloseTo(e, digits));
}

afterEach(() => {
  fusedOptimizers.on = true;
});

describe.each([
  ['the fused kernel', true],
  ['the ops', false],
])('optimisers through %s, against values worked out by hand', (_, fused) => {
  // Before each test: the file's afterEach turns the fused path back on after every test.
  beforeEach(() => {
    fusedOptimizers.on = fused;
  });
  afterAll(() => {
    fusedOptimizers.on = true;
  });

  it('SGD with momentum: buf = m*buf + g, p -= lr*buf', async () => {
    const before = tf.memory().numTensors;
    const [s1, s2] = await run(sgd(0.1, 0.9));
    expectValues(s1, [1 - 0.05, 2 + 0.1]); // buf = g
    expectValues(s2, [0.95 - 0.1 * (0.9 * 0.5 + 0.5), 2.1 + 0.1 * 1.9]); // buf = 0.9 g + g
    expect(tf.memory().numTensors).toBe(before);
  });

  it('SGD without momentum: p -= lr*g, the same step every time, and ||update|| = lr ||g||', async () => {
    // lr 0.03, g = [0.5, -1]: each step moves p by [-0.015, 0.03]; ||update|| = 0.03 * sqrt(1.25).
    const before = tf.memory().numTensors;
    const optimizer = sgd(0.03, 0);
    const initial = tf.tensor1d([1, 2]);
    const p = tf.variable(initial);
    initial.dispose();
    const steps: number[][] = [];
    const norms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const norm = tf.tidy(() => optimizer.apply([p], [tf.tensor1d([0.5, -1])]));
      norms.push((await norm.data())[0] ?? NaN);
      norm.dispose();
      steps.push(Array.from(await p.data()));
    }
    optimizer.dispose();
    p.dispose();
    expectValues(steps[0], [0.985, 2.03]);
    expectValues(steps[1], [0.97, 2.06]);
    expectValues(steps[2], [0.955, 2.09]);
    norms.forEach((n) => expect(n).toBeCloseTo(0.03 * Math.sqrt(1.25), 7));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Adam: first step moves each weight by lr * sign(g) (up to eps)', async () => {
    const [s1, s2] = await run(adam(0.01, 0.9, 0.999, 1e-8));
    expectValues(s1, [0.99, 2.01]);
    // constant gradient: m_hat = g, v_hat = g^2 at every step, so each step is lr again
    expectValues(s2, [0.98, 2.02]);
  });

  it("torch's Adam adds eps after the bias correction (a large eps makes it visible)", async () => {
    // lr 0.01, eps 0.1. Step 1: m = 0.1 g, v = 0.001 g^2, lr/(1-b1) = 0.1, sqrt(v)/sqrt(1-b2) = |g|:
    //   dp = 0.1 * 0.1 g / (|g| + 0.1) = [0.05/0.6, -0.1/1.1] * 0.1 = [0.0083333, -0.0090909]
    // Step 2: m_hat = g and v_hat = g^2 again, so the same step: [0.0166667, -0.0181818] in all.
    const [s1, s2] = await run(adam(0.01, 0.9, 0.999, 0.1));
    expectValues(s1, [0.99166667, 2.00909091]);
    expectValues(s2, [0.98333333, 2.01818182]);
  });

  it("Keras's Adam adds eps to the uncorrected sqrt(v), with lr sqrt(1-b2^t)/(1-b1^t)", async () => {
    // lr 0.01, eps 0.1. Step 1: step size 0.01 * sqrt(0.001) / 0.1 = 0.00316228; sqrt(v) = 0.0316228 |g|:
    //   dp = 0.00316228 * 0.1 g / (0.0316228 |g| + 0.1) = [0.00136527, -0.00240253]
    // Step 2: m = 0.19 g, v = 0.001999 g^2, step size 0.01 sqrt(0.001999) / 0.19 = 0.00235316:
    //   dp = [0.00182707, -0.00308964]; p = [0.99680766, 2.00549217]
    const [s1, s2] = await run(adamKeras(0.01, 0.9, 0.999, 0.1));
    expectValues(s1, [0.99863473, 2.00240253]);
    expectValues(s2, [0.99680766, 2.00549217]);
  });

  it('torch and Keras Adam part at step 1 where the gradient is small next to eps (the lstm-tf preset)', async () => {
    // g = 1e-6, lr 0.01, defaults eps 1e-8 (torch) and 1e-7 (Keras). Keras's eps acts as 1e-7/sqrt(0.001) = 3.16e-6:
    //   torch: dp = lr * 1e-6 / (1e-6 + 1e-8)    = 0.990099 lr
    //   Keras: dp = lr * 1e-6 / (1e-6 + 3.16e-6) = 0.240253 lr
    const [torchStep] = await run(adam(0.01, 0.9, 0.999, 1e-8), 1, [1e-6, 1e-6]);
    const [kerasStep] = await run(adamKeras(0.01, 0.9, 0.999, 1e-7), 1, [1e-6, 1e-6]);
    expect(1 - (torchStep?.[0] ?? NaN)).toBeCloseTo(0.009901, 6);
    expect(1 - (kerasStep?.[0] ?? NaN)).toBeCloseTo(0.0024025, 6);
  });

  it('RMSprop: s = a*s + (1-a)*g^2, p -= lr*g/(sqrt(s)+eps), eps outside the root', async () => {
    // lr 0.01, alpha 0.99, eps 0.1. Step 1: s = 0.01 g^2 = [0.0025, 0.01], sqrt = [0.05, 0.1]:
    //   dp = 0.01 * [0.5/0.15, -1/0.2] = [0.0333333, -0.05]
    // Step 2: s = [0.004975, 0.0199], sqrt = [0.0705337, 0.1410674]: dp = 0.01 * [2.931971, -4.148218]
    const [s1, s2] = await run(rmsprop(0.01, 0.99, 0.1, 0));
    expectValues(s1, [0.96666667, 2.05]);
    expectValues(s2, [0.93734695, 2.09148218]);
  });

  it('RMSprop with momentum: buf = m*buf + g/(sqrt(s)+eps), p -= lr*buf', async () => {
    // As above with momentum 0.9: step 1 buf = [3.333333, -5]; step 2 buf = 0.9 buf + [2.931971, -4.148218]
    //   = [5.931971, -8.648218], p = [0.96666667 - 0.05931971, 2.05 + 0.08648218]
    const [s1, s2] = await run(rmsprop(0.01, 0.99, 0.1, 0.9));
    expectValues(s1, [0.96666667, 2.05]);
    expectValues(s2, [0.90734695, 2.13648218]);
  });
});

/** Every rule the lab trains with, as its config would make it (lesson 9's Adam, lesson 8's SGD, the tutorial's). */
const RULES: [string, () => Optimizer][] = [
  ['SGD', () => sgd(0.3, 0)],
  ['SGD with momentum', () => sgd(0.1, 0.9)],
  ["torch's Adam", () => adam(0.01, 0.9, 0.999, 1e-8)],
  ["Keras's Adam", () => adamKeras(0.001, 0.9, 0.999, 1e-7)],
  ['RMSprop', () => rmsprop(0.01, 0.99, 1e-8, 0)],
  ['RMSprop with momentum', () => rmsprop(0.01, 0.99, 1e-8, 0.9)],
];

/** Shapes of a small net's parameters: a matrix, a bias, a 1 x 1 weight. */
const SHAPES = [[5, 3], [3], [1, 1]];

/**
 * Six steps of `make()` on random weights and gradients (one seed, so both paths see the same numbers, with a
 * gradient of 1e-30 and one of 1e30 among them); every weight, state-driven step and update norm, per step.
 */
function trajectory(make: () => Optimizer, fused: boolean): { weights: number[][]; norms: number[][] } {
  fusedOptimizers.on = fused;
  const rng = new Rng(7);
  const values = (n: number) => Array.from({ length: n }, () => rng.normal());
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const variables = tf.tidy(() => SHAPES.map((shape) => tf.variable(tf.tensor(values(size(shape)), shape))));
  const optimizer = make();
  const out = { weights: [] as number[][], norms: [] as number[][] };
  for (let step = 0; step < 6; step++) {
    const scale = step === 3 ? 1e30 : step === 4 ? 1e-30 : 1;
    const norms = tf.tidy(() => {
      const grads = SHAPES.map((shape) => tf.mul(tf.tensor(values(size(shape)), shape), scale));
      return optimizer.apply(variables, grads);
    });
    out.norms.push([...norms.dataSync()]);
    norms.dispose();
    out.weights.push(variables.flatMap((v) => [...v.dataSync()]));
  }
  optimizer.dispose();
  variables.forEach((v) => v.dispose());
  return out;
}

describe.each(['cpu', 'wasm'] as const)('the fused update on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(RULES)('%s: the weights and state of the ops to the bit, the update norms to float32 rounding', (_, make) => {
    const before = tf.memory().numTensors;
    const ops = trajectory(make, false);
    const fused = trajectory(make, true);
    // Equal as float32 bit patterns (toEqual would also pass a -0 for a 0, and NaN for NaN; Object.is does not).
    fused.weights.forEach((w, step) => {
      const expected = ops.weights[step] ?? [];
      expect(w.length).toBe(expected.length);
      w.forEach((x, j) =>
        expect(Object.is(x, expected[j]), `step ${step + 1}, value ${j}: ${x} vs ${expected[j]}`).toBe(true),
      );
    });
    fused.norms.forEach((n, step) =>
      n.forEach((x, i) => {
        const e = ops.norms[step]?.[i] ?? NaN;
        expect(x === e || Math.abs(x - e) <= 1e-6 * Math.abs(e), `step ${step + 1}, norm ${i}: ${x} vs ${e}`).toBe(
          true,
        );
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is one kernel for every parameter, where torch's Adam as ops is about 16 a parameter", () => {
    const variables = tf.tidy(() => SHAPES.map((shape) => tf.variable(tf.ones(shape))));
    const kernelsOf = async (fused: boolean) => {
      fusedOptimizers.on = fused;
      const optimizer = adam(0.01, 0.9, 0.999, 1e-8);
      const grads = SHAPES.map((shape) => tf.fill(shape, 0.5));
      // The second step: the first also makes the moments (ZerosLike).
      optimizer.apply(variables, grads).dispose();
      const info = await tf.profile(() => optimizer.apply(variables, grads).dispose());
      optimizer.dispose();
      grads.forEach((g) => g.dispose());
      return info.kernels.length;
    };
    return (async () => {
      const [fused, ops] = [await kernelsOf(true), await kernelsOf(false)];
      variables.forEach((v) => v.dispose());
      expect(fused).toBe(1);
      expect(ops).toBeGreaterThan(10 * SHAPES.length);
    })();
  });
});
