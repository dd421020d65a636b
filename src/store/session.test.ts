/**
 * The session and store without a browser: fake workers record what they are
 * told and answer like the real one, so the lockstep, the reset rules and the
 * crash isolation are tested in Node.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_CLIP } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import type { StepMetrics } from '../train/metrics.ts';
import type { FromWorker, ToWorker } from '../worker/protocol.ts';
import { at } from '../../test/support/at.ts';
import { reportedRuns, seriesBySide, useLab } from './labStore.ts';
import {
  PACED_STEPS_PER_SECOND,
  openingPaceUntil,
  PACED_UNTIL_STEP,
  applyExperiment,
  pause,
  play,
  resetRuns,
  setClientFactory,
  setClock,
  setPacing,
  setSlowMotion,
  stepOnce,
  turnKnob,
} from './session.ts';

interface FakeWorker {
  sent: ToWorker[];
  emit: (message: FromWorker) => void;
  crash: (reason: string) => void;
  terminated: boolean;
}

let workers: FakeWorker[] = [];

const layout = {
  params: [{ name: 'fc1.weight', layer: 'fc1', size: 500 }],
  layers: ['fc1'],
  hiddenLayers: 0,
  timeSteps: 0,
  classifier: false,
};

function metrics(step: number, loss = 1): StepMetrics {
  return {
    step,
    epoch: 1,
    loss,
    accuracy: null,
    globalNormPre: 2,
    globalNormPost: 1,
    clipFraction: 0.5,
    clipScale: 0.5,
    gradNormPre: [2],
    gradNormPost: [1],
    weightNorm: [3],
    updateRatio: [0.01],
    layerNormPre: [2],
    layerNormPost: [1],
    hiddenGradNorms: null,
  };
}

/** The two workers of the pair, baseline first. */
function pair(): [FakeWorker, FakeWorker] {
  return [at(workers, 0, 'worker'), at(workers, 1, 'worker')];
}

function advanceTargets(worker: FakeWorker): number[] {
  return worker.sent
    .filter((m): m is Extract<ToWorker, { type: 'advance' }> => m.type === 'advance')
    .map((m) => m.toStep);
}

// A test that stubs `navigator` (the cores) leaves it stubbed for the next one should an assertion fail first.
afterEach(() => vi.unstubAllGlobals());

beforeEach(() => {
  workers = [];
  setClientFactory((onMessage, onCrash) => {
    const worker: FakeWorker = { sent: [], emit: onMessage, crash: onCrash, terminated: false };
    workers.push(worker);
    return {
      send: (m) => worker.sent.push(m),
      terminate: () => (worker.terminated = true),
      dispose: () => (worker.terminated = true),
    };
  });
  useLab.setState({
    config: PRESETS['dense-explode'].config,
    preset: 'dense-explode',
    runs: {},
    playing: false,
    slowMotion: false,
  });
  // The lockstep tests want every grant at once; the pacing of the first seconds has its own tests below.
  setPacing(false);
  resetRuns();
});

/** Resolves with the store's next redraw (a `seriesVersion` bump), which puts the runs' reported figures in. */
function nextRedraw(): Promise<void> {
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('no redraw within a second')), 1000);
    const stop = useLab.subscribe((state, previous) => {
      if (state.seriesVersion === previous.seriesVersion) return;
      clearTimeout(timeout);
      stop();
      resolve();
    });
  });
}

function readyAll(): void {
  for (const w of workers) w.emit({ type: 'ready', backend: 'webgl', layout, trainRows: 1000 });
}

