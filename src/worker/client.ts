/**
 * The page's handles on its workers: typed messages in and out, and a crash
 * callback when a worker dies (an uncaught error or a failed load).
 */
import type { FromCliffWorker, FromWorker, ToCliffWorker, ToWorker } from './protocol.ts';

export class WorkerPort<In, Out> {
  private readonly worker: Worker;
  private alive = true;

  constructor(create: () => Worker, onMessage: (message: Out) => void, onCrash: (reason: string) => void) {
    this.worker = create();
    this.worker.onmessage = (event: MessageEvent<Out>) => {
      if (this.alive) onMessage(event.data);
    };
    this.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      if (!this.alive) return;
      this.terminate();
      onCrash(event.message || 'the worker could not run');
    };
    this.worker.onmessageerror = () => {
      if (!this.alive) return;
      this.terminate();
      onCrash('a message from the worker could not be read');
    };
  }

  send(message: In): void {
    if (this.alive) this.worker.postMessage(message);
  }

  terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    this.worker.terminate();
  }
}

/** One training run's worker. */
export class RunClient extends WorkerPort<ToWorker, FromWorker> {
  constructor(onMessage: (message: FromWorker) => void, onCrash: (reason: string) => void) {
    super(
      () =>
        new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'gradient-lab-trainer' }),
      onMessage,
      onCrash,
    );
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
  return new WorkerPort(
    () => new Worker(new URL('./cliff.worker.ts', import.meta.url), { type: 'module', name: 'gradient-lab-cliff' }),
    onMessage,
    onCrash,
  );
}
