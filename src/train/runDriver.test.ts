import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeDataLoader } from '../cli/nodeData.ts';
import { parseExperiment } from '../experiment/urlCodec.ts';
import { Narrator } from '../present/narrator.ts';
import { loadTrainingData } from './data/trainingData.ts';
import type { Divergence, EvalMetrics, StepMetrics } from './metrics.ts';
import { driveRun, driveRuns, evaluationDue, type DrivenRun, type RunObserver } from './runDriver.ts';
import type { TrainerPhase } from './runPhase.ts';
import { Run } from './trainer.ts';

/**
 * A run whose steps are known in advance: its loss is 1/step, Infinity at `divergeAt`; `log` gets a line per
 * step and evaluation, so a test sees exactly what the driver asked of it and in which order.
 */
class ScriptedRun implements DrivenRun {
  step = 0;
  status: TrainerPhase = 'ready';
  divergence: Divergence | null = null;

  constructor(
    readonly name: string,
    readonly config: { steps: number; evalEvery: number },
    readonly log: string[],
    private readonly divergeAt: number | null = null,
    readonly hasTestSet = true,
  ) {}

  trainStep(): Promise<StepMetrics> {
    if (this.status !== 'ready') throw new Error(`${this.name} stepped while ${this.status}`);
    this.step += 1;
    this.log.push(`${this.name} step ${this.step}`);
    const loss = this.step === this.divergeAt ? Infinity : 1 / this.step;
    if (!Number.isFinite(loss)) {
      this.divergence = { step: this.step, what: 'loss', value: 'Infinity' };
      this.status = 'diverged';
    } else if (this.step >= this.config.steps) this.status = 'finished';
    return Promise.resolve({ step: this.step, epoch: 1, loss } as StepMetrics);
  }

  evaluate(): Promise<EvalMetrics | null> {
    this.log.push(`${this.name} evaluate ${this.step}`);
    return Promise.resolve({ step: this.step, testAccuracy: 0.5, testLoss: 1, examples: 10 });
  }
}

/** The steps at which `run` was evaluated, from its log. */
function evaluatedAt(log: string[], name = 'a'): number[] {
  return log.filter((l) => l.startsWith(`${name} evaluate`)).map((l) => Number(l.split(' ').at(-1)));
}

/** An observer writing every call it gets into `log`, prefixed with `name`. */
function recorder(name: string, log: string[]): RunObserver {
  return {
    observe: (m) => log.push(`${name}.observe ${m.step}`),
    diverged: (d) => log.push(`${name}.diverged ${d.step}`),
    evaluating: (step) => log.push(`${name}.evaluating ${step}`),
    evaluated: (e) => log.push(`${name}.evaluated ${e.step}`),
    stepEnd: (r) => log.push(`${name}.stepEnd ${r.metrics.step} eval=${r.evaluation?.step ?? '-'}`),
    ended: (end) => log.push(`${name}.ended ${end.status} ${end.step}`),
  };
}

describe('the run driver: when a run is evaluated', () => {
  it.each([
    [10, 4, true, [4, 8, 10]],
    [10, 5, true, [5, 10]], // the last step is a multiple: evaluated once, not twice
    [10, 0, true, [10]],
    [10, 0, false, []],
    [7, 3, false, [3, 6]],
  ])('steps %i, evalEvery %i, at the end %s: evaluated after steps %j', async (steps, evalEvery, atEnd, expected) => {
    const log: string[] = [];
    const result = await driveRun(new ScriptedRun('a', { steps, evalEvery }, log), [], { evalAtEnd: atEnd });
    expect(result).toBe('ended');
    expect(evaluatedAt(log)).toEqual(expected);
  });

  it("takes evalEvery from the run's config unless the caller overrides it", async () => {
    const log: string[] = [];
    await driveRun(new ScriptedRun('a', { steps: 6, evalEvery: 2 }, log), [], { evalEvery: 3 });
    expect(evaluatedAt(log)).toEqual([3, 6]);
  });

  it('never evaluates a diverged run: not at its divergence, not after; its earlier evaluations stand', async () => {
    const log: string[] = [];
    const observed: string[] = [];
    const run = new ScriptedRun('a', { steps: 10, evalEvery: 2 }, log, 4);
    expect(await driveRun(run, [recorder('o', observed)])).toBe('ended');
    expect(evaluatedAt(log)).toEqual([2]);
    expect(log.filter((l) => l.includes('step'))).toEqual(['a step 1', 'a step 2', 'a step 3', 'a step 4']);
    expect(observed.slice(-4)).toEqual(['o.observe 4', 'o.diverged 4', 'o.stepEnd 4 eval=-', 'o.ended diverged 4']);
  });

  it('a run without a test set is never evaluated', async () => {
    const log: string[] = [];
    await driveRun(new ScriptedRun('a', { steps: 4, evalEvery: 1 }, log, null, false));
    expect(evaluatedAt(log)).toEqual([]);
  });

  it('evaluationDue says the same for a finished step, a diverged one and one in between', () => {
    const run = new ScriptedRun('a', { steps: 10, evalEvery: 0 }, []);
    expect(evaluationDue(run, 3, 3, true)).toBe(true);
    expect(evaluationDue(run, 4, 3, true)).toBe(false);
    run.status = 'finished';
    expect(evaluationDue(run, 10, 0, true)).toBe(true);
    expect(evaluationDue(run, 10, 0, false)).toBe(false);
    run.status = 'diverged';
    expect(evaluationDue(run, 9, 3, true)).toBe(false);
  });
});

