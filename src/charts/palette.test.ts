/**
 * A run's colour comes from its clipping, in every preset and lesson: the run without clipping is always the
 * same red (lesson 1's lone unclipped run, which trains on the "clipped" side, too), and each clipping mode
 * always has its own colour.
 */
import { describe, expect, it } from 'vitest';
import { clipOf, sidesOf, type ClipConfig, type RunSide } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import { TOUR, lessonLink } from '../experiment/tour.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import { RUN_SIDES, CLIP_MODES } from '../experiment/config.ts';
import { DEFICIENCIES, colorDistance, contrastRatio, type Deficiency } from './colorVision.ts';
import {
  DARK_COLOR,
  DARK_PAGE,
  DARK_SURFACE,
  DARK_TEXT_BACKGROUND,
  DIVERGED_COLOR,
  KNOB_COLOR,
  LAYER_COLORS,
  MODE_COLOR,
  MODE_MARKER,
  SPARE_COLORS,
  TEXT_BACKGROUND,
  runColor,
  runColors,
  runStyle,
  runStyles,
  textColor,
  themeColor,
  themeTextColor,
} from './palette.ts';

const clip = (mode: ClipConfig['mode']): ClipConfig => ({ mode, min: -1, max: 1, threshold: 1, normType: '2' });

/** Every experiment a student meets: each preset, and each lesson that trains runs (not the cliff). */
const EXPERIMENTS = [
  ...Object.entries(PRESETS).map(([id, p]) => ({ name: `preset ${id}`, config: p.config })),
  ...TOUR.filter((l) => !l.query.includes('page=')).map((l) => ({
    name: `lesson ${l.n}`,
    config: decodeExperiment(lessonLink(l)).config,
  })),
];

describe('a run is coloured by its clipping', () => {
  it('covers the lessons, lesson 1 included', () => {
    expect(EXPERIMENTS.filter((e) => e.name.startsWith('lesson')).length).toBe(TOUR.length - 1);
  });

  it.each(EXPERIMENTS)('$name: the unclipped run is red, each clipping mode has its colour', ({ config }) => {
    const runs = Object.fromEntries(sidesOf(config).map((side) => [side, { clip: clipOf(config, side) }]));
    const colors = runColors(runs);
    const seen = new Map<string, string>();
    for (const side of sidesOf(config)) {
      const mode = clipOf(config, side).mode;
      // No preset or lesson shows two runs of one mode, so none needs a spare colour.
      expect(colors[side], `${side} (${mode})`).toBe(MODE_COLOR[mode]);
      if (mode === 'none') expect(colors[side]).toBe('#c8372d');
      else expect(colors[side]).not.toBe('#c8372d');
      // One colour, one mode (global and TensorFlow's global share purple, but no experiment shows both).
      expect(seen.get(colors[side] ?? ''), `${side}`).toBeUndefined();
      seen.set(colors[side] ?? '', mode);
    }
  });

  it("lesson 1's lone run is unclipped and trains on the clipped side: it is red, not the clipped blue", () => {
    const config = decodeExperiment(lessonLink(TOUR[0] as (typeof TOUR)[number])).config;
    expect(sidesOf(config)).toEqual(['clipped']);
    expect(runColor({ clipped: { clip: config.clip } }, 'clipped')).toBe('#c8372d');
  });

  it('the modes keep their colours whichever side they train on', () => {
    const a = runColors({ baseline: { clip: clip('none') }, clipped: { clip: clip('global') } });
    const b = runColors({
      baseline: { clip: clip('none') },
      clipped: { clip: clip('value') },
      third: { clip: clip('norm') },
      fourth: { clip: clip('global') },
    });
    expect(a).toEqual({ baseline: '#c8372d', clipped: '#9c66d9' });
    expect(b).toEqual({ baseline: '#c8372d', clipped: '#253a86', third: '#35947a', fourth: '#9c66d9' });
  });

  it('a second run of the same mode takes a spare colour, so no two runs shown together share one', () => {
    const runs: Partial<Record<RunSide, { clip: ClipConfig }>> = {
      baseline: { clip: clip('none') },
      clipped: { clip: clip('value') },
      third: { clip: { ...clip('value'), min: -0.1, max: 0.1 } },
      fourth: { clip: clip('none') },
    };
    expect(runColors(runs)).toEqual({
      baseline: '#c8372d',
      clipped: '#253a86',
      third: SPARE_COLORS[0],
      fourth: SPARE_COLORS[1],
    });
  });
});

