import { describe, expect, it } from 'vitest';
import { CLIP_MODES, DEFAULT_CONFIG, NO_CLIP, type ExperimentConfig } from './config.ts';
import { PRESETS, PRESET_IDS } from './presets.ts';
import { DEFAULT_CLIFF } from './cliff.ts';
import {
  ALL_LOCK_GROUPS,
  DEFAULT_VIEW,
  LOCK_GROUPS,
  decodeExperiment,
  encodeExperiment,
  linkOfLocation,
  parseExperiment,
} from './urlCodec.ts';

/** A config in which every setting differs from the dense preset. */
const EVERYTHING_CHANGED: ExperimentConfig = {
  v: 1,
  model: 'gru',
  hidden: 48,
  layers: 2,
  init: 'keras',
  recScale: 1.75,
  data: 'generated',
  samples: 2000,
  loss: 'literal',
  task: 'adding',
  seqLen: 120,
  trainSize: 5000,
  testSize: 500,
  evalEvery: 25,
  optimizer: 'rmsprop',
  lr: 0.0025,
  momentum: 0.5,
  beta1: 0.8,
  beta2: 0.99,
  eps: 1e-7,
  alpha: 0.9,
  batch: 24,
  steps: 1234,
  seed: 987654,
  seeds: 7,
  hiddenGradEvery: 5,
  pair: false,
  race: [],
  schedule: [
    { step: 0, knob: 'lr', lr: 0.5 },
    { step: 99, knob: 'lr', lr: 0.001 },
    { step: 99, knob: 'clip', clip: { mode: 'norm', min: -1, max: 1, threshold: 0.25, normType: '2' } },
  ],
  clip: { mode: 'global', min: -0.25, max: 2.5, threshold: 0.3, normType: 'inf' },
  baseClip: { mode: 'norm', min: -3, max: 3, threshold: 7.5, normType: 'inf' },
};