describe('session', () => {
  it('starts one worker per run of the pair with the same config and its side', () => {
    expect(workers).toHaveLength(2);
    expect(workers.map((w) => w.sent[0])).toEqual([
      { type: 'init', config: PRESETS['dense-explode'].config, side: 'baseline', backend: 'auto' },
      { type: 'init', config: PRESETS['dense-explode'].config, side: 'clipped', backend: 'auto' },
    ]);
  });

  it('keeps the pair in step: nobody is granted steps far beyond the slower run', () => {
    readyAll();
    play();
    const [a, b] = pair();
    expect(advanceTargets(a)).toEqual([1]); // no speed known yet: a cautious first grant
    // The baseline races ahead, the clipped run is slow.
    a.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 10 });
    expect(advanceTargets(a).at(-1)).toBeLessThanOrEqual(2);
    b.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 1000 });
    const grants = [...advanceTargets(a), ...advanceTargets(b)];
    expect(Math.max(...grants)).toBeLessThanOrEqual(3);
    expect(useLab.getState().runs.baseline?.phase).toBe('running');
  });

  it('a run that crashes stops alone, keeps its steps and says so; the other goes on', () => {
    readyAll();
    play();
    const [a, b] = pair();
    a.emit({ type: 'metrics', steps: [metrics(1), metrics(2)], elapsedMs: 20 });
    a.crash('boom');
    const baseline = useLab.getState().runs.baseline;
    expect(baseline?.phase).toBe('crashed');
    expect(baseline?.error).toContain('stopped unexpectedly (boom)');
    expect(baseline?.error).toContain('Its 2 finished steps are kept');
    expect(seriesBySide.get('baseline')?.count).toBe(2);
    expect(a.terminated).toBe(true);
    const before = advanceTargets(b).length;
    b.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 20 });
    expect(advanceTargets(b).length).toBeGreaterThan(before);
    expect(useLab.getState().playing).toBe(true);
  });

  it('a divergence ends that run only', () => {
    readyAll();
    play();
    const [a] = pair();
    a.emit({ type: 'metrics', steps: [metrics(1), metrics(2, Infinity)], elapsedMs: 20 });
    a.emit({ type: 'status', status: 'diverged', step: 2, divergence: { step: 2, what: 'loss', value: 'Infinity' } });
    expect(useLab.getState().runs.baseline?.phase).toBe('diverged');
    expect(useLab.getState().runs.clipped?.phase).toBe('running');
  });

  it('pause lowers the target to the current step; one step grants exactly one more', () => {
    readyAll();
    play();
    const [a, b] = pair();
    a.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    b.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    pause();
    expect(advanceTargets(a).at(-1)).toBe(1);
    expect(useLab.getState().runs.clipped?.phase).toBe('paused');
    stepOnce();
    expect(advanceTargets(a).at(-1)).toBe(2);
    expect(advanceTargets(b).at(-1)).toBe(2);
  });

  it('two quick presses of one step grant two steps, even before either run has reported its first', () => {
    readyAll();
    const [a, b] = pair();
    stepOnce();
    stepOnce();
    expect(advanceTargets(a)).toEqual([1, 2]);
    expect(advanceTargets(b)).toEqual([1, 2]);
  });

  it('one step pressed while the runs are still starting is granted, not lost: the workers take it once ready', () => {
    const [a, b] = pair();
    expect(useLab.getState().runs.clipped?.phase).toBe('starting');
    stepOnce();
    expect(advanceTargets(a)).toEqual([1]);
    expect(advanceTargets(b)).toEqual([1]);
    readyAll();
    a.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    b.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    expect(reportedRuns().clipped?.step).toBe(1);
  });

  it("puts the runs' reported steps in the store with the charts' next redraw, not once per batch", async () => {
    const [a, b] = pair();
    readyAll();
    play();
    // The first step may be narrated, and something told goes in at once, with the step: past it, nothing is.
    for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    await nextRedraw();
    expect([useLab.getState().runs.baseline?.step, useLab.getState().runs.clipped?.step]).toEqual([1, 1]);
    const redraw = nextRedraw();
    let runUpdates = 0;
    const stop = useLab.subscribe((state, previous) => {
      if (state.runs !== previous.runs) runUpdates += 1;
    });
    for (let k = 2; k <= 10; k++)
      for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(k)], elapsedMs: 5 });
    // The grants go by what was reported at once; the page shows it with the lines.
    expect(reportedRuns().baseline?.step).toBe(10);
    expect(useLab.getState().runs.baseline?.step).toBe(1);
    expect(runUpdates).toBe(0);
    expect(Math.max(...advanceTargets(a))).toBeGreaterThan(10);
    await redraw;
    stop();
    expect(runUpdates).toBe(1);
    expect([useLab.getState().runs.baseline?.step, useLab.getState().runs.clipped?.step]).toEqual([10, 10]);
    // A pause shows the step it stops at at once: nothing staged is left behind.
    for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(11)], elapsedMs: 5 });
    pause();
    expect(useLab.getState().runs.baseline?.step).toBe(11);
    expect(useLab.getState().runs.baseline?.phase).toBe('paused');
  });

  it('a reset forgets what was staged for the runs it replaces', async () => {
    const [a] = pair();
    readyAll();
    a.emit({ type: 'metrics', steps: [metrics(1), metrics(2)], elapsedMs: 5 });
    resetRuns();
    await nextRedraw();
    expect(useLab.getState().runs.baseline?.step).toBe(0);
    expect(useLab.getState().runs.baseline?.phase).toBe('starting');
  });

  it('Play pressed while the runs are starting keeps their workers and starts them once ready', () => {
    const [a, b] = pair();
    play();
    expect(a.terminated || b.terminated).toBe(false);
    expect(a.sent.some((m) => m.type === 'dispose')).toBe(false);
    expect(workers).toHaveLength(2);
    readyAll();
    expect(advanceTargets(a).length).toBeGreaterThan(0);
    expect(advanceTargets(b).length).toBeGreaterThan(0);
  });

  it('a new setting replaces the runs: old workers are disposed and the series cleared', () => {
    readyAll();
    at(workers, 0, 'worker').emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    const generation = useLab.getState().generation;
    const old = [...workers];
    applyExperiment({ ...PRESETS['dense-explode'].config, seed: 9 }, 'dense-explode');
    expect(old.every((w) => w.terminated)).toBe(true);
    expect(seriesBySide.size).toBe(0);
    expect(useLab.getState().generation).toBe(generation + 1);
    expect(workers.slice(2).map((w) => (w.sent[0] as Extract<ToWorker, { type: 'init' }>).config.seed)).toEqual([9, 9]);
  });

  it('a race starts four workers with one session id, keeps them in step, and a crash leaves the other three going', () => {
    const race = {
      ...PRESETS['dense-explode'].config,
      race: [
        { ...NO_CLIP, mode: 'norm' as const, threshold: 1 },
        { ...NO_CLIP, mode: 'global' as const, threshold: 1 },
      ],
    };
    applyExperiment(race, 'dense-explode');
    const four = workers.slice(2);
    expect(four.map((w) => (w.sent[0] as Extract<ToWorker, { type: 'init' }>).side)).toEqual([
      'baseline',
      'clipped',
      'third',
      'fourth',
    ]);
    const runs = useLab.getState().runs;
    expect(Object.keys(runs)).toEqual(['baseline', 'clipped', 'third', 'fourth']);
    expect(runs.third?.clip).toEqual(race.race[0]);
    expect(new Set(Object.values(runs).map((r) => r?.runId?.split(':')[0])).size).toBe(1);
    for (const w of four) w.emit({ type: 'ready', backend: 'wasm', layout, trainRows: 1000 });
    play();
    for (const w of four) w.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    at(four, 3, 'worker').crash('boom');
    expect(useLab.getState().runs.fourth?.error).toContain('the other runs go on');
    expect(useLab.getState().runs.third?.phase).toBe('running');
    expect(useLab.getState().playing).toBe(true);
  });

  it("each grant carries the workers' share of the cores: on two, a pair computes 0.875 of the time, a race of four 0.3125 of it, three left 5/12", () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
    const duties = (w: FakeWorker) =>
      w.sent.filter((m): m is Extract<ToWorker, { type: 'advance' }> => m.type === 'advance').map((m) => m.duty);
    readyAll();
    play();
    for (const w of pair()) expect(duties(w)).toEqual([0.875]);
    applyExperiment(
      { ...PRESETS['dense-explode'].config, race: [{ ...NO_CLIP, mode: 'norm' as const, threshold: 1 }, NO_CLIP] },
      'dense-explode',
    );
    const four = workers.slice(2);
    for (const w of four) w.emit({ type: 'ready', backend: 'wasm', layout, trainRows: 1000 });
    play();
    for (const w of four) expect(duties(w)).toEqual([0.3125]);
    at(four, 3, 'worker').crash('boom');
    for (const w of four.slice(0, 3)) w.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
    for (const w of four.slice(0, 3)) expect(duties(w).at(-1)).toBeCloseTo(1.25 / 3, 12);
    // On eight cores the race computes all the time.
    vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    pause();
    for (const w of four.slice(0, 3)) expect(duties(w).at(-1)).toBe(1);
  });

  it('a run that cannot start says why once, without a doubled stop, and does not claim a stopped run goes on', () => {
    readyAll();
    play();
    const [a, b] = pair();
    a.emit({ type: 'error', message: 'the run could not start: The request was denied.', step: 0 });
    expect(useLab.getState().runs.baseline?.error).toBe(
      'The run stopped at step 0: the run could not start: The request was denied. Its 0 finished steps are kept; the other run goes on.',
    );
    b.emit({ type: 'error', message: 'the run could not start: The request was denied.', step: 0 });
    // The baseline had already stopped: nothing goes on, and the clipped run must not say otherwise.
    expect(useLab.getState().runs.clipped?.error).toContain('kept; nothing else was lost.');
  });

  it("shows the steps a run makes per second of wall-clock time, not the worker's compute speed", () => {
    let clockMs = 0;
    setClock(() => clockMs);
    try {
      applyExperiment({ ...PRESETS['dense-explode'].config, steps: 100_000 }, 'dense-explode');
      const [a, b] = [at(workers, 2, 'worker'), at(workers, 3, 'worker')];
      for (const w of [a, b]) w.emit({ type: 'ready', backend: 'wasm', layout, trainRows: 1000 });
      play();
      // Each worker computes 30 steps in 30 ms (1,000 steps/s) but, sharing the cores, reports every 100 ms: 300/s.
      for (let k = 1; k <= 100; k++) {
        clockMs = k * 100;
        for (const w of [a, b])
          w.emit({
            type: 'metrics',
            steps: Array.from({ length: 30 }, (_, i) => metrics((k - 1) * 30 + i + 1)),
            elapsedMs: 30,
          });
      }
      expect(reportedRuns().baseline?.stepsPerSecond).toBeCloseTo(300, 6);
      // The grants still follow the compute speed (chunks of a quarter second of it, 250 steps), not the shown
      // speed (which would grant 75 at a time and never run more than 75 ahead of step 3,000).
      expect(Math.max(...advanceTargets(a))).toBeGreaterThan(3000 + 75);
    } finally {
      setClock(() => performance.now());
    }
  });
});

