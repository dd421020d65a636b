/// <reference lib="webworker" />
/**
 * The cliff lesson's worker: computes the loss surface at the resolutions asked
 * (the page has drawn its own coarse sketch already), coarse first, so the
 * picture sharpens in steps.
 * Boundary: imports the training core, tfjs and the protocol; never React,
 * the store or anything that touches the DOM.
 */
import { cliffSurface } from '../train/cliff.ts';
import { descendPlain } from '../train/cliffPlain.ts';
import { backendOrder, startBackend } from './backends.ts';
import { unreachable, type FromCliffWorker, type ToCliffWorker } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

function post(message: FromCliffWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

const ready = startBackend(backendOrder('auto'), (name, reason) =>
  post({
    type: 'notice',
    message: `The ${name.toUpperCase()} backend could not start (${reason}); trying the next one.`,
  }),
).then((backend) => {
  post({ type: 'backend', backend });
  return backend;
});

/** Only the newest surface request is worth finishing: a pan or zoom makes older ones stale. */
let latestSurface = 0;

async function surface(message: Extract<ToCliffWorker, { type: 'surface' }>): Promise<void> {
  latestSurface = message.id;
  await ready;
  for (const [k, n] of message.resolutions.entries()) {
    if (message.id !== latestSurface) return;
    const started = performance.now();
    const loss = await cliffSurface(message.window, n, n, message.T);
    const final = k === message.resolutions.length - 1;
    post({ type: 'surface', id: message.id, cols: n, rows: n, loss, elapsedMs: performance.now() - started, final }, [
      loss.buffer,
    ]);
  }
}

/** The page computes the descents itself; asked, the worker gives the same ones, without waiting for a backend. */
async function paths(message: Extract<ToCliffWorker, { type: 'descend' }>): Promise<void> {
  const started = performance.now();
  const result = descendPlain(message.start, message.clips, message.options);
  post({ type: 'paths', id: message.id, paths: result, elapsedMs: performance.now() - started });
}

/** The role's message handler: lab.worker.ts hands it every message, those sent before it loaded first. */
export function onMessage(event: MessageEvent<ToCliffWorker>): void {
  const message = event.data;
  const fail = (error: unknown) =>
    post({ type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) });
  switch (message.type) {
    case 'surface':
      surface(message).catch(fail);
      break;
    case 'descend':
      paths(message).catch(fail);
      break;
    default:
      unreachable(message);
  }
}
