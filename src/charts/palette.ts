import type { ClipConfig, ClipMode, RunSide } from '../experiment/config.ts';
import { RUN_SIDES } from '../experiment/config.ts';
import { contrastRatio, relativeLuminance } from './colorVision.ts';

/**
 * A run's colour says how it clips, on every page and in every lesson: red is always the run without
 * clipping (a lone one too), blue value clipping, green per-tensor norm clipping, purple global-norm
 * clipping (torch's or TensorFlow's formula). They differ in lightness as well as hue (navy blue, a dark
 * red, a light blue-green, a light violet), so they stay apart for the common colour-vision deficiencies:
 * palette.test.ts simulates them and requires every two colours shown together to be ΔE00 >= 10 apart, and
 * each to stand 3:1 against the white page.
 */
export const MODE_COLOR: Record<ClipMode, string> = {
  none: '#c8372d',
  value: '#253a86',
  norm: '#35947a',
  global: '#9c66d9',
  'global-tf': '#9c66d9',
};
/**
 * For a second run of the same kind of clipping (two value-clipped runs in a race): they must still differ.
 * Four sides make at most three such runs. Orange, dark teal and mauve: none of them red, which means "no
 * clipping".
 */
export const SPARE_COLORS = ['#d97100', '#2c6a6a', '#b0729e'] as const;

/** A shape drawn along a run's line and in its legend entry, so runs differ by more than colour. */
export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond';
export interface LineMarker {
  shape: MarkerShape;
  /** White inside: a second run of the same kind of clipping (the one with a spare colour). */
  hollow: boolean;
}
/**
 * Each clipping mode's marker, like its colour: value clipping clamps each coordinate into a box (a square),
 * global-norm clipping scales the whole gradient into one ball (a circle), per-tensor clipping each tensor
 * into its own (a triangle). The unclipped run has none: its plain line is the one that explodes. Dashes
 * already mean something on the charts (after clipping, batch versus test, a second layer), so a run's
 * marker, not a dash, tells it apart.
 */
export const MODE_MARKER: Record<ClipMode, MarkerShape | null> = {
  none: null,
  value: 'square',
  norm: 'triangle',
  global: 'circle',
  'global-tf': 'circle',
};
/** A clipping mode's marker, filled (the first run of that mode); none for the unclipped run. */
export function modeMarker(mode: ClipMode): LineMarker | undefined {
  const shape = MODE_MARKER[mode];
  return shape ? { shape, hollow: false } : undefined;
}

/** A second unclipped run's marker (the first has none). */
export const SPARE_NONE_MARKER: MarkerShape = 'diamond';

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

/** How a run's lines look: its colour and, unless it is the (first) unclipped run, a marker. */
export interface RunStyle {
  color: string;
  marker?: LineMarker;
}

/**
 * The look of every run shown together: its clipping's colour and marker, in side order (so the baseline,
 * unclipped in every preset, is red first); a run whose clipping's colour an earlier run already has takes a
 * spare colour and a hollow marker.
 */
export function runStyles(runs: Partial<Record<RunSide, { clip: ClipConfig }>>): Partial<Record<RunSide, RunStyle>> {
  const out: Partial<Record<RunSide, RunStyle>> = {};
  const taken = new Set<string>();
  let spare = 0;
  for (const side of RUN_SIDES) {
    const run = runs[side];
    if (!run) continue;
    const mode = run.clip.mode;
    let color = MODE_COLOR[mode];
    let shape = MODE_MARKER[mode];
    let hollow = false;
    if (taken.has(color)) {
      color = SPARE_COLORS[spare++ % SPARE_COLORS.length] ?? color;
      shape ??= SPARE_NONE_MARKER;
      hollow = true;
    }
    taken.add(color);
    out[side] = shape ? { color, marker: { shape, hollow } } : { color };
  }
  return out;
}

/** The colour of every run shown together (see runStyles). */
export function runColors(runs: Partial<Record<RunSide, { clip: ClipConfig }>>): Partial<Record<RunSide, string>> {
  const styles = runStyles(runs);
  const out: Partial<Record<RunSide, string>> = {};
  for (const side of RUN_SIDES) {
    const style = styles[side];
    if (style) out[side] = style.color;
  }
  return out;
}

/** One run's colour and marker among `runs`, to spread into its LineSpec (see runStyles). */
export function runStyle(runs: Partial<Record<RunSide, { clip: ClipConfig }>>, side: RunSide): RunStyle {
  return runStyles(runs)[side] ?? { color: MODE_COLOR[runs[side]?.clip.mode ?? 'none'] };
}

