/**
 * Golden replay of the tutorial's dense experiment against PyTorch: the same
 * data (make_regression_rs1.csv), the same initial weights and batch orders
 * (seeds 0..4), so the first steps must agree to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../../src/cli/nodeData.ts';
import { NO_CLIP, type ExperimentConfig, type RegressionLoss } from '../../src/experiment/config.ts';
import { PRESETS } from '../../src/experiment/presets.ts';
import { loadTrainingData, type TrainingData } from '../../src/train/data/trainingData.ts';
import type { StepMetrics } from '../../src/train/metrics.ts';
import { Run } from '../../src/train/trainer.ts';
import { denseInit, num, readCsv, type CsvRow } from '../support/reference.ts';

const SEEDS = [0, 1, 2, 3, 4];
const steps = readCsv('dense_steps.csv');
const epochs = readCsv('dense_epochs.csv');

// 2 losses x 2 clip settings x 5 seeds x 400 steps (50 epochs): a renamed label must not make a filter match nothing.
const RUNS_IN_REFERENCE = 2 * 2 * SEEDS.length;

function configFor(loss: RegressionLoss, clipped: boolean, seed: number): ExperimentConfig {
  const base = PRESETS['dense-explode'].config;
  return { ...base, loss, seed, pair: false, clip: clipped ? base.clip : NO_CLIP };
}

function goldenRun(data: TrainingData, loss: RegressionLoss, clipped: boolean, seed: number): Run {
  const init = denseInit(seed);
  return new Run({
    config: configFor(loss, clipped, seed),
    side: 'clipped',
    data,
    initialWeights: {
      'fc1.weight': Float32Array.from(init.fc1_weight.flat()),
      'fc1.bias': Float32Array.from(init.fc1_bias),
      'fc2.weight': Float32Array.from(init.fc2_weight.flat()),
      'fc2.bias': Float32Array.from(init.fc2_bias),
    },
    epochOrders: init.epoch_orders,
  });
}

function referenceRows(version: RegressionLoss, clip: string, seed: number, table: CsvRow[]): CsvRow[] {
  return table.filter((r) => r.version === version && r.clip === clip && r.seed === String(seed));
}

/** A number column of a reference row; a missing column fails loudly instead of comparing with NaN. */
function col(row: CsvRow, name: string): number {
  const text = row[name];
  if (text === undefined) throw new Error(`reference row has no column ${name}`);
  return num(text);
}

function expectClose(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) {
    expect(Number.isFinite(actual), `${what}: expected ${expected}, got ${actual}`).toBe(false);
    return;
  }
  const relative = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  expect(relative, `${what}: ${actual} vs PyTorch ${expected}`).toBeLessThan(1e-4);
}

async function trainAll(run: Run, limit: number): Promise<StepMetrics[]> {
  const out: StepMetrics[] = [];
  while (run.status === 'ready' && out.length < limit) out.push(await run.trainStep());
  return out;
}

