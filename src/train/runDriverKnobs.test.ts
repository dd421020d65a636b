/**
 * The run driver applying a schedule of knobs: a change at step S reaches the run just before its step S + 1, every
 * run of a pair takes a shared knob at the same step, and a change turned live (added while the loop runs, or
 * applied by hand at the step) gives the same numbers as the same change replayed from the link.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../cli/nodeData.ts';
import type { ExperimentConfig, RunSide } from '../experiment/config.ts';
import { changeConcerns, type KnobChange } from '../experiment/schedule.ts';
import { parseExperiment } from '../experiment/urlCodec.ts';
import { loadTrainingData } from './data/trainingData.ts';
import type { Divergence, EvalMetrics, StepMetrics } from './metrics.ts';
import { UPDATE_RATIO_FLOOR } from './metricSchema.ts';
import { driveRun, driveRuns, type DrivenRun } from './runDriver.ts';
import type { TrainerPhase } from './runPhase.ts';
import { Run } from './trainer.ts';

/** A run that logs its steps and the knobs it takes, so a test sees their order. */
class KnobbedRun implements DrivenRun {
  step = 0;
  status: TrainerPhase = 'ready';
  divergence: Divergence | null = null;
  readonly hasTestSet = false;
  readonly config = { steps: 5, evalEvery: 0 };

  constructor(
    readonly side: RunSide,
    readonly log: string[],
  ) {}

  trainStep(): Promise<StepMetrics> {
    this.step += 1;
    this.log.push(`${this.side} step ${this.step}`);
    if (this.step >= this.config.steps) this.status = 'finished';
    return Promise.resolve({ step: this.step, epoch: 1, loss: 1 } as StepMetrics);
  }

  evaluate(): Promise<EvalMetrics | null> {
    return Promise.resolve(null);
  }

  applyKnob(change: KnobChange): boolean {
    if (!changeConcerns(change, this.side)) return false;
    this.log.push(`${this.side} takes ${change.knob} at ${change.step}`);
    return true;
  }
}

const NORM_01 = { mode: 'norm', min: -1, max: 1, threshold: 0.1, normType: '2' } as const;

describe('the run driver: a schedule of knobs', () => {
  it('a change at step 2 reaches the run after its step 2 and before its step 3, and its observers hear it', async () => {
    const log: string[] = [];
    const heard: string[] = [];
    const run = new KnobbedRun('clipped', log);
    await driveRun(run, [{ knob: (c) => heard.push(`${c.knob}@${c.step}`) }], {
      schedule: [{ step: 2, knob: 'lr', lr: 0.5 }],
    });
    expect(log).toEqual([
      'clipped step 1',
      'clipped step 2',
      'clipped takes lr at 2',
      'clipped step 3',
      'clipped step 4',
      'clipped step 5',
    ]);
    expect(heard).toEqual(['lr@2']);
  });

  it('both runs of a pair take the learning rate at the same step; a clipping only its own run', async () => {
    const log: string[] = [];
    const a = new KnobbedRun('baseline', log);
    const b = new KnobbedRun('clipped', log);
    await driveRuns([{ run: a }, { run: b }], {
      target: 3,
      schedule: [
        { step: 1, knob: 'lr', lr: 0.5 },
        { step: 2, knob: 'clip', clip: NORM_01 },
      ],
    });
    expect(log).toEqual([
      'baseline step 1',
      'clipped step 1',
      'baseline takes lr at 1',
      'baseline step 2',
      'clipped takes lr at 1',
      'clipped step 2',
      'baseline step 3',
      'clipped takes clip at 2',
      'clipped step 3',
    ]);
  });

  it('a run driven in several calls (the worker, grant by grant) takes each change once', async () => {
    const log: string[] = [];
    const run = new KnobbedRun('clipped', log);
    const schedule: KnobChange[] = [{ step: 1, knob: 'lr', lr: 0.5 }];
    await driveRun(run, [], { target: 2, schedule });
    await driveRun(run, [], { target: 4, schedule });
    expect(log.filter((l) => l.includes('takes'))).toEqual(['clipped takes lr at 1']);
  });
});

async function configOf(link: string): Promise<ExperimentConfig> {
  const parsed = parseExperiment(link);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.config;
}

/** Trains `config`'s clipped run; `live` (if given) is called once the run has done `at` steps, before the rest. */
async function train(
  config: ExperimentConfig,
  schedule: readonly KnobChange[] | (() => readonly KnobChange[]),
  live?: { at: number; turn: (run: Run) => void },
): Promise<StepMetrics[]> {
  const data = await loadTrainingData(config, nodeDataLoader);
  const run = new Run({ config, side: 'clipped', data });
  const steps: StepMetrics[] = [];
  const record = { observe: (m: StepMetrics) => steps.push(m) };
  if (live) {
    await driveRun(run, [record], { target: live.at, schedule });
    live.turn(run);
  }
  await driveRun(run, [record], { schedule });
  run.dispose();
  return steps;
}

/** ||update|| / ||clipped gradient|| of each parameter at a step: the learning rate SGD without momentum used. */
function ratesOf(m: StepMetrics): number[] {
  return m.updateRatio.map(
    (r, i) => (r * Math.max(m.weightNorm[i] ?? 0, UPDATE_RATIO_FLOOR)) / (m.gradNormPost[i] ?? NaN),
  );
}

describe('a schedule on a real run: the same numbers turned live or replayed from the link', () => {
  const LINK = 'v=1&preset=dense-explode&pair=0&momentum=0&steps=10&clip=norm&clipNorm=1';

  it('the learning rate: 0.07 up to step 4, 0.01 from step 5; the weights and batches go on', async () => {
    const config = await configOf(`${LINK}&knobs=4:lr=0.01`);
    expect(config.schedule).toEqual([{ step: 4, knob: 'lr', lr: 0.01 }]);
    const before = tf.memory().numTensors;
    const steps = await train(config, config.schedule);
    expect(tf.memory().numTensors).toBe(before);
    expect(steps).toHaveLength(10);
    for (const m of steps)
      for (const rate of ratesOf(m).filter(Number.isFinite)) expect(rate).toBeCloseTo(m.step <= 4 ? 0.07 : 0.01, 4);
  });

  it('a change turned live at step 4 equals the link replaying it; without it the run differs from step 5 on', async () => {
    const config = await configOf(`${LINK}&knobs=4:lr=0.01;4:clip=norm:0.1`);
    const replayed = await train(config, config.schedule);
    // Live, as the worker gets it: the change is added to the schedule once the run has reached step 4.
    const growing: KnobChange[] = [];
    const addedLive = await train(config, () => growing, {
      at: 4,
      turn: () => growing.push(...config.schedule),
    });
    // Live by hand, at the step: Run.applyKnob directly.
    const byHand = await train(config, [], { at: 4, turn: (run) => config.schedule.forEach((c) => run.applyKnob(c)) });
    expect(addedLive).toEqual(replayed);
    expect(byHand).toEqual(replayed);
    const unturned = await train({ ...config, schedule: [] }, []);
    expect(unturned.slice(0, 4)).toEqual(replayed.slice(0, 4));
    expect(unturned[4]?.loss).toBe(replayed[4]?.loss); // step 5's loss is measured before its update
    expect(unturned[4]?.globalNormPost).not.toBe(replayed[4]?.globalNormPost);
    // The threshold went from 1 to 0.1: every clipped tensor is at most 0.1 long from step 5 on.
    for (const m of replayed.slice(4)) for (const n of m.gradNormPost) expect(n).toBeLessThanOrEqual(0.1 * (1 + 1e-5));
  });
});