function knobsSent(worker: FakeWorker) {
  return worker.sent.filter((m): m is Extract<ToWorker, { type: 'knob' }> => m.type === 'knob').map((m) => m.change);
}

describe('knobs turned while the runs train', () => {
  it('before the first step a knob is a new experiment: nothing is turned live', () => {
    readyAll();
    expect(turnKnob({ knob: 'lr', lr: 0.01 })).toBeNull();
    expect(workers.flatMap(knobsSent)).toEqual([]);
  });

  it('both runs take a turned knob at one step no run has passed: the highest granted, even after a pause', () => {
    readyAll();
    play();
    const [a, b] = pair();
    a.emit({ type: 'metrics', steps: [metrics(1), metrics(2)], elapsedMs: 20 });
    b.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 20 });
    const granted = Math.max(...advanceTargets(a), ...advanceTargets(b));
    expect(granted).toBeGreaterThan(2);
    // The pause lowers the targets to the steps reported, but the workers may already be past them.
    pause();
    const step = turnKnob({ knob: 'lr', lr: 0.01 });
    expect(step).toBe(granted);
    const change = { step: granted, knob: 'lr', lr: 0.01 };
    expect(knobsSent(a)).toEqual([change]);
    expect(knobsSent(b)).toEqual([change]);
    expect(useLab.getState().config.schedule).toEqual([change]);
    expect(useLab.getState().runs.clipped?.knobMarks).toEqual([{ step: granted, label: 'lr 0.07 → 0.01' }]);
  });

  it("a run's clipping goes to every worker, marked only on the run it turns, kept as the link writes it", () => {
    readyAll();
    play();
    const [a] = pair();
    a.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 20 });
    const step = turnKnob({ knob: 'clip', clip: { mode: 'norm', min: -5, max: 5, threshold: 0.1, normType: '2' } });
    const change = { step, knob: 'clip', clip: { ...NO_CLIP, mode: 'norm', threshold: 0.1 } };
    expect(knobsSent(a)).toEqual([change]);
    expect(useLab.getState().runs.clipped?.knobMarks?.map((m) => m.label)).toEqual(['clip value:-1:1 → norm:0.1']);
    expect(useLab.getState().runs.baseline?.knobMarks).toEqual([]);
  });
});

