import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adam, rmsprop, sgd, type Optimizer } from './optimizers.ts';

/** Two steps on p = [1, 2] with the constant gradient g = [0.5, -1]; returns p after each step. */
async function twoSteps(optimizer: Optimizer): Promise<number[][]> {
  const initial = tf.tensor1d([1, 2]);
  const p = tf.variable(initial);
  initial.dispose();
  const out: number[][] = [];
  for (let i = 0; i < 2; i++) {
    tf.tidy(() => {
      optimizer.apply([p], [tf.tensor1d([0.5, -1])]);
    });
    out.push(Array.from(await p.data()));
  }
  optimizer.dispose();
  p.dispose();
  return out;
}

describe('optimisers in PyTorch formulation, against values worked out by hand', () => {
  it('SGD with momentum: buf = m*buf + g, p -= lr*buf', async () => {
    const before = tf.memory().numTensors;
    const [s1, s2] = await twoSteps(sgd(0.1, 0.9));
    expect(s1[0]).toBeCloseTo(1 - 0.05, 6); // buf = 0.5
    expect(s2[0]).toBeCloseTo(0.95 - 0.1 * (0.9 * 0.5 + 0.5), 6); // buf = 0.95
    expect(s2[1]).toBeCloseTo(2 + 0.1 + 0.1 * 1.9, 6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Adam: first step moves each weight by lr * sign(g) (up to eps)', async () => {
    const [s1, s2] = await twoSteps(adam(0.01, 0.9, 0.999, 1e-8));
    expect(s1[0]).toBeCloseTo(1 - 0.01, 6);
    expect(s1[1]).toBeCloseTo(2 + 0.01, 6);
    // constant gradient: m_hat = g, v_hat = g^2 at every step, so each step is lr again
    expect(s2[0]).toBeCloseTo(1 - 0.02, 6);
  });

  it('RMSprop: s = a*s + (1-a)*g^2, p -= lr*g/(sqrt(s)+eps)', async () => {
    const [s1] = await twoSteps(rmsprop(0.01, 0.99, 1e-8, 0));
    const s = 0.01 * 0.25;
    expect(s1[0]).toBeCloseTo(1 - (0.01 * 0.5) / (Math.sqrt(s) + 1e-8), 5);
  });
});
