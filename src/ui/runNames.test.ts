import { describe, expect, it } from 'vitest';
import { NO_CLIP, clipOf, sidesOf } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import { TOUR, lessonLink } from '../experiment/tour.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import { pairNamesMislead } from './runNames.ts';

const VALUE = { ...NO_CLIP, mode: 'value' as const };

describe('a pair is named by its sides only where the names match its clipping (and so its colours)', () => {
  it.each([
    ...Object.values(PRESETS).map((p) => p.config),
    ...TOUR.filter((l) => !l.query.includes('page=')).map((l) => decodeExperiment(lessonLink(l)).config),
  ])('every preset and lesson pair keeps "Baseline" (unclipped) and "Clipped"', (config) => {
    const runs = Object.fromEntries(sidesOf(config).map((side) => [side, { clip: clipOf(config, side) }]));
    if (sidesOf(config).length === 2) expect(pairNamesMislead(runs)).toBe(false);
  });

  it('a pair whose "clipped" run does not clip, or whose baseline clips, is named by its clipping instead', () => {
    expect(pairNamesMislead({ baseline: { clip: NO_CLIP }, clipped: { clip: NO_CLIP } })).toBe(true);
    expect(pairNamesMislead({ baseline: { clip: VALUE }, clipped: { clip: VALUE } })).toBe(true);
    expect(pairNamesMislead({ baseline: { clip: NO_CLIP }, clipped: { clip: VALUE } })).toBe(false);
  });
});