/** Runs `body` on a fake clock with the first seconds' pacing on; `tick()` moves the clock a paced step on. */
function onPacedClock(body: (tick: () => void) => void): void {
  vi.useFakeTimers();
  let clockMs = 0;
  setClock(() => clockMs);
  setPacing(true);
  try {
    body(() => {
      clockMs += 1000 / PACED_STEPS_PER_SECOND;
      vi.advanceTimersByTime(1000 / PACED_STEPS_PER_SECOND);
    });
  } finally {
    setClock(() => performance.now());
    vi.useRealTimers();
  }
}

describe('the pace of the first seconds', () => {
  it(`one step at a time, ${PACED_STEPS_PER_SECOND} a second, until a run diverges; then chunks`, () => {
    onPacedClock((tick) => {
      readyAll();
      play();
      const [a, b] = pair();
      expect([advanceTargets(a), advanceTargets(b)]).toEqual([[1], [1]]);
      for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
      // Both have reported step 1, but a quarter second has not passed: nothing yet.
      expect(advanceTargets(a)).toEqual([1]);
      tick();
      expect([advanceTargets(a), advanceTargets(b)]).toEqual([
        [1, 2],
        [1, 2],
      ]);
      for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(2)], elapsedMs: 5 });
      a.emit({ type: 'status', status: 'diverged', step: 2, divergence: { step: 2, what: 'loss', value: 'Infinity' } });
      // Full speed once the explosion has happened: a quarter second of the clipped run's steps at once.
      expect(Math.max(...advanceTargets(b))).toBeGreaterThan(3);
    });
  });

  it(`a run that crashes in the paced steps does not hold the other to the pace past step ${PACED_UNTIL_STEP}`, () => {
    onPacedClock((tick) => {
      readyAll();
      play();
      const [a, b] = pair();
      for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(1)], elapsedMs: 5 });
      a.crash('boom');
      // Alone now, the clipped run is still paced up to step PACED_UNTIL_STEP ...
      for (let step = 1; step < PACED_UNTIL_STEP; step++) {
        tick();
        expect(Math.max(...advanceTargets(b))).toBe(step + 1);
        b.emit({ type: 'metrics', steps: [metrics(step + 1)], elapsedMs: 5 });
      }
      // ... then at full speed, although the crashed run's step stays at 1.
      expect(useLab.getState().runs.baseline?.step).toBe(1);
      expect(Math.max(...advanceTargets(b))).toBeGreaterThan(PACED_UNTIL_STEP + 1);
    });
  });

  it(`without a divergence, full speed from step ${PACED_UNTIL_STEP}; slow motion keeps the pace`, () => {
    onPacedClock((tick) => {
      readyAll();
      play();
      const [a, b] = pair();
      // The toolbar hears of the opening pace (and gives no time left) while it holds, and only then.
      expect(openingPaceUntil()).toBe(PACED_UNTIL_STEP);
      for (let step = 1; step < PACED_UNTIL_STEP; step++) {
        for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(step)], elapsedMs: 5 });
        tick();
      }
      expect(Math.max(...advanceTargets(a))).toBe(PACED_UNTIL_STEP);
      expect(openingPaceUntil()).toBe(PACED_UNTIL_STEP);
      setSlowMotion(true);
      for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(PACED_UNTIL_STEP)], elapsedMs: 5 });
      // Slow motion is the pace of the whole run: its time left is true.
      expect(openingPaceUntil()).toBeNull();
      expect(Math.max(...advanceTargets(a))).toBe(PACED_UNTIL_STEP);
      tick();
      expect(Math.max(...advanceTargets(a))).toBe(PACED_UNTIL_STEP + 1);
      setSlowMotion(false);
      expect(openingPaceUntil()).toBeNull();
      for (const w of [a, b]) w.emit({ type: 'metrics', steps: [metrics(PACED_UNTIL_STEP + 1)], elapsedMs: 5 });
      expect(Math.max(...advanceTargets(a))).toBeGreaterThan(PACED_UNTIL_STEP + 2);
    });
  });
});

