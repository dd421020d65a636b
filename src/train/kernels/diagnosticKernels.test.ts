/**
 * The saturated fraction and the correct count, fused, against their ops bit for bit on both backends: values at
 * the threshold itself, NaN, ties between logits and a row of NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { SATURATION_THRESHOLD, SaturationSink } from '../models/saturationSink.ts';
import { Rng } from '../rng.ts';
import { fusedCorrectCount } from './diagnosticKernels.ts';
import { fusedCells } from './recurrentKernels.ts';

const onByDefault = fusedCells.on;
afterEach(() => {
  fusedCells.on = onByDefault;
});

/** The sink's fraction for one layer's states, with the names of the kernels it ran. */
async function saturation(values: number[], rows: number): Promise<{ fraction: number; kernels: string[] }> {
  const h = tf.tensor2d(values, [rows, values.length / rows]);
  const sink = new SaturationSink(1);
  sink.arm();
  const profile = await tf.profile(() => sink.put(0, h));
  const taken = sink.take();
  const fraction = (await taken.data())[0]!;
  taken.dispose();
  h.dispose();
  return { fraction, kernels: profile.kernels.map((k) => k.name) };
}

function opsCorrectCount(logits: tf.Tensor2D, labels: tf.Tensor2D): number {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)), 'float32')).dataSync()[0]!;
}

describe.each(['cpu', 'wasm'] as const)('the diagnostic kernels on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('saturated fraction: the ops’ value to the bit, in one kernel; hand-worked: 2 of (0.5, -0.995, 1, 0.99) = 0.5', async () => {
    const rng = new Rng(3);
    const c = Math.fround(SATURATION_THRESHOLD);
    const cases: [number[], number][] = [
      [[0.5, -0.995, 1, 0.99], 2],
      // 0.99 itself is not above the threshold; its float32 neighbour is.
      [[c, -c, Math.fround(c + 1e-7), -Math.fround(c + 1e-7), 0, -0], 3],
      [Array.from({ length: 7 * 33 }, () => Math.tanh(rng.normal() * 3)), 7],
      [Array.from({ length: 1792 }, () => Math.tanh(rng.normal() * 5)), 64],
      [[0.999, NaN, 0.1, 0.2], 2],
      // 5 of 6: the cpu's Mean sums five float32(1/6), which is not float32(5/6).
      [[0.999, -0.999, 0.999, 0.999, 0.999, 0.1], 2],
    ];
    expect((await saturation(cases[0]![0], 2)).fraction).toBe(0.5);
    for (const [values, rows] of cases) {
      fusedCells.on = () => false;
      const ops = await saturation(values, rows);
      fusedCells.on = onByDefault;
      const fused = await saturation(values, rows);
      expect(
        Object.is(fused.fraction, ops.fraction),
        `${values.length} values: ${fused.fraction} vs ${ops.fraction}`,
      ).toBe(true);
      expect(fused.kernels).toEqual(['GradLabSaturatedFraction']);
      expect(ops.kernels.length).toBeGreaterThan(1);
    }
  });

  it('saturated fraction past 2^24 values: the ops’ value, where a float32 count of ones stops at 2^24', () => {
    // All 2^24 + 2 saturated: in float32, 2^24 + 1 rounds back to 2^24, so wasm's Mean is 2^24 / (2^24 + 2), not 1.
    const n = 2 ** 24 + 2;
    const h = tf.tensor2d(new Float32Array(n).fill(0.999), [n / 2, 2]);
    const sink = new SaturationSink(1);
    const fractions = [false, true].map((fused) => {
      fusedCells.on = fused ? onByDefault : () => false;
      sink.arm();
      sink.put(0, h);
      const taken = sink.take();
      const value = taken.dataSync()[0]!;
      taken.dispose();
      return value;
    });
    h.dispose();
    expect(fractions[1]).toBe(fractions[0]);
    if (backend === 'wasm') expect(fractions[1]).toBe(Math.fround(2 ** 24 / n));
  });

  it('correct count: the ops’ count, ties to the first index, a NaN row to index 0; hand-worked 2 of 4', () => {
    const rng = new Rng(5);
    const onehot = (labels: number[], cols: number) =>
      tf.tensor2d(
        labels.flatMap((l) => Array.from({ length: cols }, (_, j) => (j === l ? 1 : 0))),
        [labels.length, cols],
      );
    tf.tidy(() => {
      // Rows: right (2), a tie between 0 and 1 read as 0 (right), wrong (1 vs 0), a NaN first (0: wrong, label 3).
      const logits = tf.tensor2d([0, 1, 5, 2, 4, 4, 1, 0, 0, 9, 3, 1, NaN, 2, 7, 1], [4, 4]);
      const labels = onehot([2, 0, 0, 3], 4);
      expect(fusedCorrectCount(logits, labels)!.dataSync()[0]).toBe(2);
      expect(opsCorrectCount(logits, labels)).toBe(2);
      const many = tf.tensor2d(
        Array.from({ length: 64 * 10 }, () => Math.round(rng.normal() * 2)),
        [64, 10],
      );
      const manyLabels = onehot(
        Array.from({ length: 64 }, () => Math.floor(rng.uniform() * 10)),
        10,
      );
      expect(fusedCorrectCount(many, manyLabels)!.dataSync()[0]).toBe(opsCorrectCount(many, manyLabels));
    });
  });
});