describe('the run driver: observers', () => {
  it('tells every observer, in the order given: metrics, then the evaluation, then the whole step, then the end', async () => {
    const observed: string[] = [];
    const run = new ScriptedRun('a', { steps: 2, evalEvery: 2 }, []);
    await driveRun(run, [recorder('A', observed), recorder('B', observed)]);
    expect(observed).toEqual([
      'A.observe 1',
      'B.observe 1',
      'A.stepEnd 1 eval=-',
      'B.stepEnd 1 eval=-',
      'A.observe 2',
      'B.observe 2',
      'A.evaluating 2',
      'B.evaluating 2',
      'A.evaluated 2',
      'B.evaluated 2',
      'A.stepEnd 2 eval=2',
      'B.stepEnd 2 eval=2',
      'A.ended finished 2',
      'B.ended finished 2',
    ]);
  });

  it("gives each step's and each evaluation's time by the host's clock", async () => {
    let clock = 0;
    const records: [number, number][] = [];
    const run = new ScriptedRun('a', { steps: 2, evalEvery: 0 }, []);
    // Every reading of the clock moves it 10 ms on: a step and an evaluation each span one reading.
    await driveRun(run, [{ stepEnd: (r) => records.push([r.stepMs, r.evalMs]) }], { now: () => (clock += 10) });
    expect(records).toEqual([
      [10, 0],
      [10, 10],
    ]);
  });

  it('hears a real Run with the real Narrator attached as it is: the dense net overflows at step 5', async () => {
    const parsed = parseExperiment('v=1&preset=dense-explode&pair=0&clip=none&steps=12');
    if (!parsed.ok) throw new Error(parsed.reason);
    const data = await loadTrainingData(parsed.config, nodeDataLoader);
    const before = tf.memory().numTensors;
    const run = new Run({ config: parsed.config, side: 'clipped', data });
    const narrator = new Narrator(run.clip, run.layout);
    const steps: number[] = [];
    const result = await driveRun(run, [narrator, { observe: (m) => steps.push(m.step) }]);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toBe('ended');
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    expect(narrator.story().divergence).toEqual({ step: 5, what: 'loss', value: 'Infinity' });
    expect(narrator.story().steps).toBe(5);
  });
});

describe('the run driver: lockstep, targets, stopping and yielding', () => {
  it('steps a pair in lockstep, one step of each per round, and leaves a run that is over alone', async () => {
    const log: string[] = [];
    const a = new ScriptedRun('a', { steps: 4, evalEvery: 0 }, log, null, false);
    const b = new ScriptedRun('b', { steps: 4, evalEvery: 0 }, log, 2, false);
    const c = new ScriptedRun('c', { steps: 3, evalEvery: 0 }, log, null, false);
    expect(await driveRuns([{ run: a }, { run: b }, { run: c }])).toBe('ended');
    expect(log).toEqual([
      'a step 1',
      'b step 1',
      'c step 1',
      'a step 2',
      'b step 2', // b diverges here and takes no further step
      'c step 2',
      'a step 3',
      'c step 3',
      'a step 4',
    ]);
  });

  it('stops at the target step, and goes on when the target is raised, evaluating only at the real end', async () => {
    const log: string[] = [];
    const run = new ScriptedRun('a', { steps: 8, evalEvery: 0 }, log);
    let target = 3;
    const options = { target: () => target };
    expect(await driveRun(run, [], options)).toBe('target');
    expect(run.step).toBe(3);
    expect(await driveRun(run, [], options)).toBe('target'); // nothing granted: no step
    expect(run.step).toBe(3);
    target = 20;
    expect(await driveRun(run, [], options)).toBe('ended');
    expect(run.step).toBe(8);
    expect(evaluatedAt(log)).toEqual([8]);
    expect(await driveRun(run, [], { target: 2 })).toBe('ended'); // an ended run is not stepped again
  });

  it('a numeric target: a replay to step 5 takes exactly five steps and hears no evaluation', async () => {
    const log: string[] = [];
    const run = new ScriptedRun('a', { steps: 5, evalEvery: 5 }, log);
    expect(await driveRun(run, [], { target: 5, evalEvery: 0, evalAtEnd: false })).toBe('ended');
    expect(log).toEqual(['a step 1', 'a step 2', 'a step 3', 'a step 4', 'a step 5']);
  });

  it('stops between rounds when asked, with the pair at the same step', async () => {
    const log: string[] = [];
    const a = new ScriptedRun('a', { steps: 100, evalEvery: 0 }, log);
    const b = new ScriptedRun('b', { steps: 100, evalEvery: 0 }, log);
    expect(await driveRuns([{ run: a }, { run: b }], { stopped: () => a.step >= 3 })).toBe('stopped');
    expect([a.step, b.step]).toEqual([3, 3]);
    expect(evaluatedAt(log)).toEqual([]);
  });

  it('hands the event loop to the host every pauseEveryMs, and hears a stop the host set meanwhile', async () => {
    let clock = 0;
    let pauses = 0;
    let stop = false;
    const run = new ScriptedRun('a', { steps: 100, evalEvery: 0 }, [], null, false);
    // Every step takes 10 ms by this clock.
    const step = run.trainStep.bind(run);
    run.trainStep = () => ((clock += 10), step());
    const result = await driveRun(run, [], {
      now: () => clock,
      pauseEveryMs: 25,
      pause: () => {
        pauses += 1;
        if (pauses === 4) stop = true;
        return Promise.resolve();
      },
      stopped: () => stop,
    });
    expect(result).toBe('stopped');
    expect(pauses).toBe(4);
    // 30 ms since the last pause before rounds 4, 7, 10 and 13; the fourth pause stops the run before its 13th step.
    expect(run.step).toBe(12);
  });
});
