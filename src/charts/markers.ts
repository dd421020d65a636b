import type { RunSide } from '../experiment/config.ts';
import type { RunView } from '../store/labStore.ts';
import { SIDE_COLOR, SIDE_LABEL } from './palette.ts';
import type { Point } from '../store/downsample.ts';
import type { LineSpec, StepMarker } from './StepChart.tsx';
import type { LogAxis } from './scales.ts';
import { formatNumber } from '../present/describe.ts';

/**
 * A line at the step each run diverged, and at each knob turned while it trained ("lr 0.07 → 0.01 (step 120)"):
 * every chart draws these, so a change is marked on all of them at its step. A knob every run took (the learning
 * rate) is marked once.
 */
export function divergenceMarkers(runs: Partial<Record<RunSide, RunView>>): StepMarker[] {
  const diverged = (Object.values(runs) as RunView[])
    .filter((r) => r.divergence)
    .map((r) => ({
      step: r.divergence?.step ?? 0,
      label: `${r.title ?? SIDE_LABEL[r.side]} diverged (step ${r.divergence?.step})`,
    }));
  return [...diverged, ...knobMarkers(runs)];
}

/** The knobs turned in the runs, one marker per change, in step order. */
export function knobMarkers(runs: Partial<Record<RunSide, RunView>>): StepMarker[] {
  const seen = new Map<string, StepMarker>();
  for (const r of Object.values(runs) as RunView[])
    for (const mark of r.knobMarks ?? []) {
      const label = `${mark.label} (step ${mark.step})`;
      seen.set(label, { step: mark.step, label, kind: 'knob' });
    }
  return [...seen.values()].sort((a, b) => a.step - b.step);
}

export interface NumberedEvent {
  n: number;
  side: RunSide;
  step: number;
  sentence: string;
}

/**
 * Every narrated event of the runs, in step order, numbered from 1: the charts mark each at its step with its
 * number, and the "What happened" list says the sentence under the same number. Divergence has its own marker.
 */
export function numberedEvents(runs: Partial<Record<RunSide, RunView>>): NumberedEvent[] {
  const all = (Object.values(runs) as RunView[]).flatMap((r) =>
    (r.narration?.events ?? [])
      .filter((e) => e.kind !== 'diverged')
      .map((e) => ({ side: r.side, step: e.step, sentence: e.sentence })),
  );
  all.sort((a, b) => a.step - b.step || a.side.localeCompare(b.side));
  return all.map((e, i) => ({ ...e, n: i + 1 }));
}

/** The numbered events as chart markers, in their run's colour. */
export function eventMarkers(runs: Partial<Record<RunSide, RunView>>): (StepMarker & { color: string })[] {
  return numberedEvents(runs).map((e) => ({ step: e.step, label: String(e.n), color: SIDE_COLOR[e.side] }));
}

/**
 * Steps (bucketed to at most `max`) at which clipping changed the gradient, from
 * the clip-fraction points (min-max downsampled, so a bucket where clipping acted
 * once still has a point above zero).
 */
export function clipActedSteps(fractions: Point[], max: number): number[] {
  const bucket = Math.max(1, Math.ceil(fractions.length / max));
  const out: number[] = [];
  for (let start = 0; start < fractions.length; start += bucket) {
    const hit = fractions.slice(start, start + bucket).find((p) => p.y > 0);
    if (hit) out.push(hit.x);
  }
  return out;
}

/** The latest value of each line in words, for a chart's accessible description. */
export function latestInWords(lines: readonly LineSpec[], divergences: readonly StepMarker[] = []): string {
  const parts = lines.flatMap((l) => {
    const last = l.points[l.points.length - 1];
    return last ? [`${l.name}: ${formatNumber(last.y, 3)} at step ${last.x}`] : [];
  });
  const words = parts.length > 0 ? `Latest values. ${parts.join('; ')}.` : 'No steps trained yet.';
  return divergences.length > 0 ? `${words} ${divergences.map((d) => `${d.label}.`).join(' ')}` : words;
}

/** The words under a chart whose log axis breaks: why, and what is above the break. */
export function breakNote(axis: LogAxis, runs: Partial<Record<RunSide, RunView>>): string | null {
  if (axis.breakValue === null) return null;
  const fine = (Object.values(runs) as RunView[])
    .filter((r) => !r.divergence)
    .map((r) => r.title ?? SIDE_LABEL[r.side]);
  const who = fine.length === 1 ? `the ${fine[0]} run fills` : 'the runs that did not diverge fill';
  return `Broken axis: above ${formatNumber(axis.breakValue)} (up to ${formatNumber(axis.hi)}) it is squeezed, so ${who} the chart.`;
}

/** Lines of the runs that did not diverge, whose values a broken axis keeps filling the chart. */
export function focusValues(lines: readonly LineSpec[], runs: Partial<Record<RunSide, RunView>>): number[] {
  return lines
    .filter((l) => l.side !== undefined && !runs[l.side]?.divergence)
    .flatMap((l) => l.points.map((p) => p.y));
}

/**
 * The row each label goes in, labels given left edge and width in pixels: the first row whose last label ends more
 * than `gapPx` before it starts. A race's numbered events fall a step or two apart (one run diverges at step 5, the
 * others are clipped from step 1), a pixel apart on the chart: in one row they were drawn over each other.
 */
export function labelRows(labels: readonly { x: number; width: number }[], gapPx = 2): number[] {
  const rowEnds: number[] = [];
  const rows = new Array<number>(labels.length).fill(0);
  const order = labels.map((_, i) => i).sort((a, b) => (labels[a]?.x ?? 0) - (labels[b]?.x ?? 0));
  for (const i of order) {
    const { x, width } = labels[i] as { x: number; width: number };
    let row = rowEnds.findIndex((end) => end + gapPx <= x);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = x + width;
    rows[i] = row;
  }
  return rows;
}
