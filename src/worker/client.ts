/**
 * The page's handle on one training worker: typed messages in and out, and a
 * crash callback when the worker dies (an uncaught error or a failed load).
 */
import type { FromWorker, ToWorker } from './protocol.ts';

export class RunClient {
  private readonly worker: Worker;
  private alive = true;

  constructor(onMessage: (message: FromWorker) => void, onCrash: (reason: string) => void) {
    this.worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'gradient-lab-trainer' });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
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

  send(message: ToWorker): void {
    if (this.alive) this.worker.postMessage(message);
  }

  terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    this.worker.terminate();
  }

  /** Asks the worker to free its tensors and close; terminates it soon after regardless. */
  dispose(): void {
    this.send({ type: 'dispose' });
    setTimeout(() => this.terminate(), 500);
  }
}
