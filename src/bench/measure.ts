/**
 * Timing one case on whatever tfjs backend is active: warm-up, then steps
 * timed one by one (each step reads its metrics back, so it is complete when
 * its promise resolves). No DOM: the Node runner and the browser worker share it.
 */
import * as tf from '@tensorflow/tfjs';
import { cliffSurface } from '../train/cliff.ts';
import type { TrainingData } from '../train/data/trainingData.ts';
import { Run } from '../train/trainer.ts';
import type { BenchBudget, BenchCase } from './cases.ts';

export interface Timing {
  /** Median ms per step, and the 25th and 75th percentiles (the spread). */
  medianMs: number;
  p25Ms: number;
  p75Ms: number;
  steps: number;
}

export interface CaseResult {
  id: string;
  backend: string;
  /** The lab's step: gradients, clipping, update and every streamed metric. */
  step: Timing;
  /** The same step without per-parameter norms and metrics. */
  bare: Timing;
  /** Tensors alive after the measurement minus before (must be 0). */
  leakedTensors: number;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function summarise(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: quantile(sorted, 0.5), p25Ms: quantile(sorted, 0.25), p75Ms: quantile(sorted, 0.75), steps: sorted.length };
}

async function timeSteps(step: () => Promise<unknown>, budget: BenchBudget): Promise<Timing> {
  for (let i = 0; i < budget.warmupSteps; i++) await step();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < budget.maxSteps && (samples.length < budget.minSteps || performance.now() - started < budget.maxMs)) {
    const t0 = performance.now();
    await step();
    samples.push(performance.now() - t0);
  }
  return summarise(samples);
}

export async function measureCase(benchCase: BenchCase, data: TrainingData, budget: BenchBudget): Promise<CaseResult> {
  const before = tf.memory().numTensors;
  const run = new Run({ config: benchCase.config, side: 'clipped', data });
  const step = await timeSteps(() => run.trainStep(), budget);
  run.dispose();
  const bareRun = new Run({ config: benchCase.config, side: 'clipped', data });
  const bare = await timeSteps(() => bareRun.trainStepBare(), budget);
  bareRun.dispose();
  return { id: benchCase.id, backend: tf.getBackend(), step, bare, leakedTensors: tf.memory().numTensors - before };
}

/** Time until the cliff lesson's full-resolution surface is computed and read back (the second of two runs: the first compiles kernels). */
export async function measureSurface(side: number): Promise<{ backend: string; side: number; firstMs: number; warmMs: number }> {
  const window = { wMin: -2, wMax: 10, bMin: -8, bMax: 3 };
  let t0 = performance.now();
  await cliffSurface(window, side, side, 50);
  const firstMs = performance.now() - t0;
  t0 = performance.now();
  await cliffSurface(window, side, side, 50);
  return { backend: tf.getBackend(), side, firstMs, warmMs: performance.now() - t0 };
}
