/**
 * Times the recurrent presets' training step in Node on tfjs's WASM backend (one thread), with the
 * autodiff reference model ("before") and the hand-written backward ("after"), and counts the kernels
 * one step launches (tf.profile), with the commonest kernel names.
 *
 *   npx tsx scripts/profileRecurrent.ts                 every case, 20 timed steps each
 *   npx tsx scripts/profileRecurrent.ts --steps 8 --only lstm-tf --detail
 *
 * --detail adds, per case, where one step's time goes: per kernel name, the count and the summed
 * kernel time tf.profile measured (the rest of the step is dispatch and JS), and inside the fused
 * recurrent kernels the time of the backend matMuls and activations they call.
 * --backward bptt|autodiff measures only that one (default both).
 *
 * Each case trains the preset's own config (model, batch, optimiser, clipping, hiddenGradEvery); the
 * "every step" column sets hiddenGradEvery = 1, so ||dL/dh_t|| is measured on every timed step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { startNodeBackend } from '../src/cli/nodeBackend.ts';
import { nodeDataLoader } from '../src/cli/nodeData.ts';
import type { ExperimentConfig } from '../src/experiment/config.ts';
import { PRESETS, type PresetId } from '../src/experiment/presets.ts';
import { loadTrainingData, type TrainingData } from '../src/train/data/trainingData.ts';
import type { RecurrentBackward } from '../src/train/models/recurrent.ts';
import { Run } from '../src/train/trainer.ts';
import { fusedClock } from '../src/train/kernels/backendMemory.ts';

/** Lesson 9's setting (the adding problem at T = 100, Adam, global norm 1): the lessons check's longest runs. */
const LESSON_9: Partial<ExperimentConfig> = {
  seqLen: 100,
  optimizer: 'adam',
  lr: 0.01,
  clip: { ...PRESETS.adding.config.clip, mode: 'global', threshold: 1 },
};

const CASES: readonly { id: string; preset: PresetId; label: string; config?: Partial<ExperimentConfig> }[] = [
  { id: 'lstm-pytorch', preset: 'lstm-pytorch', label: 'LSTM 2x128, batch 64' },
  { id: 'lstm-tf', preset: 'lstm-tf', label: 'LSTM 1x32, batch 32' },
  { id: 'rnn-scale', preset: 'rnn-scale', label: 'RNN 1x128, batch 64' },
  { id: 'adding-rnn', preset: 'adding', label: 'RNN 1x32, T = 100, batch 32 (lesson 9)', config: LESSON_9 },
  {
    id: 'adding-lstm',
    preset: 'adding',
    label: 'LSTM 1x32, T = 100, batch 32 (lesson 9)',
    config: { ...LESSON_9, model: 'lstm' },
  },
];

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const timedSteps = Number(argValue('--steps') ?? 20);
const only = argValue('--only');
const detail = process.argv.includes('--detail');

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] ?? NaN) + (sorted[Math.ceil(mid)] ?? NaN)) / 2;
}

interface Measured {
  medianMs: number;
  kernels: number;
  topKernels: string;
  /** Per kernel name: count and summed ms, slowest first. */
  byTime: string;
  /** The same for matMuls, per input shapes. */
  matMuls: string;
  kernelMs: number;
  /** Inside the fused recurrent kernels, per step (with --detail). */
  fused: string;
}

async function measure(config: ExperimentConfig, data: TrainingData, backward: RecurrentBackward): Promise<Measured> {
  const before = tf.memory().numTensors;
  const run = new Run({ config: { ...config, steps: 1_000_000 }, side: 'clipped', data, backward });
  for (let i = 0; i < 3; i++) await run.trainStep();
  const samples: number[] = [];
  Object.assign(fusedClock, { on: detail, kernelMs: 0, matMulMs: 0, matMuls: 0, activationMs: 0, activations: 0 });
  for (let i = 0; i < timedSteps; i++) {
    const t0 = performance.now();
    await run.trainStep();
    samples.push(performance.now() - t0);
  }
  fusedClock.on = false;
  const per = (ms: number) => (ms / timedSteps).toFixed(2);
  const fused =
    fusedClock.kernelMs > 0
      ? `fused recurrent kernels ${per(fusedClock.kernelMs)} ms a step: backend matMuls ${per(fusedClock.matMulMs)} ms ` +
        `(${fusedClock.matMuls / timedSteps}), sigmoid/tanh ${per(fusedClock.activationMs)} ms ` +
        `(${fusedClock.activations / timedSteps}), TypeScript ${per(fusedClock.kernelMs - fusedClock.matMulMs - fusedClock.activationMs)} ms`
      : '';
  const profile = await tf.profile(async () => {
    await run.trainStep();
  });
  run.dispose();
  if (tf.memory().numTensors !== before)
    throw new Error(`${backward}: ${tf.memory().numTensors - before} tensors leaked`);
  const counts = new Map<string, number>();
  const times = new Map<string, number>();
  const matMulTimes = new Map<string, { n: number; ms: number }>();
  let kernelMs = 0;
  for (const k of profile.kernels) {
    if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const shapes = k.inputShapes.map((shape) => `[${(shape ?? []).join('x')}]`).join(' ');
      const entry = matMulTimes.get(shapes) ?? { n: 0, ms: 0 };
      entry.n += 1;
      entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      matMulTimes.set(shapes, entry);
    }
    counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    times.set(k.name, (times.get(k.name) ?? 0) + ms);
    kernelMs += ms;
  }
  const byTime = [...times.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([name, ms]) => `${name} ${counts.get(name)}x ${ms.toFixed(1)} ms`)
    .join(', ');
  const topKernels = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const matMuls = [...matMulTimes.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 8)
    .map(([shapes, { n, ms }]) => `${shapes} ${n}x ${ms.toFixed(1)} ms`)
    .join(', ');
  return { medianMs: median(samples), kernels: profile.kernels.length, topKernels, byTime, matMuls, kernelMs, fused };
}

async function main(): Promise<void> {
  setThreadsCount(1);
  await startNodeBackend(['wasm']);
  console.log(
    `tfjs ${tf.version_core}, backend ${tf.getBackend()}, ${getThreadsCount()} thread(s), ${timedSteps} timed steps`,
  );
  const rows: string[][] = [];
  for (const { id, preset, label, config: override } of CASES) {
    if (only && only !== id) continue;
    const config: ExperimentConfig = {
      ...PRESETS[preset].config,
      ...override,
      trainSize: 2000,
      testSize: 100,
      evalEvery: 0,
    };
    const data = await loadTrainingData(config, nodeDataLoader);
    const backwards = (['autodiff', 'bptt'] as const).filter(
      (b) => !argValue('--backward') || argValue('--backward') === b,
    );
    for (const backward of backwards) {
      const m = await measure(config, data, backward);
      const every = await measure({ ...config, hiddenGradEvery: 1 }, data, backward);
      rows.push([
        label,
        backward,
        m.medianMs.toFixed(1),
        String(m.kernels),
        every.medianMs.toFixed(1),
        String(every.kernels),
      ]);
      console.log(`${label} [${backward}]: kernels of a step measuring dL/dh_t: ${every.topKernels}`);
      if (detail) {
        console.log(`  kernel time ${every.kernelMs.toFixed(1)} ms of the profiled step: ${every.byTime}`);
        console.log(`  matMuls: ${every.matMuls}`);
        if (m.fused) console.log(`  median step ${m.medianMs.toFixed(1)} ms; ${m.fused}`);
      }
    }
  }
  const header = ['case', 'backward', 'ms/step', 'kernels/step', 'ms/step, dL/dh_t every step', 'kernels'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(['', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}

await main();
