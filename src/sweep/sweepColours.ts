/**
 * How a sweep's cells are coloured: a diverged cell red, darker the sooner it diverged; the others by their final
 * loss on a log scale (brighter: lower), or by test accuracy (brighter: higher). Bright is always good.
 * A sweep over several seeds can instead colour every cell by the fraction of its seeds that diverged: pale none,
 * deep red all.
 */
import { interpolateReds, interpolateViridis } from 'd3-scale-chromatic';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';

export type ColourBy = 'loss' | 'accuracy' | 'diverged';

export interface ColourScale {
  by: ColourBy;
  /** The finite range the colours span (loss: log scale). */
  low: number;
  high: number;
  steps: number;
}

const PENDING = '#e3e6ea';

export function colourScale(outcomes: readonly (CellOutcome | null)[], by: ColourBy, steps: number): ColourScale {
  if (by === 'diverged') return { by, low: 0, high: 1, steps };
  const values = outcomes.flatMap((o) => {
    if (!o || o.divergedAt !== null) return [];
    const v = by === 'loss' ? o.finalLoss : (o.testAccuracy ?? NaN);
    return Number.isFinite(v) && (by === 'accuracy' || v > 0) ? [v] : [];
  });
  if (values.length === 0) return { by, low: by === 'loss' ? 1 : 0, high: by === 'loss' ? 10 : 1, steps };
  return { by, low: Math.min(...values), high: Math.max(...values), steps };
}

/** Where a value falls in the scale, 0 (low) to 1 (high); the loss on a log scale. */
export function scalePosition(scale: ColourScale, value: number): number {
  const [a, b, v] =
    scale.by === 'loss' ? [Math.log(scale.low), Math.log(scale.high), Math.log(value)] : [scale.low, scale.high, value];
  if (!(b > a)) return 0.5;
  return Math.min(1, Math.max(0, (v - a) / (b - a)));
}

/** Good is bright: a low loss or a high accuracy is yellow, the other end dark purple. */
export function valueColour(scale: ColourScale, value: number): string {
  const t = scalePosition(scale, value);
  return interpolateViridis(scale.by === 'loss' ? 1 - t : t);
}

/** The fraction of a cell's seeds that diverged, or null for a cell of one seed. */
export function divergedFraction(o: CellOutcome): number | null {
  return o.seeds !== undefined && o.seeds > 0 && o.seedsDiverged !== undefined ? o.seedsDiverged / o.seeds : null;
}

/** None of the seeds diverged: the palest red (almost white); all of them: deep red. */
export function fractionColour(fraction: number): string {
  return interpolateReds(0.05 + 0.9 * Math.min(1, Math.max(0, fraction)));
}

export function fractionGradient(): string {
  return `linear-gradient(to right, ${fractionColour(0)}, ${fractionColour(0.5)}, ${fractionColour(1)})`;
}

/** Diverged at step 1: deep red; at the last step: pale. */
export function divergedColour(step: number, steps: number): string {
  const late = steps > 1 ? (step - 1) / (steps - 1) : 0;
  return interpolateReds(0.95 - 0.6 * Math.min(1, Math.max(0, late)));
}

export function cellColour(o: CellOutcome | null, scale: ColourScale): string {
  if (!o) return PENDING;
  if (scale.by === 'diverged') {
    const fraction = divergedFraction(o);
    return fraction === null ? PENDING : fractionColour(fraction);
  }
  if (o.divergedAt !== null) return divergedColour(o.divergedAt, scale.steps);
  const v = scale.by === 'loss' ? o.finalLoss : (o.testAccuracy ?? NaN);
  return Number.isFinite(v) ? valueColour(scale, v) : PENDING;
}

/** Black or white text, whichever reads on the fill (`rgb(r, g, b)` or `#rrggbb`). */
export function textOn(fill: string): string {
  const rgb = fill.startsWith('#')
    ? [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16))
    : (fill.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  const [r = 0, g = 0, b = 0] = rgb;
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#111' : '#fff';
}

/** A CSS gradient across the scale, low to high. */
export function scaleGradient(scale: ColourScale): string {
  const stops = Array.from({ length: 9 }, (_, i) => {
    const t = i / 8;
    return `${interpolateViridis(scale.by === 'loss' ? 1 - t : t)} ${Math.round(t * 100)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

export function divergedGradient(steps: number): string {
  return `linear-gradient(to right, ${divergedColour(1, steps)}, ${divergedColour(steps, steps)})`;
}
