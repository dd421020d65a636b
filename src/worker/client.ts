/**
 * The page's handles on its workers: typed messages in and out, and a crash
 * callback when a worker dies (an uncaught error or a failed load).
 */
import {
  workerName,
  type FromCliffWorker,
  type FromWorker,
  type ToCliffWorker,
  type ToWorker,
  type WorkerRole,
} from './protocol.ts';

/** The longest a worker waits for the page's first paint (a tab opened in the background paints only when shown). */
export const FIRST_PAINT_WAIT_MS = 1500;

let firstPaint: Promise<void> | null = null;

/**
 * Resolves once the page has painted its first content, or after FIRST_PAINT_WAIT_MS. A worker starting with the
 * page loads TensorFlow.js and compiles WebAssembly, up to four threads at once, on the cores the page starts on:
 * Lighthouse's mobile blocking time was 0.9 to 1.6 s with the workers made at once, 0.3 to 1.2 s (most runs under
 * 0.7 s) with them made after the paint (docs/PERFORMANCE.md).
 */
export function afterFirstPaint(): Promise<void> {
  firstPaint ??= new Promise<void>((resolve) => {
    if (typeof PerformanceObserver === 'undefined' || !PerformanceObserver.supportedEntryTypes?.includes('paint')) {
      resolve();
      return;
    }
    const timer = setTimeout(done, FIRST_PAINT_WAIT_MS);
    const observer = new PerformanceObserver((list) => {
      if (list.getEntries().some((e) => e.name === 'first-contentful-paint')) done();
    });
    function done(): void {
      clearTimeout(timer);
      observer.disconnect();
      resolve();
    }
    observer.observe({ type: 'paint', buffered: true });
  });
  return firstPaint;
}

export class WorkerPort<In, Out> {
  private worker: Worker | null = null;
  /** Messages sent before the worker exists, in order. */
  private readonly queued: In[] = [];
  private alive = true;

  constructor(create: () => Worker, onMessage: (message: Out) => void, onCrash: (reason: string) => void) {
    // Made once the page has painted (afterFirstPaint): what is sent before waits, in order.
    void afterFirstPaint().then(() => {
      if (!this.alive) return;
      const worker = create();
      this.worker = worker;
      worker.onmessage = (event: MessageEvent<Out>) => {
        if (this.alive) onMessage(event.data);
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        if (!this.alive) return;
        this.terminate();
        onCrash(event.message || 'the worker could not run');
      };
      worker.onmessageerror = () => {
        if (!this.alive) return;
        this.terminate();
        onCrash('a message from the worker could not be read');
      };
      for (const message of this.queued.splice(0)) worker.postMessage(message);
    });
  }

  send(message: In): void {
    if (!this.alive) return;
    if (this.worker) this.worker.postMessage(message);
    else this.queued.push(message);
  }

  terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    this.queued.length = 0;
    this.worker?.terminate();
  }
}

/**
 * A new worker of the lab's one bundle (lab.worker.ts), in `role`. One bundle, because the roles share TensorFlow.js:
 * as three bundles they carried it three times (1.4 MB each, all precached by the service worker).
 */
export function labWorker(role: WorkerRole): Worker {
  return new Worker(new URL('./lab.worker.ts', import.meta.url), { type: 'module', name: workerName(role) });
}

/** One training run's worker. */
export class RunClient extends WorkerPort<ToWorker, FromWorker> {
  constructor(onMessage: (message: FromWorker) => void, onCrash: (reason: string) => void) {
    super(() => labWorker('trainer'), onMessage, onCrash);
  }

  /** Asks the worker to free its tensors and close; terminates it soon after regardless. */
  dispose(): void {
    this.send({ type: 'dispose' });
    setTimeout(() => this.terminate(), 500);
  }
}

/** The cliff lesson's worker. */
export function createCliffClient(
  onMessage: (message: FromCliffWorker) => void,
  onCrash: (reason: string) => void,
): WorkerPort<ToCliffWorker, FromCliffWorker> {
  return new WorkerPort(() => labWorker('cliff'), onMessage, onCrash);
}