describe('a pair over several seeds', () => {
  it('keeps each run’s bands beside its series, and moves the run on by them once its own seed has diverged', () => {
    workers = [];
    applyExperiment({ ...PRESETS['dense-explode'].config, seeds: 3 }, 'dense-explode');
    readyAll();
    play();
    const [a] = pair();
    const bands = seriesBySide.get('baseline')?.bands;
    expect(bands).toBeDefined();
    a.emit({ type: 'metrics', steps: [metrics(1), metrics(2, Infinity)], elapsedMs: 20 });
    const band = { median: 2, min: 1, max: 3, finite: 3 };
    const outcomes = [0, 1, 2].map((k) => ({
      k,
      seed: k,
      steps: 4,
      done: false,
      divergedAt: k === 0 ? 2 : null,
      firstLoss: 1,
      finalLoss: 1,
    }));
    a.emit({
      type: 'seeds',
      rows: [1, 2, 3, 4].map((step) => ({ step, loss: band, globalNorm: band })),
      evals: [],
      outcomes,
    });
    expect(bands?.count).toBe(4);
    expect(useLab.getState().runs.baseline?.step).toBe(4);
    expect(useLab.getState().runs.baseline?.seeds).toEqual(outcomes);
  });

  it('gives a run of one seed no bands', () => {
    readyAll();
    expect(seriesBySide.get('baseline')?.bands).toBeNull();
  });
});
