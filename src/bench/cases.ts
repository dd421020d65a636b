/**
 * What the benchmark measures, shared by its Node runner, its browser worker
 * and (as JSON) its PyTorch script, so every column times the same step.
 */
import { DEFAULT_CONFIG, NO_CLIP, type ExperimentConfig } from '../experiment/config.ts';

export interface BenchCase {
  id: string;
  label: string;
  config: ExperimentConfig;
}

const CLIP_VALUE_1 = { ...NO_CLIP, mode: 'value', min: -1, max: 1 } as const;
const MNIST = {
  trainSize: 2000,
  testSize: 100,
  evalEvery: 0,
  hiddenGradEvery: 0,
  pair: false,
  steps: 100_000,
  clip: CLIP_VALUE_1,
} as const;

export const BENCH_CASES: BenchCase[] = [
  { id: 'dense', label: 'dense 20-25-1, batch 128', config: { ...DEFAULT_CONFIG, pair: false, steps: 100_000 } },
  {
    id: 'lstm32',
    label: 'LSTM 1x32, batch 32',
    config: {
      ...DEFAULT_CONFIG,
      ...MNIST,
      model: 'lstm',
      hidden: 32,
      layers: 1,
      init: 'keras',
      optimizer: 'adam',
      lr: 0.001,
      batch: 32,
    },
  },
  {
    id: 'lstm128x2',
    label: 'LSTM 2x128, batch 64',
    config: {
      ...DEFAULT_CONFIG,
      ...MNIST,
      model: 'lstm',
      hidden: 128,
      layers: 2,
      optimizer: 'adam',
      lr: 0.01,
      batch: 64,
    },
  },
  {
    id: 'rnn128',
    label: 'vanilla RNN 1x128, batch 64',
    config: {
      ...DEFAULT_CONFIG,
      ...MNIST,
      model: 'rnn',
      hidden: 128,
      layers: 1,
      recScale: 1,
      optimizer: 'sgd',
      lr: 0.01,
      momentum: 0.9,
      batch: 64,
    },
  },
];

/** How long each measurement may take: the full run, or a smoke run that only proves the bench still works. */
export interface BenchBudget {
  warmupSteps: number;
  /**
   * And warm up for at least this long: a run trains for thousands of steps, and the fused kernels' TypeScript runs
   * unoptimised for its first hundred or so (five warm-up steps put the dense step at 1.3 ms where a warm one is 0.5).
   */
  warmupMs: number;
  minSteps: number;
  maxSteps: number;
  /** Stop measuring a case after this long (slow backends get fewer, never under minSteps). */
  maxMs: number;
  /** The cliff surface's side, in cells. */
  surfaceSide: number;
}

export const FULL_BUDGET: BenchBudget = {
  warmupSteps: 5,
  warmupMs: 1_500,
  minSteps: 5,
  maxSteps: 500,
  maxMs: 8_000,
  surfaceSide: 256,
};
export const SMOKE_BUDGET: BenchBudget = {
  warmupSteps: 1,
  warmupMs: 0,
  minSteps: 2,
  maxSteps: 2,
  maxMs: 1,
  surfaceSide: 32,
};

/** A smoke run keeps the small cases: the point is that every path still runs. */
export function casesFor(smoke: boolean): BenchCase[] {
  return smoke ? BENCH_CASES.filter((c) => c.id === 'dense' || c.id === 'lstm32') : BENCH_CASES;
}