/** One run's colour among `runs` (see runColors). */
export function runColor(runs: Partial<Record<RunSide, { clip: ClipConfig }>>, side: RunSide): string {
  return runColors(runs)[side] ?? MODE_COLOR[runs[side]?.clip.mode ?? 'none'];
}

/** What a run is called on charts: its side, or the title it was reopened under to compare. */
export function runLabel(runs: Partial<Record<RunSide, { title?: string }>>, side: RunSide): string {
  return runs[side]?.title ?? SIDE_LABEL[side];
}

/** The page's lightest background behind text (the narrator's panel); white cards are lighter still. */
export const TEXT_BACKGROUND = '#fbfbfd';
/** WCAG AA for body text. */
export const TEXT_CONTRAST = 4.5;

/** The page's two looks (ui/theme.ts chooses one; ui/theme.css holds each one's page colours). */
export type Theme = 'light' | 'dark';

/**
 * The dark theme's backgrounds, as ui/theme.css sets them: the page, the cards and charts (`--surface`), and the
 * lightest one behind text (`--surface-alt`, the narrator's panel), which text colours are held to.
 */
export const DARK_PAGE = '#121519';
export const DARK_SURFACE = '#1b1f25';
export const DARK_TEXT_BACKGROUND = '#20252c';

/**
 * Each colour above as the dark theme draws it: the same hue, lighter. The run colours were searched for (hue kept
 * within its family, lightness and saturation free) to stand 4.5:1 against the dark charts, so even their lines pass
 * as text, and to keep every two shown together ΔE00 >= 14 apart for normal vision and the three colour-vision
 * deficiencies (palette.test.ts requires 10, as for the light ones). The layers' and markers' twins are lightened by
 * hand to 3:1 or more.
 */
export const DARK_COLOR: Readonly<Record<string, string>> = {
  [MODE_COLOR.none]: '#f84026',
  [MODE_COLOR.value]: '#537ff7',
  [MODE_COLOR.norm]: '#41d1ab',
  [MODE_COLOR.global]: '#cdadfc',
  [SPARE_COLORS[0]]: '#f7c56e',
  [SPARE_COLORS[1]]: '#c3e4ec',
  [SPARE_COLORS[2]]: '#cf69a2',
  [LAYER_COLORS[0]]: '#3fbf8f',
  [LAYER_COLORS[1]]: '#f0922e',
  [LAYER_COLORS[2]]: '#ab8cf2',
  [LAYER_COLORS[3]]: '#3cb8d8',
  [LAYER_COLORS[4]]: '#e57ab6',
  [DIVERGED_COLOR]: '#ff4d5e',
  [KNOB_COLOR]: '#a9b1bc',
};

/** A chart colour (a run's, a layer's, a marker's) as `theme` draws it; a colour without a dark twin is kept. */
export function themeColor(hex: string, theme: Theme): string {
  return theme === 'dark' ? (DARK_COLOR[hex.toLowerCase()] ?? hex) : hex;
}

/** The lightest background behind text in `theme`. */
export function textBackground(theme: Theme): string {
  return theme === 'dark' ? DARK_TEXT_BACKGROUND : TEXT_BACKGROUND;
}

/**
 * A run's colour as text: the same hue, darkened (mixed toward black in 2% steps) until it stands TEXT_CONTRAST:1
 * against the page. The lines keep the lighter colour, which needs only 3:1 as a graphic; a card's title, the
 * narrator's names and a chart's clipping words are text, and some run colours (per-tensor green, global-norm
 * violet) are under 4.5:1 as they are. On a dark background (luminance under 0.18, the grey that stands equally
 * against black and white) it is lightened instead: mixed toward white in 2% steps.
 */
export function textColor(hex: string, background = TEXT_BACKGROUND): string {
  // Only #rrggbb is changed; any other colour (a CSS name) is left as it is.
  if (!/^#[0-9a-f]{6}$/i.test(hex)) return hex;
  const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const toward = relativeLuminance(background) < 0.18 ? 255 : 0;
  for (let k = 0; k <= 50; k++) {
    const out = `#${rgb
      .map((c) =>
        Math.round(toward === 0 ? c * (1 - k / 50) : c + (255 - c) * (k / 50))
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')}`;
    if (contrastRatio(out, background) >= TEXT_CONTRAST) return out;
  }
  return toward === 0 ? '#000000' : '#ffffff';
}

/** A chart colour as text in `theme`: its theme's twin, then darkened or lightened to 4.5:1 (textColor). */
export function themeTextColor(hex: string, theme: Theme): string {
  return textColor(themeColor(hex, theme), textBackground(theme));
}
