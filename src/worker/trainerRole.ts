/// <reference lib="webworker" />
/**
 * A training worker: one run of an experiment, off the main thread.
 * Boundary: imports the training core, tfjs and the protocol; never React,
 * the store or anything that touches the DOM.
 *
 * It trains up to the step the page grants (`advance`), sends metrics in
 * batches (at most every FLUSH_MS), and survives a backend that dies: on a
 * lost WebGL context or a failing kernel it starts the next backend and
 * replays the run deterministically to where it was.
 *
 * Over several seeds (`seeds` > 1) it trains every seed of its run in the driver's lockstep, on this one worker:
 * the link's own seed is the run the page has always had (its every metric in `metrics`), and the others add their
 * loss, global norm and test metric to the bands (`seeds`). The dense net with SGD trains those others as one
 * batched program (train/batchedSeeds.ts), until a knob is turned or the backend fails over: then, and for every
 * other model, each is a `Run` of its own, one after another within each step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { seedConfig, type ExperimentConfig, type RunSide } from '../experiment/config.ts';
import { sortedSchedule, type KnobChange } from '../experiment/schedule.ts';
import { loadTrainingData, trainRows, type TrainingData } from '../train/data/trainingData.ts';
import type { StepMetrics } from '../train/metrics.ts';
import { driveRun, driveRuns, type DriveLane, type DrivenRun, type RunObserver } from '../train/runDriver.ts';
import { SeedBands, loadSeedData } from '../train/seedBands.ts';
import { BatchedSeeds, batchedSeedsRefusal } from '../train/batchedSeeds.ts';
import { Run } from '../train/trainer.ts';
import { chooseAutoBackend } from './backendChoice.ts';
import { backendOrder, startBackend, webglContext } from './backends.ts';
import { progressDataLoader } from './browserData.ts';
import { unreachable, type BackendName, type FromWorker, type ToWorker } from './protocol.ts';
import { restAfter } from './workerShare.ts';

declare const self: DedicatedWorkerGlobalScope;

const FLUSH_MS = 100;
const YIELD_MS = 30;

let config: ExperimentConfig | null = null;
let side: RunSide = 'clipped';
let data: TrainingData | null = null;
let run: Run | null = null;
let backends: BackendName[] = [];
let backend: BackendName = 'cpu';
let target = 0;
/** The share of its time this worker computes (workerShare.ts): below 1 where the workers outnumber the cores. */
let duty = 1;
let looping = false;
let contextLost = false;
let failNextStep = false;
let loseContextMidStep = false;
let pending: StepMetrics[] = [];
/** The link's schedule, and the knobs turned live since (the driver reads it before every step). */
let schedule: KnobChange[] = [];
let pendingMs = 0;
/** Auto's backend trial for a model size not timed yet: due once the run is over and the page is quiet. */
let trialAfterRun: ((data: TrainingData) => Promise<void>) | null = null;
let runOver = false;
/** The page's word (`quiet`): no run of it has trained for a few seconds. */
let pageQuiet = false;
/** Seeds 1 to n - 1 of a run over n seeds (seed 0 is `run`), with their data, and the bands they make. */
let seedRuns: Run[] = [];
/** The driver's view of them, made once (the driver remembers the knobs a run took by this object). */
let seedLanes: DrivenRun[] = [];
/** The dense net's other seeds as one program (then `seedRuns` is empty), until a knob or a fail-over. */
let batchedSeeds: BatchedSeeds | null = null;
/** A knob was turned: the batched seeds become Runs before the next step (they cannot take a knob). */
let unbatchBeforeNextStep = false;
let seedData: TrainingData[] = [];
let bands: SeedBands | null = null;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function flush(): void {
  if (pending.length > 0) post({ type: 'metrics', steps: pending, elapsedMs: pendingMs });
  pending = [];
  pendingMs = 0;
  if (bands) {
    const { rows, evals } = bands.take();
    if (rows.length > 0 || evals.length > 0) post({ type: 'seeds', rows, evals, outcomes: bands.outcomes() });
  }
}

function loseWebglContext(): void {
  const extension = webglContext()?.getExtension('WEBGL_lose_context');
  if (extension) extension.loseContext();
  else post({ type: 'notice', message: `There is no WebGL context to lose: this run is on ${backend.toUpperCase()}.` });
}

/** Rejects when the current backend's WebGL context is lost; never settles on another backend. */
let contextGone: Promise<never> = new Promise<never>(() => {});

function watchContext(): void {
  contextLost = false;
  const gl = webglContext();
  const canvas = (gl as { canvas?: OffscreenCanvas } | null)?.canvas;
  contextGone = new Promise<never>((_, reject) => {
    canvas?.addEventListener('webglcontextlost', (event) => {
      event.preventDefault();
      contextLost = true;
      reject(new Error('The WebGL context was lost'));
    });
  });
  // Raced by every step and evaluation, not always awaited: its rejection is expected, never unhandled.
  contextGone.catch(() => {});
}

