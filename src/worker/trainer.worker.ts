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
 */
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig, RunSide } from '../experiment/config.ts';
import { loadTrainingData, trainRows, type TrainingData } from '../train/data/trainingData.ts';
import type { StepMetrics } from '../train/metrics.ts';
import { Run } from '../train/trainer.ts';
import { chooseAutoBackend } from './backendChoice.ts';
import { backendOrder, startBackend, webglContext } from './backends.ts';
import { browserDataLoader } from './browserData.ts';
import { unreachable, type BackendName, type FromWorker, type ToWorker } from './protocol.ts';

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
let looping = false;
let contextLost = false;
let failNextStep = false;
let pending: StepMetrics[] = [];
let pendingMs = 0;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function flush(): void {
  if (pending.length === 0) return;
  post({ type: 'metrics', steps: pending, elapsedMs: pendingMs });
  pending = [];
  pendingMs = 0;
}

function watchContext(): void {
  contextLost = false;
  const gl = webglContext();
  const canvas = (gl as { canvas?: OffscreenCanvas } | null)?.canvas;
  canvas?.addEventListener('webglcontextlost', (event) => {
    event.preventDefault();
    contextLost = true;
  });
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
  return {
    type: 'status',
    status: r.status,
    step: r.step,
    divergence: r.divergence,
  };
}

/** Moves the run to the next backend and replays it to the step it had reached: same seed, same batches. */
async function failOver(reason: string): Promise<void> {
  const reached = run?.step ?? 0;
  const lost = backend;
  if (backends.length === 0) throw new Error(`${reason}, and no other backend is left`);
  try {
    run?.dispose();
  } catch {
    // The old backend's memory may be gone with its context; nothing to free.
  }
  await start(backends);
  run = new Run({ config: config as ExperimentConfig, side, data: data as TrainingData });
  while (run.step < reached && run.status === 'ready') await run.trainStep();
  post({
    type: 'notice',
    message:
      `${reason}. The run moved from ${lost.toUpperCase()} to ${backend.toUpperCase()} and replayed its ` +
      `${reached} steps there (same seed and batches); it goes on from step ${reached + 1}.`,
  });
}

async function loop(): Promise<void> {
  if (looping || !run || !config) return;
  looping = true;
  let lastFlush = performance.now();
  let lastYield = lastFlush;
  try {
    while (run.status === 'ready' && run.step < target) {
      if (contextLost) await failOver('The WebGL context was lost');
      const started = performance.now();
      let metrics: StepMetrics;
      try {
        if (failNextStep) {
          failNextStep = false;
          throw new Error('simulated: the GPU ran out of memory');
        }
        metrics = await run.trainStep();
      } catch (error) {
        if (!contextLost && backends.length === 0) throw error;
        await failOver(
          contextLost
            ? 'The WebGL context was lost'
            : `The ${backend.toUpperCase()} backend failed (${error instanceof Error ? error.message : String(error)})`,
        );
        continue;
      }
      if (contextLost) {
        // This step ran on a dying context: its numbers cannot be trusted; redo it on the next backend.
        await failOver('The WebGL context was lost');
        continue;
      }
      pendingMs += performance.now() - started;
      pending.push(metrics);
      const now = performance.now();
      const evalDue =
        run.hasTestSet && ((config.evalEvery > 0 && metrics.step % config.evalEvery === 0) || run.status !== 'ready');
      if (evalDue) {
        flush();
        const result = await run.evaluate();
        if (result) post({ type: 'eval', result });
      }
      if (now - lastFlush >= FLUSH_MS) {
        flush();
        lastFlush = now;
      }
      if (now - lastYield >= YIELD_MS) {
        // Let `advance` and `dispose` messages in.
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
        if (!run) return;
      }
    }
    flush();
    post(statusMessage());
  } catch (error) {
    flush();
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), step: run?.step ?? 0 });
  } finally {
    looping = false;
  }
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  config = message.config;
  side = message.side;
  if (message.backend === 'auto') {
    // The data first: the backends are timed on this very model, with a throwaway Run.
    data = await loadTrainingData(config, browserDataLoader);
    await start(await chooseAutoBackend(config, data, post));
  } else {
    await start(backendOrder(message.backend));
    data = await loadTrainingData(config, browserDataLoader);
  }
  // The real run starts from the seed, untouched by any trial.
  run = new Run({ config, side, data });
  post({ type: 'ready', backend, layout: run.layout, trainRows: trainRows(data) });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
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
      void loop();
      return;
    case 'dispose':
      run?.dispose();
      run = null;
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
      } else {
        const gl = webglContext();
        const extension = gl?.getExtension('WEBGL_lose_context');
        if (extension) extension.loseContext();
        else
          post({
            type: 'notice',
            message: `There is no WebGL context to lose: this run is on ${backend.toUpperCase()}.`,
          });
      }
      return;
    default:
      unreachable(message);
  }
};