describe('golden replay of the dense experiment against PyTorch', async () => {
  const data = await loadTrainingData(PRESETS['dense-explode'].config, nodeDataLoader);
  let worstRelativeError = 0;

  for (const loss of ['corrected', 'literal'] as const) {
    for (const clipped of [false, true]) {
      const clip = clipped ? 'value1.0' : 'none';
      it.each(SEEDS)(`${loss} loss, clip ${clip}, seed %i: first 8 steps match`, async (seed) => {
        const all = referenceRows(loss, clip, seed, steps);
        expect(all, `PyTorch rows for ${loss}/${clip}/seed ${seed}`).toHaveLength(400);
        const reference = all.slice(0, 8);
        let compared = 0;
        const run = goldenRun(data, loss, clipped, seed);
        const ours = await trainAll(run, 8);
        run.dispose();
        // Compare while both are finite; the first non-finite step must coincide.
        for (let k = 0; k < reference.length; k++) {
          const ref = reference[k]!;
          const m = ours[k];
          const refLoss = col(ref, 'loss');
          if (!m) {
            expect(Number.isFinite(refLoss), `PyTorch step ${k + 1} is finite, our run had stopped`).toBe(false);
            break;
          }
          expectClose(m.loss, refLoss, `step ${m.step} loss`);
          if (!Number.isFinite(refLoss)) break;
          compared += 1;
          expectClose(m.gradNormPre[0]!, col(ref, 'fc1_grad_norm_preclip'), `step ${m.step} fc1 grad norm`);
          expectClose(m.gradNormPre[2]!, col(ref, 'fc2_grad_norm_preclip'), `step ${m.step} fc2 grad norm`);
          expectClose(m.gradNormPost[0]!, col(ref, 'fc1_grad_norm_postclip'), `step ${m.step} fc1 post-clip norm`);
          expectClose(m.gradNormPost[2]!, col(ref, 'fc2_grad_norm_postclip'), `step ${m.step} fc2 post-clip norm`);
          for (const [a, b] of <[number, number][]>[
            [m.loss, col(ref, 'loss')],
            [m.gradNormPre[0]!, col(ref, 'fc1_grad_norm_preclip')],
            [m.gradNormPre[2]!, col(ref, 'fc2_grad_norm_preclip')],
          ])
            worstRelativeError = Math.max(worstRelativeError, Math.abs(a - b) / Math.abs(b));
        }
        // Unclipped corrected runs overflow at step 5 (4 finite steps); every other run has 8 to compare.
        expect(compared, 'finite steps compared with PyTorch').toBeGreaterThanOrEqual(
          loss === 'corrected' && !clipped ? 4 : 8,
        );
      });
    }
  }

  it.each(SEEDS)('corrected loss without clipping goes non-finite at step 5 (seed %i), like PyTorch', async (seed) => {
    const run = goldenRun(data, 'corrected', false, seed);
    const ours = await trainAll(run, 400);
    run.dispose();
    expect(run.divergence?.step).toBe(5);
    expect(ours).toHaveLength(5);
    expect(ours.slice(0, 4).every((m) => Number.isFinite(m.loss))).toBe(true);
  });

  it.each(SEEDS)(
    'literal loss without clipping diverges at PyTorch’s step, or within a few steps of it (seed %i)',
    async (seed) => {
      const reference = referenceRows('literal', 'none', seed, steps);
      const refStep =
        reference.findIndex(
          (r) => !Number.isFinite(num(r.loss ?? '')) || !Number.isFinite(num(r.global_grad_norm_preclip ?? '')),
        ) + 1;
      const run = goldenRun(data, 'literal', false, seed);
      await trainAll(run, 400);
      run.dispose();
      expect(run.divergence).not.toBeNull();
      // Past step 8 float rounding is allowed to differ; the cliff is steep enough that the step stays close.
      expect(Math.abs((run.divergence?.step ?? 0) - refStep)).toBeLessThanOrEqual(3);
    },
  );

  it.each(SEEDS)(
    'corrected loss clipped by value 1.0 stays finite for 400 steps and converges like PyTorch (seed %i)',
    async (seed) => {
      const run = goldenRun(data, 'corrected', true, seed);
      const ours = await trainAll(run, 400);
      expect(run.status).toBe('finished');
      run.dispose();
      expect(ours).toHaveLength(400);
      expect(ours.every((m) => Number.isFinite(m.loss) && Number.isFinite(m.globalNormPre))).toBe(true);
      const epochLoss = (e: number) => {
        const inEpoch = ours.filter((m) => m.epoch === e);
        const sizes = inEpoch.map((_, k) => (k === inEpoch.length - 1 ? 1000 - 128 * (inEpoch.length - 1) : 128));
        return inEpoch.reduce((s, m, k) => s + m.loss * sizes[k]!, 0) / 1000;
      };
      const refEpochs = epochs.filter(
        (r) => r.version === 'corrected' && r.clip === 'value1.0' && r.seed === String(seed),
      );
      expect(refEpochs).toHaveLength(50);
      const first = epochLoss(1);
      expectClose(first, num(refEpochs[0]!.epoch_loss!), 'epoch 1 loss');
      const last = epochLoss(50);
      expect(last).toBeLessThan(0.01 * first);
      // Same regime as PyTorch's final epoch (66-96): within a factor of 3.
      const refLast = num(refEpochs[49]!.epoch_loss!);
      expect(last).toBeGreaterThan(refLast / 3);
      expect(last).toBeLessThan(refLast * 3);
    },
  );

  it('literal loss clipped by value 1.0 stalls at var(y), as in PyTorch (seed 0)', async () => {
    const run = goldenRun(data, 'literal', true, 0);
    const ours = await trainAll(run, 400);
    run.dispose();
    const lastEpoch = ours.filter((m) => m.epoch === 50);
    const mean = lastEpoch.reduce((s, m) => s + m.loss, 0) / lastEpoch.length;
    const refLast = num(
      epochs.filter((r) => r.version === 'literal' && r.clip === 'value1.0' && r.seed === '0')[49]!.epoch_loss!,
    );
    expect(Math.abs(mean - refLast) / refLast).toBeLessThan(0.05);
  });

  it('reads the whole reference: every run of the tables is there', () => {
    expect(steps).toHaveLength(RUNS_IN_REFERENCE * 400);
    expect(epochs).toHaveLength(RUNS_IN_REFERENCE * 50);
  });

  it('reports the worst relative error of the replay, and every run left no tensor behind', () => {
    console.log(
      `golden replay: worst relative error over the first finite steps = ${worstRelativeError.toExponential(2)}`,
    );
    expect(worstRelativeError).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(0);
  });
});