/**
 * `work`, or a rejection as soon as the WebGL context is lost. A step that reads a tensor back on a context lost
 * before the event arrived waits on a GPU fence that never signals: without this the run hung at "running".
 */
function unlessLost<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, contextGone]);
}

/** `act` on the current run, moved to the next backend and taken again if the context is lost meanwhile. */
async function surviveLoss<T>(act: () => Promise<T>): Promise<T> {
  for (;;) {
    if (contextLost) await failOver('The WebGL context was lost', (run as Run).step);
    try {
      return await unlessLost(act());
    } catch (error) {
      if (!contextLost) throw error;
    }
  }
}

async function start(choice: BackendName[]): Promise<void> {
  backend = await startBackend(choice, (name, reason) =>
    post({
      type: 'notice',
      message: `The ${name.toUpperCase()} backend could not start (${reason}); trying the next one.`,
    }),
  );
  backends = choice.slice(choice.indexOf(backend) + 1);
  watchContext();
  post({ type: 'backend', backend });
}

function statusMessage(): FromWorker {
  const r = run as Run;
  if (seedLanes.length === 0) return { type: 'status', status: r.status, step: r.step, divergence: r.divergence };
  // Over several seeds the run goes on while any seed trains; it diverged only if every seed did. The divergence
  // told is the link's own seed's (the run every chart but the bands shows).
  const all: DrivenRun[] = [r, ...seedLanes];
  const status = all.some((x) => x.status === 'ready')
    ? 'ready'
    : all.every((x) => x.status === 'diverged')
      ? 'diverged'
      : 'finished';
  return { type: 'status', status, step: Math.max(...all.map((x) => x.step)), divergence: r.divergence };
}

/** The batched seeds as the driver sees them: whichever program holds them now (a fail-over replaces it). */
const batchedLane: DrivenRun = {
  get step() {
    return (batchedSeeds as BatchedSeeds).step;
  },
  get status() {
    return (batchedSeeds as BatchedSeeds).status;
  },
  get divergence() {
    return (batchedSeeds as BatchedSeeds).divergence;
  },
  hasTestSet: false,
  get config() {
    return (batchedSeeds as BatchedSeeds).config;
  },
  trainStep: () => surviveLoss(() => (batchedSeeds as BatchedSeeds).trainStep()),
  evaluate: () => Promise.resolve(null),
};

/** Seed k's run (k >= 1) as the driver sees it: whichever Run holds that seed now (a fail-over replaces them). */
function seedLane(k: number): DrivenRun {
  const current = () => seedRuns[k - 1] as Run;
  return {
    get step() {
      return current().step;
    },
    get status() {
      return current().status;
    },
    get divergence() {
      return current().divergence;
    },
    get hasTestSet() {
      return current().hasTestSet;
    },
    get config() {
      return current().config;
    },
    // A fail-over replaces this seed's Run with its replay on the next backend: `current()` is read again.
    trainStep: () => surviveLoss(() => current().trainStep()),
    evaluate: () => surviveLoss(() => current().evaluate()),
    applyKnob: (change) => current().applyKnob(change),
  };
}

/**
 * The batched seeds as one Run each, replayed without a word to the step they had done (their bands are already
 * told), with the schedule's knobs: what a turned knob or a fail-over needs.
 */
async function unbatchSeeds(): Promise<void> {
  const batched = batchedSeeds;
  if (!batched || !config) return;
  const done = batched.step;
  try {
    batched.dispose();
  } catch {
    // Its backend may be gone (a fail-over): nothing to free.
  }
  batchedSeeds = null;
  seedRuns = [];
  for (const [i, data] of seedData.entries()) {
    const seedRun = new Run({ config: seedConfig(config, i + 1), side, data });
    await driveRun(seedRun, [], { target: done, evalAtEnd: false, evalEvery: 0, schedule });
    for (const change of schedule) if (change.step === done) seedRun.applyKnob(change);
    seedRuns.push(seedRun);
  }
  seedLanes = seedRuns.map((_, i) => seedLane(i + 1));
}

