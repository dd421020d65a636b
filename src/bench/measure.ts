/**
 * Timing one case on whatever tfjs backend is active: warm-up, then steps
 * timed one by one (each step reads its metrics back, so it is complete when
 * its promise resolves). No DOM: the Node runner and the browser worker share it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cliffSurface } from '../train/cliff.ts';
import { simdCellsActive } from '../train/kernels/fusedRegistry.ts';
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
  /** Kernels one step of the lab launches (tf.profile around one step after warm-up). */
  kernels: number;
  /** Kernels one bare step launches. */
  bareKernels: number;
  /** Tensors alive after the measurement minus before (must be 0). */
  leakedTensors: number;
  /** Whether the SIMD cell module ran the fused kernels' tanh and RNN passes (wasm, where it binds). */
  simdCells: boolean;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = sorted[Math.floor(at)] ?? NaN;
  const hi = sorted[Math.ceil(at)] ?? NaN;
  return lo + (hi - lo) * (at - Math.floor(at));
}

interface KernelProfiler {
  profileKernel: (name: string, inputs: unknown, run: () => tf.Tensor[]) => unknown;
}

/**
 * How many kernels one call of `step` launches: every kernel tfjs's engine runs, forward and backward,
 * as `tf.profile` lists them. The profiler's per-kernel timing is switched off meanwhile: it reads every
 * kernel's output back (or queries GPU timers), which WebGPU on SwiftShader never answers, and counting
 * needs none of it. Where the profiler is not where tfjs 4.22 keeps it, plain `tf.profile` counts.
 */
export async function kernelsPerStep(step: () => Promise<unknown>): Promise<number> {
  const profiler = (tf.engine() as unknown as { profiler?: KernelProfiler }).profiler;
  const original = profiler?.profileKernel;
  if (profiler && original) {
    profiler.profileKernel = (kernelName, inputs, run) => ({
      kernelName,
      inputs,
      outputs: run(),
      timeMs: Promise.resolve(0),
      extraInfo: Promise.resolve(''),
    });
  }
  try {
    const info = await tf.profile(async () => {
      await step();
    });
    return info.kernels.length;
  } finally {
    if (profiler && original) profiler.profileKernel = original;
  }
}

export function summarise(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    medianMs: quantile(sorted, 0.5),
    p25Ms: quantile(sorted, 0.25),
    p75Ms: quantile(sorted, 0.75),
    steps: sorted.length,
  };
}

async function timeSteps(step: () => Promise<unknown>, budget: BenchBudget): Promise<Timing> {
  const warming = performance.now();
  for (let i = 0; i < budget.warmupSteps || performance.now() - warming < budget.warmupMs; i++) await step();
  const samples: number[] = [];
  const started = performance.now();
  while (
    samples.length < budget.maxSteps &&
    (samples.length < budget.minSteps || performance.now() - started < budget.maxMs)
  ) {
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
  // Counted after the timed steps (warm), on a step like them: profiling does not slow the timed ones.
  const kernels = await kernelsPerStep(() => run.trainStep());
  run.dispose();
  const bareRun = new Run({ config: benchCase.config, side: 'clipped', data });
  const bare = await timeSteps(() => bareRun.trainStepBare(), budget);
  const bareKernels = await kernelsPerStep(() => bareRun.trainStepBare());
  bareRun.dispose();
  const leakedTensors = tf.memory().numTensors - before;
  const simdCells = simdCellsActive();
  return { id: benchCase.id, backend: tf.getBackend(), step, bare, kernels, bareKernels, leakedTensors, simdCells };
}

/**
 * Time until the cliff lesson's full-resolution surface is computed and read back
 * (the second of two runs: the first compiles kernels).
 */
export async function measureSurface(
  side: number,
): Promise<{ backend: string; side: number; firstMs: number; warmMs: number }> {
  const window = { wMin: -2, wMax: 10, bMin: -8, bMax: 3 };
  let t0 = performance.now();
  await cliffSurface(window, side, side, 50);
  const firstMs = performance.now() - t0;
  t0 = performance.now();
  await cliffSurface(window, side, side, 50);
  return { backend: tf.getBackend(), side, firstMs, warmMs: performance.now() - t0 };
}
