/**
 * The cliff lesson as data: the single-unit recurrent net of Pascanu, Mikolov
 * and Bengio (2013), "On the difficulty of training recurrent neural networks",
 * arXiv:1211.5063, section 2.3 and figure 6:
 *
 *   x_t = w * sigmoid(x_{t-1}) + b,   x_0 = 0.5,   E = (sigmoid(x_T) - 0.7)^2,   T = 50.
 *
 * Everything a student can change (window, T, start point, learning rate,
 * clipping) is here, so a link reopens the same picture and trajectories.
 */
import * as z from 'zod/mini';
import { intSpec, numSpec, type FieldSpec } from './schema.ts';

/** The paper's constants (section 2.3): start state, target, sequence length. */
export const CLIFF_PAPER = { x0: 0.5, target: 0.7, steps: 50 } as const;

export const CLIFF_CLIP_MODES = ['norm', 'value'] as const;
/**
 * norm:  the paper's rescaling, g <- g * c / ||g|| when ||g|| > c (the whole (dw, db) vector).
 * value: each of dw and db clipped to [-c, c] on its own.
 */
export type CliffClipMode = (typeof CLIFF_CLIP_MODES)[number];

export interface CliffConfig {
  /** Sequence length T: longer sequences make the wall steeper. */
  T: number;
  /** The window of the (w, b) plane that is drawn. */
  wMin: number;
  wMax: number;
  bMin: number;
  bMax: number;
  /** Where both descents start. */
  w0: number;
  b0: number;
  lr: number;
  /** Gradient descent steps of each trajectory. */
  descentSteps: number;
  clipMode: CliffClipMode;
  /** The threshold c of either clipping mode. */
  threshold: number;
}

/** A start on the wall (gradient norm about 16): unclipped, the first step throws the descent onto a far plateau; clipped, it stays in the valley. */
export const DEFAULT_CLIFF: CliffConfig = {
  T: 50,
  wMin: -2,
  wMax: 10,
  bMin: -8,
  bMax: 3,
  w0: 4.29,
  b0: -2.18,
  lr: 1,
  descentSteps: 60,
  clipMode: 'norm',
  threshold: 0.5,
};

const PLANE_LIMIT = 100;

/** URL key and allowed values of every cliff setting. Keys carry a `cliff` prefix so they never meet the runs' keys. */
export const CLIFF_FIELDS: Record<keyof CliffConfig, { key: string; spec: FieldSpec }> = {
  T: { key: 'cliffT', spec: intSpec(2, 100) },
  wMin: { key: 'cliffWMin', spec: numSpec(-PLANE_LIMIT, PLANE_LIMIT) },
  wMax: { key: 'cliffWMax', spec: numSpec(-PLANE_LIMIT, PLANE_LIMIT) },
  bMin: { key: 'cliffBMin', spec: numSpec(-PLANE_LIMIT, PLANE_LIMIT) },
  bMax: { key: 'cliffBMax', spec: numSpec(-PLANE_LIMIT, PLANE_LIMIT) },
  w0: { key: 'cliffW', spec: numSpec(-PLANE_LIMIT, PLANE_LIMIT) },
  b0: { key: 'cliffB', spec: numSpec(-PLANE_LIMIT, PLANE_LIMIT) },
  lr: { key: 'cliffLr', spec: numSpec(0, 100, { exclusiveMin: true }) },
  descentSteps: { key: 'cliffSteps', spec: intSpec(1, 500) },
  clipMode: {
    key: 'cliffClip',
    spec: {
      schema: z.enum(CLIFF_CLIP_MODES),
      allowed: `one of ${CLIFF_CLIP_MODES.join(', ')}`,
      choices: CLIFF_CLIP_MODES,
    },
  },
  threshold: { key: 'cliffC', spec: numSpec(0, 1e6, { exclusiveMin: true }) },
};

/** The narrowest window side: below it float32 cannot tell the grid's points apart. */
export const MIN_WINDOW_SPAN = 1e-3;

/** Cross-field checks; a message naming the values, or null. */
export function checkCliffWindow(c: CliffConfig): string | null {
  if (!(c.wMax - c.wMin >= MIN_WINDOW_SPAN))
    return `cliffWMin (${c.wMin}) must be below cliffWMax (${c.wMax}) by at least ${MIN_WINDOW_SPAN}`;
  if (!(c.bMax - c.bMin >= MIN_WINDOW_SPAN))
    return `cliffBMin (${c.bMin}) must be below cliffBMax (${c.bMax}) by at least ${MIN_WINDOW_SPAN}`;
  return null;
}
