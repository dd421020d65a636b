/// <reference lib="webworker" />
/**
 * A sweep's worker: trains its cells of a learning-rate x threshold grid (train/sweep/gridSweep.ts) and posts
 * each cell's outcome as soon as it is known, and its progress at most every PROGRESS_MS.
 * Boundary: imports the training core, tfjs and the protocol; never React, the store or anything that touches
 * the DOM.
 *
 * WASM first: it is the faster backend for these small nets here (docs/PERFORMANCE.md), and the one the CLI
 * uses, so the page and `gradlab sweep` give the same numbers.
 */
import { loadTrainingData } from '../train/data/trainingData.ts';
import { runGridSweep } from '../train/sweep/gridSweep.ts';
import { loadSeedData } from '../train/seedBands.ts';
import { startBackend, webglContext } from './backends.ts';
import { progressDataLoader } from './browserData.ts';
import { unreachable, type FromSweepWorker, type ToSweepWorker } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const PROGRESS_MS = 100;

let cancelled = false;
let busy = false;
/** Why the sweep must stop (a lost WebGL context: its numbers could not be trusted), or null. */
let broken: string | null = null;

function post(message: FromSweepWorker): void {
  self.postMessage(message);
}

async function sweep(message: Extract<ToSweepWorker, { type: 'start' }>): Promise<void> {
  busy = true;
  cancelled = false;
  const backend = await startBackend(['wasm', 'webgl', 'cpu'], (name, reason) =>
    post({
      type: 'notice',
      message: `The ${name.toUpperCase()} backend could not start (${reason}); trying the next one.`,
    }),
  );
  post({ type: 'backend', backend });
  const canvas = (webglContext() as { canvas?: OffscreenCanvas } | null)?.canvas;
  canvas?.addEventListener('webglcontextlost', (event) => {
    event.preventDefault();
    broken = 'the WebGL context was lost';
  });
  const loader = progressDataLoader((progress) => post({ type: 'data-progress', ...progress }));
  const data = await loadTrainingData(message.config, loader);
  // Over several seeds every cell trains each seed, from that seed's data where the data is drawn from the seed.
  const seedData =
    message.config.seeds > 1 ? (await loadSeedData(message.config, loader, data)).map((s) => s.data) : [data];
  let lastProgress = 0;
  await runGridSweep(
    message.config,
    data,
    message.cells,
    message.steps,
    {
      method: message.method,
      onStart: ({ method, classifier }) => post({ type: 'started', method, classifier }),
      onCell: (k, outcome) => post({ type: 'cell', index: message.indices[k] ?? k, outcome }),
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_MS && done < total) return;
        lastProgress = now;
        post({ type: 'progress', done, total });
      },
      cancelled: () => cancelled || broken !== null,
      // Let a `cancel` in.
      pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
    },
    seedData,
  );
  // The step in flight ran on a dying context: the cells it finished are kept, the sweep ends with the reason.
  if (broken !== null) throw new Error(broken);
  post({ type: 'done', cancelled });
}

/** The role's message handler: lab.worker.ts hands it every message, those sent before it loaded first. */
export function onMessage(event: MessageEvent<ToSweepWorker>): void {
  const message = event.data;
  switch (message.type) {
    case 'start':
      if (busy) {
        post({ type: 'error', message: 'this worker is already sweeping; start a new one' });
        return;
      }
      sweep(message)
        .catch((error: unknown) =>
          post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
        )
        .finally(() => (busy = false));
      return;
    case 'cancel':
      cancelled = true;
      return;
    default:
      unreachable(message);
  }
}
