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
import { MODE_COLOR, SPARE_COLORS, runColor, runColors } from './palette.ts';

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
    expect(a).toEqual({ baseline: '#c8372d', clipped: '#7b3fb5' });
    expect(b).toEqual({ baseline: '#c8372d', clipped: '#1f5fbf', third: '#1b7f3b', fourth: '#7b3fb5' });
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
      clipped: '#1f5fbf',
      third: SPARE_COLORS[0],
      fourth: SPARE_COLORS[1],
    });
  });
});