/** Moves the run to the next backend and replays it to step `reached`: same seed, same batches. */
async function failOver(reason: string, reached: number): Promise<void> {
  const lost = backend;
  if (backends.length === 0) throw new Error(`${reason}, and no other backend is left`);
  try {
    run?.dispose();
  } catch {
    // The old backend's memory may be gone with its context; nothing to free.
  }
  await start(backends);
  const replay = new Run({ config: config as ExperimentConfig, side, data: data as TrainingData });
  run = replay;
  // The replay is told to no one: its steps were reported the first time. It takes the knobs at their steps, and
  // those due before its next step (the failed step's) now: the old run had taken them.
  await driveRun(replay, [], { target: reached, evalAtEnd: false, evalEvery: 0, schedule });
  for (const change of schedule) if (change.step === reached) replay.applyKnob(change);
  // The other seeds lived on the lost backend too: each is replayed to the step it had done, without a word (their
  // bands were told the first time).
  if (batchedSeeds && bands && config) {
    const old = batchedSeeds;
    try {
      old.dispose();
    } catch {
      // As above.
    }
    const replay = new BatchedSeeds(config, side, seedData, new SeedBands(bands.seeds));
    await driveRun(replay, [], { target: old.step, evalAtEnd: false, evalEvery: 0 });
    replay.tell(bands);
    batchedSeeds = replay;
  }
  for (const [i, old] of seedRuns.entries()) {
    const done = old.step;
    try {
      old.dispose();
    } catch {
      // As above: its memory may be gone with the context.
    }
    const seedReplay = new Run({ config: old.config, side, data: seedData[i] as TrainingData });
    seedRuns[i] = seedReplay;
    await driveRun(seedReplay, [], { target: done, evalAtEnd: false, evalEvery: 0, schedule });
    for (const change of schedule) if (change.step === done) seedReplay.applyKnob(change);
  }
  post({
    type: 'notice',
    message:
      `${reason}. The run moved from ${lost.toUpperCase()} to ${backend.toUpperCase()} and replayed its ` +
      `${reached} steps there (same seed and batches); it goes on from step ${reached + 1}.`,
  });
}

/**
 * The run as the driver sees it: a step that fails, or that ran on a WebGL context lost meanwhile, moves the run
 * to the next backend (failOver) and is taken again there, so the driver only ever sees trustworthy steps.
 */
const failoverRun: DrivenRun = {
  get step() {
    return (run as Run).step;
  },
  get status() {
    return (run as Run).status;
  },
  get divergence() {
    return (run as Run).divergence;
  },
  get hasTestSet() {
    return (run as Run).hasTestSet;
  },
  get config() {
    return config as ExperimentConfig;
  },
  async trainStep() {
    for (;;) {
      const current = run as Run;
      if (contextLost) {
        await failOver('The WebGL context was lost', current.step);
        continue;
      }
      let metrics: StepMetrics;
      try {
        if (failNextStep) {
          failNextStep = false;
          throw new Error('simulated: the GPU ran out of memory');
        }
        const stepping = current.trainStep();
        if (loseContextMidStep) {
          loseContextMidStep = false;
          loseWebglContext();
        }
        metrics = await unlessLost(stepping);
      } catch (error) {
        if (!contextLost && backends.length === 0) throw error;
        await failOver(
          contextLost
            ? 'The WebGL context was lost'
            : `The ${backend.toUpperCase()} backend failed (${error instanceof Error ? error.message : String(error)})`,
          current.step,
        );
        continue;
      }
      if (contextLost) {
        // This step ran on a dying context: its numbers cannot be trusted; replay up to it and take it again.
        await failOver('The WebGL context was lost', metrics.step - 1);
        continue;
      }
      return metrics;
    }
  },
  evaluate: () => surviveLoss(() => (run as Run).evaluate()),
  applyKnob: (change) => (run as Run).applyKnob(change),
};

/** Metrics go out in batches, at most every FLUSH_MS, and before an evaluation (which may take a while). */
function workerObserver(): RunObserver {
  let lastFlush = performance.now();
  return {
    observe(metrics, stepMs) {
      pending.push(metrics);
      pendingMs += stepMs;
    },
    evaluating: () => flush(),
    evaluated: (result) => post({ type: 'eval', result }),
    stepEnd() {
      const now = performance.now();
      if (now - lastFlush < FLUSH_MS) return;
      flush();
      lastFlush = now;
    },
  };
}

/** The end of the last rest: what the driver computed since is what the next rest makes up for. */
let restedAt = 0;
function rest(): Promise<void> {
  const ms = restAfter(performance.now() - restedAt, duty);
  return new Promise((resolve) =>
    setTimeout(() => {
      restedAt = performance.now();
      resolve();
    }, ms),
  );
}

