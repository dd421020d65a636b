import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets.ts';
import { checkBudget, checkClip, isDecimal, parseDecimal } from './schema.ts';
import { decodeExperiment } from './urlCodec.ts';

describe('numbers in links', () => {
  it('reads plain decimals and exponents, and -0 as 0', () => {
    expect(parseDecimal('0.07')).toBe(0.07);
    expect(parseDecimal('-1.5e-3')).toBe(-0.0015);
    expect(parseDecimal('.5')).toBe(0.5);
    expect(Object.is(parseDecimal('-0'), 0)).toBe(true);
  });

  it('refuses hex, Infinity, an overflow, blanks and words', () => {
    for (const text of ['0x10', 'Infinity', '1e999', '', ' ', 'NaN', '1_000', '١٢٣', 'e5'])
      expect(parseDecimal(text)).toBeNull();
    // An overflow is a decimal (the sweep's range says "A and B must be positive" of it), but has no value.
    expect(isDecimal('1e999')).toBe(true);
  });
});

describe('checks that span fields, as a link is read', () => {
  it.each(['clip', 'baseClip'] as const)(
    'refuses %s bounds with min above max, names them, and keeps the preset’s bounds',
    (side) => {
      const prefix = side === 'clip' ? 'clip' : 'baseClip';
      const { config, issues } = decodeExperiment(
        `v=1&preset=dense-explode&${prefix}=value&${prefix}Min=3&${prefix}Max=1`,
      );
      expect(issues).toHaveLength(1);
      expect(issues[0]?.param).toBe(`${prefix}Min`);
      expect(issues[0]?.message).toContain('clip min (3) is greater than clip max (1)');
      const preset = PRESETS['dense-explode'].config[side];
      expect(config[side]).toMatchObject({ mode: 'value', min: preset.min, max: preset.max });
      expect(checkClip(config[side])).toBeNull();
    },
  );

  it('falls back to the preset’s sizes, trainSize included, when batch is larger than trainSize', () => {
    const { config, issues } = decodeExperiment('v=1&preset=lstm-tf&trainSize=100&batch=200');
    expect(issues.map((i) => [i.param, i.message])).toEqual([
      ['batch', "batch (200) is larger than trainSize (100); the preset's sizes were used"],
    ]);
    const preset = PRESETS['lstm-tf'].config;
    expect(config).toMatchObject({
      batch: preset.batch,
      trainSize: preset.trainSize,
      hidden: preset.hidden,
      layers: preset.layers,
    });
    expect(checkBudget(config)).toBeNull();
  });

  it('falls back to the preset’s sizes when one step would not fit, and the result fits', () => {
    const { config, issues } = decodeExperiment('v=1&preset=lstm-tf&hidden=512&batch=1024&layers=2&trainSize=2000');
    expect(issues.map((i) => i.param)).toEqual(['batch']);
    expect(issues[0]?.message).toMatch(/^batch x hidden x layers \(1024 x 512 x 2\) is too large/);
    const preset = PRESETS['lstm-tf'].config;
    expect([config.batch, config.hidden, config.layers, config.trainSize]).toEqual([
      preset.batch,
      preset.hidden,
      preset.layers,
      preset.trainSize,
    ]);
    expect(checkBudget(config)).toBeNull();
  });
});