describe('runs differ by their marker as well as their colour', () => {
  it('the unclipped run has a plain line; each clipping mode its own marker', () => {
    expect(MODE_MARKER.none).toBeNull();
    const shapes = (['value', 'norm', 'global'] as const).map((m) => MODE_MARKER[m]);
    expect(new Set(shapes).size).toBe(3);
    expect(MODE_MARKER['global-tf']).toBe(MODE_MARKER.global);
    const race = runStyles({
      baseline: { clip: clip('none') },
      clipped: { clip: clip('value') },
      third: { clip: clip('norm') },
      fourth: { clip: clip('global') },
    });
    expect(race).toEqual({
      baseline: { color: '#c8372d' },
      clipped: { color: '#253a86', marker: { shape: 'square', hollow: false } },
      third: { color: '#35947a', marker: { shape: 'triangle', hollow: false } },
      fourth: { color: '#9c66d9', marker: { shape: 'circle', hollow: false } },
    });
  });

  it("a second run of a kind has its kind's marker hollow; a second unclipped run a hollow diamond", () => {
    const runs = {
      baseline: { clip: clip('none') },
      clipped: { clip: clip('global') },
      third: { clip: clip('global-tf') },
      fourth: { clip: clip('none') },
    };
    expect(runStyle(runs, 'third')).toEqual({ color: SPARE_COLORS[0], marker: { shape: 'circle', hollow: true } });
    expect(runStyle(runs, 'fourth')).toEqual({ color: SPARE_COLORS[1], marker: { shape: 'diamond', hollow: true } });
    expect(runStyle(runs, 'baseline')).toEqual({ color: '#c8372d' });
  });
});

/**
 * Every set of colours runColors can show at once: each choice of clipping mode (or no run) for each of the
 * four sides.
 */
function shownTogether(): string[][] {
  const choices = [...CLIP_MODES, null] as const;
  const out = new Map<string, string[]>();
  const assign = (i: number, runs: Partial<Record<RunSide, { clip: ClipConfig }>>) => {
    const side = RUN_SIDES[i];
    if (side === undefined) {
      const colors = Object.values(runColors(runs));
      out.set([...colors].sort().join(), colors);
      return;
    }
    for (const mode of choices) assign(i + 1, mode ? { ...runs, [side]: { clip: clip(mode) } } : runs);
  };
  assign(0, {});
  return [...out.values()];
}

/** Each pair of different colours that can be shown together, once. */
function pairsShownTogether(): [string, string][] {
  const pairs = new Map<string, [string, string]>();
  for (const colors of shownTogether())
    for (const a of colors) for (const b of colors) if (a < b) pairs.set(`${a}|${b}`, [a, b]);
  return [...pairs.values()];
}

/**
 * How far apart two run colours must look. ΔE00 of about 1 is a just-noticeable difference between large
 * patches side by side; these are lines 1.6 px wide, matched to a legend some way off, and the noticeable
 * difference grows several-fold as marks get that thin (Szafir 2017, "Modeling Color Difference for
 * Visualization Design"). 10 leaves a margin above that: names such as "the blue run" must stay true at a
 * glance, not only under a loupe.
 */
const MIN_DELTA_E00 = 10;
/** WCAG 2.1's non-text contrast (1.4.11) for the parts of a graphic needed to understand it. */
const MIN_CONTRAST_ON_WHITE = 3;