async function loop(): Promise<void> {
  if (looping || !run || !config) return;
  looping = true;
  restedAt = performance.now();
  try {
    if (unbatchBeforeNextStep) {
      unbatchBeforeNextStep = false;
      await unbatchSeeds();
    }
    const observer = workerObserver();
    const lanes: DriveLane[] = [{ run: failoverRun, observers: bands ? [observer, bands.observer(0)] : [observer] }];
    // Every seed's step may flush: once the link's seed has diverged, the others still report their bands.
    const flushes: RunObserver = { stepEnd: (record) => observer.stepEnd?.(record) };
    // The batched lane tells the bands itself; a Run lane through its observer.
    for (const [i, lane] of seedLanes.entries())
      lanes.push({
        run: lane,
        observers: lane === batchedLane ? [flushes] : [(bands as SeedBands).observer(i + 1), flushes],
      });
    const result = await driveRuns(lanes, {
      target: () => target,
      // Let `advance` and `dispose` messages in, after a rest where the workers outnumber the cores.
      pause: () => rest(),
      pauseEveryMs: YIELD_MS,
      stopped: () => run === null,
      now: () => performance.now(),
      schedule: () => schedule,
    });
    if (result === 'stopped') return;
    flush();
    post(statusMessage());
    if (result === 'ended') runOver = true;
  } catch (error) {
    flush();
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), step: run?.step ?? 0 });
  } finally {
    looping = false;
  }
  await trialIfDue();
}

/**
 * Auto's trial, once the run is over and the page quiet: timed beside a race's other runs (a run diverged at step
 * 5 is over while three train on), its WebGL timing took the cores from them and from the page for seconds.
 * `looping` stays set meanwhile, so no step can start on the backends it switches between. It never throws.
 */
async function trialIfDue(): Promise<void> {
  if (!trialAfterRun || !runOver || !pageQuiet || looping || !data) return;
  const trial = trialAfterRun;
  trialAfterRun = null;
  looping = true;
  try {
    await trial(data);
  } finally {
    looping = false;
  }
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  config = message.config;
  side = message.side;
  schedule = [...message.config.schedule];
  // Auto never times before training: a remembered choice, or the first choice and a trial after the run.
  const auto = message.backend === 'auto' ? await chooseAutoBackend(config, post) : null;
  await start(auto ? auto.order : backendOrder(message.backend));
  // The page draws the download's progress (MNIST, the first time: some 11 MB for the full set).
  const loader = progressDataLoader((progress) => post({ type: 'data-progress', ...progress }));
  data = await loadTrainingData(config, loader);
  trialAfterRun = auto?.trialAfterRun ?? null;
  // The real run starts from the seed, untouched by any trial.
  run = new Run({ config, side, data });
  if (config.seeds > 1) {
    const seeds = await loadSeedData(config, loader, data);
    seedData = seeds.slice(1).map((s) => s.data);
    bands = new SeedBands(seeds.map((_, k) => seedConfig(config as ExperimentConfig, k).seed));
    if (batchedSeedsRefusal(config, side) === null) {
      batchedSeeds = new BatchedSeeds(config, side, seedData, bands);
      seedLanes = [batchedLane];
    } else {
      seedRuns = seeds.slice(1).map((s) => new Run({ config: s.config, side, data: s.data }));
      seedLanes = seedRuns.map((_, i) => seedLane(i + 1));
    }
  }
  post({ type: 'ready', backend, layout: run.layout, trainRows: trainRows(data) });
  // A step asked for while the run was starting (the right arrow pressed at once) is taken now, not lost.
  if (target > 0) void loop();
}

/** The role's message handler: lab.worker.ts hands it every message, those sent before it loaded first. */
export function onMessage(event: MessageEvent<ToWorker>): void {
  const message = event.data;
  switch (message.type) {
    case 'init':
      init(message).catch((error: unknown) =>
        post({
          type: 'error',
          message: `the run could not start: ${error instanceof Error ? error.message : String(error)}`,
          step: 0,
        }),
      );
      return;
    case 'advance':
      target = message.toStep;
      duty = message.duty;
      void loop();
      return;
    case 'quiet':
      pageQuiet = message.quiet;
      void trialIfDue();
      return;
    case 'knob':
      schedule = sortedSchedule([...schedule, message.change]);
      if (batchedSeeds) unbatchBeforeNextStep = true;
      return;
    case 'dispose':
      run?.dispose();
      run = null;
      for (const seedRun of seedRuns) seedRun.dispose();
      batchedSeeds?.dispose();
      batchedSeeds = null;
      seedRuns = [];
      seedLanes = [];
      tf.disposeVariables();
      self.close();
      return;
    case 'simulate':
      if (message.fault === 'fail-step') {
        failNextStep = true;
      } else if (message.fault === 'crash') {
        // An uncaught error in the worker's global scope, as a real bug would throw.
        setTimeout(() => {
          throw new Error('simulated worker crash');
        }, 0);
      } else if (message.fault === 'lose-webgl-context-mid-step') {
        loseContextMidStep = true;
      } else {
        loseWebglContext();
      }
      return;
    default:
      unreachable(message);
  }
}
