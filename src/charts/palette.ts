import type { RunSide } from '../experiment/config.ts';

/** Red for the baseline, blue for the clipped run; a race adds green and purple (all distinct for colour-blind eyes by lightness too). */
export const SIDE_COLOR: Record<RunSide, string> = {
  baseline: '#c8372d',
  clipped: '#1f5fbf',
  third: '#1b7f3b',
  fourth: '#7b3fb5',
};
export const SIDE_LABEL: Record<RunSide, string> = {
  baseline: 'Baseline',
  clipped: 'Clipped',
  third: 'Run 3',
  fourth: 'Run 4',
};
export const LAYER_COLORS = ['#1b7f5b', '#b55d00', '#6a3fb5', '#0f7c99', '#9a2f6b'] as const;
export const DIVERGED_COLOR = '#d1001f';

/** Layer `index`'s colour; the colours repeat after the fifth layer. */
export function layerColor(index: number): string {
  return LAYER_COLORS[index % LAYER_COLORS.length] ?? LAYER_COLORS[0];
}

/** What a run is called on charts: its side, or the title it was reopened under to compare. */
export function runLabel(runs: Partial<Record<RunSide, { title?: string }>>, side: RunSide): string {
  return runs[side]?.title ?? SIDE_LABEL[side];
}