describe('run colours stay apart for colour-blind eyes', () => {
  const pairs = pairsShownTogether();

  it('covers the race, the spare colours and the pairs: every colour meets every other it can be shown with', () => {
    const colors = new Set(pairs.flat());
    for (const c of [...new Set(Object.values(MODE_COLOR)), ...SPARE_COLORS]) expect(colors.has(c), c).toBe(true);
    // The race's four mode colours are one of the sets.
    const race = [MODE_COLOR.none, MODE_COLOR.value, MODE_COLOR.norm, MODE_COLOR.global];
    expect(shownTogether().some((s) => race.every((c) => s.includes(c)))).toBe(true);
    // Four sides: at most three spares, so every spare can be shown with every mode colour.
    expect(SPARE_COLORS.length).toBeGreaterThanOrEqual(RUN_SIDES.length - 1);
  });

  it.each([undefined, ...DEFICIENCIES] as (Deficiency | undefined)[])(
    `%s: every two run colours shown together are at least ΔE00 ${MIN_DELTA_E00} apart`,
    (deficiency) => {
      let closest = { distance: Infinity, pair: ['', ''] };
      for (const [a, b] of pairs) {
        const distance = colorDistance(a, b, deficiency);
        if (distance < closest.distance) closest = { distance, pair: [a, b] };
        expect(distance, `${a} vs ${b} (${deficiency ?? 'normal vision'})`).toBeGreaterThanOrEqual(MIN_DELTA_E00);
      }
      // The margin, for the record (the report of palette22 quotes these).
      console.info(`${deficiency ?? 'normal'}: min ΔE00 ${closest.distance.toFixed(2)} (${closest.pair.join(' vs ')})`);
    },
  );

  it.each([...new Set([...Object.values(MODE_COLOR), ...SPARE_COLORS])])(
    `%s stands at least ${MIN_CONTRAST_ON_WHITE}:1 against the white page`,
    (color) => {
      expect(contrastRatio(color, '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST_ON_WHITE);
    },
  );
});

describe('a run colour as text', () => {
  it.each([...new Set([...Object.values(MODE_COLOR), ...SPARE_COLORS, ...LAYER_COLORS])])(
    '%s as text stands 4.5:1 (WCAG AA) against the page, in its own hue, darkened no more than it needs',
    (color) => {
      const text = textColor(color);
      expect(contrastRatio(text, TEXT_BACKGROUND)).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(text, '#ffffff')).toBeGreaterThanOrEqual(4.5);
      // A colour dark enough already is kept as it is; one that is not, darkened by the fewest 2% steps.
      if (contrastRatio(color, TEXT_BACKGROUND) >= 4.5) expect(text).toBe(color);
      else {
        const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        // The factor it was darkened by, read off its brightest channel; one 2% step less must not do.
        const original = rgb(color);
        const top = original.indexOf(Math.max(...original));
        const factor = (rgb(text)[top] ?? 0) / (original[top] ?? 1);
        const lessDark = `#${original
          .map((c) =>
            Math.round(c * (factor + 0.02))
              .toString(16)
              .padStart(2, '0'),
          )
          .join('')}`;
        expect(contrastRatio(lessDark, TEXT_BACKGROUND)).toBeLessThan(4.5);
      }
    },
  );

  it('darkens the global-norm violet (3.8:1 as it is) to #8c5cc3, 10% darker, the first 2% step at 4.5:1', () => {
    // Each channel times 0.9: 0x9c = 156 -> 140.4 = 0x8c, 0x66 = 102 -> 91.8 = 0x5c, 0xd9 = 217 -> 195.3 = 0xc3.
    expect(textColor('#9c66d9')).toBe('#8c5cc3');
    // One step less (times 0.92: #905ec8) is still under 4.5:1.
    expect(contrastRatio('#905ec8', TEXT_BACKGROUND)).toBeLessThan(4.5);
    expect(textColor('#c8372d')).toBe('#c8372d');
    expect(textColor('not-a-hex')).toBe('not-a-hex');
  });
});

/** Every colour a chart draws that has a dark twin: the runs', the layers', the markers'. */
const CHART_COLORS = [
  ...new Set([...Object.values(MODE_COLOR), ...SPARE_COLORS, ...LAYER_COLORS, DIVERGED_COLOR, KNOB_COLOR]),
];

describe('the dark theme draws every chart colour as its dark twin', () => {
  it('every chart colour has one, and no two share it; the light theme keeps the colour as it is', () => {
    for (const color of CHART_COLORS) {
      expect(DARK_COLOR[color], color).toMatch(/^#[0-9a-f]{6}$/);
      expect(themeColor(color, 'dark')).toBe(DARK_COLOR[color]);
      expect(themeColor(color, 'light')).toBe(color);
    }
    expect(new Set(CHART_COLORS.map((c) => DARK_COLOR[c])).size).toBe(CHART_COLORS.length);
    // Upper-case hex is the same colour; a colour with no twin (a CSS name, the clip ticks' amber) is kept.
    expect(themeColor('#C8372D', 'dark')).toBe(DARK_COLOR['#c8372d']);
    expect(themeColor('#f0a500', 'dark')).toBe('#f0a500');
  });

  it.each([undefined, ...DEFICIENCIES] as (Deficiency | undefined)[])(
    `%s: every two dark run colours shown together are at least ΔE00 ${MIN_DELTA_E00} apart`,
    (deficiency) => {
      let closest = { distance: Infinity, pair: ['', ''] };
      for (const [light1, light2] of pairsShownTogether()) {
        const [a, b] = [themeColor(light1, 'dark'), themeColor(light2, 'dark')];
        const distance = colorDistance(a, b, deficiency);
        if (distance < closest.distance) closest = { distance, pair: [a, b] };
        expect(distance, `${a} vs ${b} (${deficiency ?? 'normal vision'})`).toBeGreaterThanOrEqual(MIN_DELTA_E00);
      }
      console.info(
        `dark, ${deficiency ?? 'normal'}: min ΔE00 ${closest.distance.toFixed(2)} (${closest.pair.join(' vs ')})`,
      );
    },
  );

  it.each(CHART_COLORS)('%s in the dark theme stands 3:1 against the dark charts and page', (color) => {
    const dark = themeColor(color, 'dark');
    expect(contrastRatio(dark, DARK_SURFACE)).toBeGreaterThanOrEqual(MIN_CONTRAST_ON_WHITE);
    expect(contrastRatio(dark, DARK_PAGE)).toBeGreaterThanOrEqual(MIN_CONTRAST_ON_WHITE);
  });

  it('the layers of one chart stay ΔE00 10 apart in the dark theme, as drawn together', () => {
    for (const a of LAYER_COLORS)
      for (const b of LAYER_COLORS)
        if (a < b)
          expect(colorDistance(themeColor(a, 'dark'), themeColor(b, 'dark')), `${a} vs ${b}`).toBeGreaterThanOrEqual(
            10,
          );
  });
});

describe('a colour as text on a dark background', () => {
  it.each(CHART_COLORS)(
    '%s as dark-theme text stands 4.5:1 on every dark background, lightened no more than needed',
    (color) => {
      const text = themeTextColor(color, 'dark');
      for (const background of [DARK_TEXT_BACKGROUND, DARK_SURFACE, DARK_PAGE])
        expect(contrastRatio(text, background), `${text} on ${background}`).toBeGreaterThanOrEqual(4.5);
      const twin = themeColor(color, 'dark');
      if (contrastRatio(twin, DARK_TEXT_BACKGROUND) >= 4.5) expect(text).toBe(twin);
      else {
        // Mixed toward white by k/50; one step less (k - 1) must fall short.
        const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        const from = rgb(twin);
        const to = rgb(text);
        const lowest = from.indexOf(Math.min(...from));
        const k = Math.round((((to[lowest] ?? 0) - (from[lowest] ?? 0)) / (255 - (from[lowest] ?? 0))) * 50);
        const lessLight = `#${from
          .map((c) =>
            Math.round(c + (255 - c) * ((k - 1) / 50))
              .toString(16)
              .padStart(2, '0'),
          )
          .join('')}`;
        expect(contrastRatio(lessLight, DARK_TEXT_BACKGROUND)).toBeLessThan(4.5);
      }
    },
  );

  it('lightens toward white on a dark background: black on black becomes #757575, the first 2% step at 4.5:1', () => {
    // Black's luminance is 0, so text needs L >= 4.5 * 0.05 - 0.05 = 0.175. Step k gives grey 255 * k / 50:
    // k = 23: 117.3 -> 117 = 0x75, ((117/255 + 0.055) / 1.055)^2.4 = 0.1778 >= 0.175;
    // k = 22: 112.2 -> 112, ((112/255 + 0.055) / 1.055)^2.4 = 0.1620, short of it.
    expect(textColor('#000000', '#000000')).toBe('#757575');
    expect(contrastRatio('#707070', '#000000')).toBeLessThan(4.5);
    // The light background still darkens: white on white becomes the first grey dark enough.
    expect(contrastRatio(textColor('#ffffff', '#ffffff'), '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(textColor('#ffffff', '#ffffff')).not.toBe('#ffffff');
  });
});
