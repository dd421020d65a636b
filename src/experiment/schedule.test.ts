import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, NO_CLIP, type ExperimentConfig } from './config.ts';
import { configAt, formatSchedule, parseSchedule, valueBefore, withChange, type KnobChange } from './schedule.ts';
import { decodeExperiment, encodeExperiment, parseExperiment } from './urlCodec.ts';

const NORM_01 = { ...NO_CLIP, mode: 'norm', threshold: 0.1 } as const;
const RACE: ExperimentConfig = { ...DEFAULT_CONFIG, race: [{ ...NO_CLIP, mode: 'global', threshold: 1 }] };

describe('a schedule in a link (knobs=)', () => {
  it('reads STEP:KNOB=VALUE changes, in step order, clippings as a race run writes them', () => {
    const { schedule, problems } = parseSchedule('200:lr=0.01;120:clip=norm:0.1;120:lr=0.5;300:run3=global:0.5', RACE);
    expect(problems).toEqual([]);
    expect(schedule).toEqual([
      { step: 120, knob: 'lr', lr: 0.5 },
      { step: 120, knob: 'clip', clip: NORM_01 },
      { step: 200, knob: 'lr', lr: 0.01 },
      { step: 300, knob: 'run3', clip: { ...NO_CLIP, mode: 'global', threshold: 0.5 } },
    ]);
    expect(formatSchedule(schedule)).toBe('120:lr=0.5;120:clip=norm:0.1;200:lr=0.01;300:run3=global:0.5');
  });

  it.each([
    [
      '120-lr=0.1',
      'a change is written STEP:KNOB=VALUE (e.g. 120:lr=0.01), with KNOB one of lr, clip, baseClip, run3, run4',
    ],
    ['120:seed=3', "'seed' is not a knob; allowed: lr, clip, baseClip, run3, run4"],
    ['400:lr=0.1', 'step 400 is not before the last step (400); a change takes effect after its step'],
    ['-1:lr=0.1', 'a change is written STEP:KNOB=VALUE'],
    ['5:lr=0', 'the learning rate must be a number more than 0 and at most 10'],
    ['5:lr=Infinity', 'the learning rate must be a number more than 0 and at most 10'],
    ['5:lr=0x10', 'the learning rate must be a number more than 0 and at most 10'],
    ['5:clip=norm:-1', 'the threshold must be a number more than 0 and at most 1000000'],
    ['5:clip=value:2:1', 'clip min (2) is greater than clip max (1)'],
    ['5:run3=norm:1', 'run3 turns the third run, which this experiment does not train'],
  ])('refuses %s, saying why, and leaves that change out', (text, why) => {
    const { schedule, problems } = parseSchedule(`${text};7:lr=0.2`, DEFAULT_CONFIG);
    expect(schedule).toEqual([{ step: 7, knob: 'lr', lr: 0.2 }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.text).toBe(text);
    expect(problems[0]?.message).toContain(why);
    expect(problems[0]?.message).toMatch(/that change was left out$/);
  });

  it('a knob turned twice at one step keeps the last value, and says so', () => {
    const { schedule, problems } = parseSchedule('5:lr=0.1;5:lr=0.2', DEFAULT_CONFIG);
    expect(schedule).toEqual([{ step: 5, knob: 'lr', lr: 0.2 }]);
    expect(problems.map((p) => p.message)).toEqual(['a knob was turned twice at one step; the last value was used']);
  });

  it('at most 32 changes: the rest are refused, with how many', () => {
    const text = Array.from({ length: 40 }, (_, i) => `${i}:lr=0.1`).join(';');
    const { schedule, problems } = parseSchedule(text, DEFAULT_CONFIG);
    expect(schedule).toHaveLength(32);
    expect(problems).toEqual([
      { text: '32:lr=0.1', message: 'a schedule has at most 32 changes; this one and the 7 after it were left out' },
    ]);
  });

  it('round-trips through the link, and the CLI refuses a bad change by name', () => {
    const config: ExperimentConfig = { ...RACE, schedule: parseSchedule('3:lr=0.5;9:run3=norm:2', RACE).schedule };
    const query = encodeExperiment(config, 'dense-explode');
    expect(query).toContain('knobs=3%3Alr%3D0.5%3B9%3Arun3%3Dnorm%3A2');
    expect(decodeExperiment(query)).toMatchObject({ config, issues: [] });
    const bad = parseExperiment('v=1&knobs=3:lr=99');
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.reason).toBe(
        'knobs=3:lr=99: the learning rate must be a number more than 0 and at most 10; that change was left out',
      );
  });

  it('a change past the steps the link itself sets is refused: the steps are read first', () => {
    const decoded = decodeExperiment('v=1&knobs=50:lr=0.1&steps=40');
    expect(decoded.config.schedule).toEqual([]);
    expect(decoded.issues.map((i) => i.param)).toEqual(['knobs']);
  });
});

describe('the settings in force at a step', () => {
  const schedule: KnobChange[] = [
    { step: 10, knob: 'lr', lr: 0.01 },
    { step: 10, knob: 'clip', clip: NORM_01 },
    { step: 20, knob: 'lr', lr: 0.001 },
  ];

  it('configAt applies the changes at or before the step, and leaves the config as it was', () => {
    expect(configAt(DEFAULT_CONFIG, schedule, 9)).toEqual(DEFAULT_CONFIG);
    expect(configAt(DEFAULT_CONFIG, schedule, 10)).toMatchObject({ lr: 0.01, clip: NORM_01 });
    expect(configAt(DEFAULT_CONFIG, schedule, 25)).toMatchObject({ lr: 0.001, clip: NORM_01 });
    expect(DEFAULT_CONFIG.lr).toBe(0.07);
  });

  it('valueBefore is what the knob was just before the change', () => {
    expect(valueBefore(DEFAULT_CONFIG, schedule, schedule[0] as KnobChange)).toBe('0.07');
    expect(valueBefore(DEFAULT_CONFIG, schedule, schedule[2] as KnobChange)).toBe('0.01');
    expect(valueBefore(DEFAULT_CONFIG, schedule, schedule[1] as KnobChange)).toBe('value:-1:1');
  });

  it('withChange replaces the same knob at the same step and keeps the clipping as the link will read it', () => {
    const next = withChange(schedule, { step: 20, knob: 'lr', lr: 0.5 });
    expect(next.map((c) => (c.knob === 'lr' ? c.lr : c.knob))).toEqual([0.01, 'clip', 0.5]);
    const clip = withChange([], {
      step: 3,
      knob: 'clip',
      clip: { mode: 'norm', min: -7, max: 7, threshold: 2, normType: 'inf' },
    });
    expect(clip).toEqual([{ step: 3, knob: 'clip', clip: { ...NO_CLIP, mode: 'norm', threshold: 2 } }]);
  });
});
