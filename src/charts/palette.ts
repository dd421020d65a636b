import type { ClipConfig, ClipMode, RunSide } from '../experiment/config.ts';
import { RUN_SIDES } from '../experiment/config.ts';

/**
 * A run's colour says how it clips, on every page and in every lesson: red is always the run without
 * clipping (a lone one too), blue value clipping, green per-tensor norm clipping, purple global-norm
 * clipping (torch's or TensorFlow's formula). The four differ in lightness too, for colour-blind eyes.
 */
export const MODE_COLOR: Record<ClipMode, string> = {
  none: '#c8372d',
  value: '#1f5fbf',
  norm: '#1b7f3b',
  global: '#7b3fb5',
  'global-tf': '#7b3fb5',
};
/** For a second run of the same kind of clipping (two value-clipped runs in a race): they must still differ. */
export const SPARE_COLORS = ['#b55d00', '#0f7c99', '#5b6572', '#9a2f6b'] as const;

export const SIDE_LABEL: Record<RunSide, string> = {
  baseline: 'Baseline',
  clipped: 'Clipped',
  third: 'Run 3',
  fourth: 'Run 4',
};
/**
 * Kept for callers that still colour by side (markers.ts's eventMarkers): the colour each side has in the
 * default pair and race. Colour a run with runColor instead.
 */
export const SIDE_COLOR: Record<RunSide, string> = {
  baseline: MODE_COLOR.none,
  clipped: MODE_COLOR.value,
  third: MODE_COLOR.norm,
  fourth: MODE_COLOR.global,
};
export const LAYER_COLORS = ['#1b7f5b', '#b55d00', '#6a3fb5', '#0f7c99', '#9a2f6b'] as const;
export const DIVERGED_COLOR = '#d1001f';
/** A knob turned during a run: a neutral grey, since every hue here already says how a run clips. */
export const KNOB_COLOR = '#4a4f57';

/** Layer `index`'s colour; the colours repeat after the fifth layer. */
export function layerColor(index: number): string {
  return LAYER_COLORS[index % LAYER_COLORS.length] ?? LAYER_COLORS[0];
}

/**
 * The colour of every run shown together: its clipping's colour, in side order (so the baseline, unclipped in
 * every preset, is red first); a run whose clipping's colour an earlier run already has takes a spare one.
 */
export function runColors(runs: Partial<Record<RunSide, { clip: ClipConfig }>>): Partial<Record<RunSide, string>> {
  const out: Partial<Record<RunSide, string>> = {};
  const taken = new Set<string>();
  let spare = 0;
  for (const side of RUN_SIDES) {
    const run = runs[side];
    if (!run) continue;
    let color = MODE_COLOR[run.clip.mode];
    if (taken.has(color)) color = SPARE_COLORS[spare++ % SPARE_COLORS.length] ?? color;
    taken.add(color);
    out[side] = color;
  }
  return out;
}

/** One run's colour among `runs` (see runColors). */
export function runColor(runs: Partial<Record<RunSide, { clip: ClipConfig }>>, side: RunSide): string {
  return runColors(runs)[side] ?? MODE_COLOR[runs[side]?.clip.mode ?? 'none'];
}

/** What a run is called on charts: its side, or the title it was reopened under to compare. */
export function runLabel(runs: Partial<Record<RunSide, { title?: string }>>, side: RunSide): string {
  return runs[side]?.title ?? SIDE_LABEL[side];
}
