/**
 * One vocabulary for where a run stands, shared by the trainer, the worker protocol, the store and the
 * stored history, so that no layer translates one set of words into another.
 *
 *   starting -> ready <-> running <-> paused -> finished | diverged | crashed
 *
 * A `Run` itself knows three of the words (it can take a step, it has done its steps, it went
 * non-finite); the page adds the others around it (a worker starting, training, paused, or dead).
 */
export const RUN_PHASES = ['starting', 'ready', 'running', 'paused', 'finished', 'diverged', 'crashed'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** The phases a run does not leave: it has done its steps, gone non-finite, or its worker died. */
export const ENDED_PHASES: readonly RunPhase[] = ['finished', 'diverged', 'crashed'];

/** The phases a Run reports by itself, and that a training worker sends in its `status` message. */
export type TrainerPhase = Extract<RunPhase, 'ready' | 'finished' | 'diverged'>;
