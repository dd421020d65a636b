/// <reference lib="webworker" />
/**
 * The lab's one worker bundle. Its roles (protocol.ts `WORKER_ROLES`: a run's trainer, a sweep's cells, the cliff's
 * surface) share TensorFlow.js and the training core, so the build carries them once; each role's own code is a
 * chunk loaded when a worker of that role starts. The role is the worker's name (client.ts `labWorker`).
 * Boundary: imports the training core, tfjs and the protocol; never React, the store or anything that touches
 * the DOM.
 */
import { roleOfWorker, type WorkerRole } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

interface Role {
  onMessage(event: MessageEvent): void;
}

const ROLES: Record<WorkerRole, () => Promise<Role>> = {
  trainer: () => import('./trainerRole.ts') as Promise<Role>,
  sweep: () => import('./sweepRole.ts') as Promise<Role>,
  cliff: () => import('./cliffRole.ts') as Promise<Role>,
};

// The page may post before the role's code has loaded: those messages wait here, in order, instead of being lost.
const early: MessageEvent[] = [];
self.onmessage = (event) => early.push(event);

const role = roleOfWorker(self.name);
(role === null ? Promise.reject(new Error(`no worker role is called "${self.name}"`)) : ROLES[role]()).then(
  ({ onMessage }) => {
    self.onmessage = onMessage;
    for (const event of early.splice(0)) onMessage(event);
  },
  (error: unknown) => {
    // Thrown in a task of its own, it reaches the page as the worker's error event: the page's crash path. (A
    // rejected promise alone would not: the run would wait for its worker forever.)
    const why = error instanceof Error ? error.message : String(error);
    setTimeout(() => {
      throw new Error(`its code could not be loaded: ${why}`);
    }, 0);
  },
);
