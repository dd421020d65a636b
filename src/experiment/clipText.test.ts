import { describe, expect, it } from 'vitest';
import { NO_CLIP, type ClipConfig } from './config.ts';
import { formatClipText, parseClipText } from './clipText.ts';

describe('one clipping in one link parameter', () => {
  it.each<[string, ClipConfig]>([
    ['none', NO_CLIP],
    ['value:-0.5:2', { ...NO_CLIP, mode: 'value', min: -0.5, max: 2 }],
    ['norm:1', { ...NO_CLIP, mode: 'norm', threshold: 1 }],
    ['global:5', { ...NO_CLIP, mode: 'global', threshold: 5 }],
    ['global:0.25:inf', { ...NO_CLIP, mode: 'global', threshold: 0.25, normType: 'inf' }],
    ['global-tf:3', { ...NO_CLIP, mode: 'global-tf', threshold: 3 }],
  ])('%s reads and writes back the same', (text, clip) => {
    expect(parseClipText(text)).toEqual({ ok: true, clip });
    expect(formatClipText(clip)).toBe(text);
  });

  it('value:C is the symmetric [-C, C]', () => {
    expect(parseClipText('value:2')).toEqual({ ok: true, clip: { ...NO_CLIP, mode: 'value', min: -2, max: 2 } });
  });

  it.each([
    ['', "'' is not a clipping mode"],
    ['<b>norm</b>:1', 'is not a clipping mode'],
    ['none:1', 'none takes no number'],
    ['value', 'one bound C or two bounds'],
    ['value:2:1', 'clip min (2) is greater than clip max (1)'],
    ['value:1e9', 'value bounds must be a number at least -1000000'],
    ['norm', 'one threshold C'],
    ['norm:0', 'the threshold must be a number more than 0'],
    ['norm:-1', 'the threshold must be a number more than 0'],
    ['norm:Infinity', 'one threshold C'],
    ['norm:1:inf', 'one threshold C'],
    ['global:1:3', 'the norm type must be 2 or inf'],
    ['global:0x10', 'one threshold C'],
  ])('refuses %j, saying why and what may be written', (text, why) => {
    const parsed = parseClipText(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(why);
      expect(parsed.message).toContain('write one of none, value:MIN:MAX');
    }
  });
});