describe('experiment links', () => {
  it('round-trip every setting', () => {
    const query = encodeExperiment(EVERYTHING_CHANGED, 'dense-explode');
    const decoded = decodeExperiment(`https://lab.example/#${query}`);
    expect(decoded.issues).toEqual([]);
    expect(decoded.config).toEqual(EVERYTHING_CHANGED);
  });

  it.each(PRESET_IDS)('round-trip preset %s as a short link', (id) => {
    const query = encodeExperiment(PRESETS[id].config, id);
    expect(query).toBe(`v=1&preset=${id}`);
    expect(decodeExperiment(query)).toEqual({
      config: PRESETS[id].config,
      preset: id,
      view: DEFAULT_VIEW,
      cliff: DEFAULT_CLIFF,
      issues: [],
    });
  });

  it.each(CLIP_MODES)('round-trip clip mode %s', (mode) => {
    const config = { ...DEFAULT_CONFIG, clip: { ...DEFAULT_CONFIG.clip, mode } };
    expect(decodeExperiment(encodeExperiment(config, 'dense-explode')).config).toEqual(config);
  });

  it('reads the readable form from the docs', () => {
    const { config, issues } = decodeExperiment('#v=1&preset=dense-explode&clip=value&clipMax=0.5&clipMin=-0.5&seed=3');
    expect(issues).toEqual([]);
    expect(config.clip).toMatchObject({ mode: 'value', min: -0.5, max: 0.5 });
    expect(config.seed).toBe(3);
  });

  it.each([
    ['hidden=-5', 'hidden', 'an integer from 1 to 512'],
    ['hidden=1e9', 'hidden', 'an integer from 1 to 512'],
    ['batch=3.5', 'batch', 'an integer from 1 to 1024'],
    ['lr=NaN', 'lr', 'a number more than 0'],
    ['lr=Infinity', 'lr', 'a number more than 0'],
    ['lr=0x10', 'lr', 'a number more than 0'],
    ['lr=', 'lr', 'a number more than 0'],
    ['model=transformer', 'model', 'one of dense, rnn, lstm, gru'],
    ['clip=<script>alert(1)</script>', 'clip', 'one of none, value, norm, global, global-tf'],
    ['pair=yes', 'pair', '0 or 1'],
    ['preset=../../etc/passwd', 'preset', 'one of dense-explode'],
    ['seed=-1', 'seed', 'an integer from 0 to 2147483647'],
    ['seeds=0', 'seeds', 'an integer from 1 to 10'],
    ['seeds=11', 'seeds', 'an integer from 1 to 10'],
    ['seeds=2.5', 'seeds', 'an integer from 1 to 10'],
  ])('refuses %s, naming the parameter and what is allowed, and keeps the preset value', (query, param, allowed) => {
    const { config, issues } = decodeExperiment(`v=1&${query}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.param).toBe(param);
    expect(issues[0]?.message).toContain(allowed);
    expect(config).toEqual(PRESETS['dense-explode'].config);
  });

  it('writes seeds only when it is not 1, and reads it back', () => {
    expect(encodeExperiment({ ...DEFAULT_CONFIG, seeds: 1 }, 'dense-explode')).not.toContain('seeds');
    const query = encodeExperiment({ ...DEFAULT_CONFIG, seeds: 5 }, 'dense-explode');
    expect(new URLSearchParams(query).get('seeds')).toBe('5');
    const { config, issues } = decodeExperiment(query);
    expect(issues).toEqual([]);
    expect(config.seeds).toBe(5);
    expect(decodeExperiment('v=1&preset=dense-explode').config.seeds).toBe(1);
  });

  it('round-trips a race of four runs, each named by one parameter', () => {
    const race = structuredClone({
      ...DEFAULT_CONFIG,
      race: [
        { ...NO_CLIP, mode: 'norm', threshold: 1 },
        { ...NO_CLIP, mode: 'global', threshold: 1 },
      ],
    } satisfies ExperimentConfig);
    const query = encodeExperiment(race, 'dense-explode');
    expect(query).toBe('v=1&preset=dense-explode&run3=norm%3A1&run4=global%3A1');
    const decoded = decodeExperiment(query);
    expect(decoded.issues).toEqual([]);
    expect(decoded.config).toEqual(race);
  });

  it('reads a fourth run without a third as the third', () => {
    const { config, issues } = decodeExperiment('v=1&run4=value:0.5');
    expect(issues).toEqual([]);
    expect(config.race).toEqual([{ ...NO_CLIP, mode: 'value', min: -0.5, max: 0.5 }]);
  });

  it('leaves out a race run it cannot read, naming the parameter', () => {
    const { config, issues } = decodeExperiment('v=1&run3=norm:0&run4=global:2');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ param: 'run3', value: 'norm:0' });
    expect(issues[0]?.message).toContain(
      'the threshold must be a number more than 0 and at most 1000000; write one of',
    );
    expect(config.race).toEqual([{ ...NO_CLIP, mode: 'global', threshold: 2 }]);
  });

  it('refuses a race without the pair and trains the one run', () => {
    const { config, issues } = decodeExperiment('v=1&pair=0&run3=norm:1');
    expect(issues[0]).toMatchObject({ param: 'run3' });
    expect(issues[0]?.message).toContain('needs the pair (pair=1)');
    expect(config.race).toEqual([]);
  });

  it('refuses clip min > max and uses the preset bounds', () => {
    const { config, issues } = decodeExperiment('v=1&clipMin=2&clipMax=1');
    expect(issues[0]?.message).toContain('clip min (2) is greater than clip max (1)');
    expect(config.clip).toMatchObject({ min: -1, max: 1 });
    expect(issues[0]?.param).toBe('clipMin');
  });

  it('names the max when the link gave only a max below the preset min', () => {
    const { issues } = decodeExperiment('v=1&clip=value&clipMax=-5');
    expect(issues[0]).toMatchObject({ param: 'clipMax' });
  });

  it('ignores unknown parameters and says so', () => {
    const { issues } = decodeExperiment('v=1&color=red');
    expect(issues).toEqual([{ param: 'color', value: 'red', message: 'unknown parameter; it was ignored' }]);
  });

  it('opens a link from a newer version as far as it can, with a notice', () => {
    const { config, issues } = decodeExperiment('v=9&seed=4');
    expect(config.seed).toBe(4);
    expect(issues[0]).toMatchObject({ param: 'v' });
    expect(issues[0]?.message).toContain('newer version');
  });

  it('upgrades a version-0 link (clipValue) to version 1', () => {
    const { config, issues } = decodeExperiment('v=0&clip=value&clipValue=0.5');
    expect(issues).toEqual([]);
    expect(config.clip).toMatchObject({ mode: 'value', min: -0.5, max: 0.5 });
  });

  it('refuses sizes that would exhaust the machine before anything is allocated', () => {
    const { config, issues } = decodeExperiment('v=1&preset=lstm-pytorch&hidden=512&batch=1024');
    expect(issues.some((i) => i.message.includes('too large'))).toBe(true);
    expect(config.hidden).toBe(128);
    expect(config.batch).toBe(64);
  });

  it('opens the default experiment for an absurdly long link', () => {
    const { preset, issues } = decodeExperiment(`v=1&seed=${'9'.repeat(5000)}`);
    expect(preset).toBe('dense-explode');
    expect(issues[0]?.message).toContain('longer than');
  });

  it('shortens hostile values in messages', () => {
    const { issues } = decodeExperiment(`v=1&model=${'x'.repeat(300)}`);
    expect(issues[0]?.value.length).toBeLessThan(50);
  });

  it('carries the controls a teacher hid, and refuses unknown groups', () => {
    const query = encodeExperiment(PRESETS['rnn-scale'].config, 'rnn-scale', {
      ...DEFAULT_VIEW,
      locked: ['model', 'clip'],
    });
    expect(query).toBe('v=1&preset=rnn-scale&lock=model%2Cclip');
    expect(decodeExperiment(query).view.locked).toEqual(['model', 'clip']);
    expect(decodeExperiment('lock=all').view.locked).toEqual([...ALL_LOCK_GROUPS]);
    expect(decodeExperiment('lock=clip,everything').issues[0]?.param).toBe('lock');
  });

  it('locks the ways out of an experiment too: all covers the preset menu, the tour and the page tabs', () => {
    expect(decodeExperiment('lock=all').view.locked).toEqual(expect.arrayContaining(['presets', 'tour', 'pages']));
    expect(decodeExperiment('lock=presets,tour').view.locked).toEqual(['presets', 'tour']);
    expect(decodeExperiment('lock=presets,tour').issues).toEqual([]);
    // Every group locked is written as all; the content groups alone are listed.
    const all = encodeExperiment(DEFAULT_CONFIG, 'dense-explode', { ...DEFAULT_VIEW, locked: [...ALL_LOCK_GROUPS] });
    expect(all).toBe('v=1&preset=dense-explode&lock=all');
    const content = encodeExperiment(DEFAULT_CONFIG, 'dense-explode', { ...DEFAULT_VIEW, locked: [...LOCK_GROUPS] });
    expect(decodeExperiment(content).view.locked).toEqual([...LOCK_GROUPS]);
  });

  it('reads a link written with ?v=1 when the hash is empty, and only a link to the lab', () => {
    expect(linkOfLocation('?v=1&preset=lstm-tf&lr=0.05', '')).toEqual({
      query: 'v=1&preset=lstm-tf&lr=0.05',
      from: 'search',
    });
    expect(linkOfLocation('?preset=rnn-scale', '#')).toEqual({ query: 'preset=rnn-scale', from: 'search' });
    // The hash wins: it is what the lab writes.
    expect(linkOfLocation('?v=1&preset=lstm-tf', '#v=1&preset=rnn-scale')).toEqual({
      query: 'v=1&preset=rnn-scale',
      from: 'hash',
    });
    // Parameters that are not the lab's (a campaign tag) are not an experiment.
    expect(linkOfLocation('?utm_source=mail', '')).toEqual({ query: '', from: 'none' });
    expect(linkOfLocation('', '')).toEqual({ query: '', from: 'none' });
    const { config, preset } = decodeExperiment(linkOfLocation('?v=1&preset=lstm-tf&lr=0.05', '').query);
    expect(preset).toBe('lstm-tf');
    expect(config.lr).toBe(0.05);
  });

  it('round-trip the cliff lesson: page, tour, window, start, learning rate and clipping', () => {
    const cliff = {
      T: 80,
      wMin: -1.5,
      wMax: 12.25,
      bMin: -9,
      bMax: 4,
      w0: 4.321,
      b0: -2.5,
      lr: 0.4,
      descentSteps: 120,
      clipMode: 'value',
      threshold: 0.25,
    } as const;
    const view = { ...DEFAULT_VIEW, page: 'cliff', tour: 5 } as const;
    const query = encodeExperiment(PRESETS['dense-explode'].config, 'dense-explode', view, cliff);
    expect(decodeExperiment(query)).toEqual({
      config: PRESETS['dense-explode'].config,
      preset: 'dense-explode',
      view,
      cliff,
      issues: [],
    });
    // Defaults are not written: a fresh cliff link stays short.
    expect(encodeExperiment(DEFAULT_CONFIG, 'dense-explode', { ...DEFAULT_VIEW, page: 'cliff' })).toBe(
      'v=1&preset=dense-explode&page=cliff',
    );
  });

  it('refuses bad cliff settings by name and keeps the defaults', () => {
    const { cliff, view, issues } = decodeExperiment(
      'v=1&page=moon&tour=99&cliffT=1000&cliffLr=-1&cliffClip=<b>&cliffWMin=5&cliffWMax=1',
    );
    expect(view).toEqual(DEFAULT_VIEW);
    expect(cliff).toEqual(DEFAULT_CLIFF);
    expect(issues.map((i) => i.param)).toEqual(['page', 'tour', 'cliffT', 'cliffLr', 'cliffClip', 'cliffWMin']);
    expect(issues[2]?.message).toContain('an integer from 2 to 100');
  });

  it('round-trips embed=1, writes nothing for the whole page, and refuses any other value by name', () => {
    const view = { ...DEFAULT_VIEW, embed: true, locked: ['model' as const] };
    const query = encodeExperiment(DEFAULT_CONFIG, 'dense-explode', view);
    expect(query).toBe('v=1&preset=dense-explode&lock=model&embed=1');
    expect(decodeExperiment(query)).toMatchObject({ view, issues: [] });
    expect(encodeExperiment(DEFAULT_CONFIG, 'dense-explode', DEFAULT_VIEW)).not.toContain('embed');
    expect(decodeExperiment('v=1&embed=0')).toMatchObject({ view: DEFAULT_VIEW, issues: [] });
    for (const hostile of ['true', '2', '', ' 1', '<script>alert(1)</script>', 'x'.repeat(100)]) {
      const { view: opened, issues } = decodeExperiment(`v=1&embed=${encodeURIComponent(hostile)}`);
      expect(opened.embed, hostile).toBe(false);
      expect(issues, hostile).toHaveLength(1);
      expect(issues[0]).toMatchObject({ param: 'embed', message: expect.stringMatching(/^allowed: 1 .* or 0;/) });
      expect(issues[0]?.value.length).toBeLessThanOrEqual(43);
    }
    expect(parseExperiment('v=1&embed=yes').ok).toBe(false);
    expect(parseExperiment('v=1&embed=1').ok).toBe(true);
  });

  it('round-trips present=1 after embed, writes nothing without it, and refuses any other value by name', () => {
    const view = { ...DEFAULT_VIEW, present: true, tour: 2 };
    const query = encodeExperiment(DEFAULT_CONFIG, 'dense-explode', view);
    expect(query).toBe('v=1&preset=dense-explode&tour=2&present=1');
    expect(decodeExperiment(query)).toMatchObject({ view, issues: [] });
    expect(encodeExperiment(DEFAULT_CONFIG, 'dense-explode', DEFAULT_VIEW)).not.toContain('present');
    expect(decodeExperiment('v=1&present=0')).toMatchObject({ view: DEFAULT_VIEW, issues: [] });
    for (const hostile of ['true', 'on', '', '1 ', '<img src=x>', 'x'.repeat(100)]) {
      const { view: opened, issues } = decodeExperiment(`v=1&present=${encodeURIComponent(hostile)}`);
      expect(opened.present, hostile).toBe(false);
      expect(issues, hostile).toHaveLength(1);
      expect(issues[0]).toMatchObject({
        param: 'present',
        message: 'allowed: 1 (presenter mode, for a projector) or 0; the page opened in its usual look',
      });
      expect(issues[0]?.value.length).toBeLessThanOrEqual(43);
    }
    // Both at once: an embed in presenter mode is an embed (App shows EmbedView), and the link keeps both.
    expect(decodeExperiment('v=1&embed=1&present=1').view).toMatchObject({ embed: true, present: true });
    expect(parseExperiment('v=1&present=yes').ok).toBe(false);
  });

  it('strict parsing (the CLI) turns any issue into an error', () => {
    expect(parseExperiment('v=1&preset=lstm-tf')).toMatchObject({ ok: true, preset: 'lstm-tf' });
    const bad = parseExperiment('v=1&lr=-1');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('lr=-1');
  });
});
