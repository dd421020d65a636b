import { describe, expect, it } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import { parseSchedule } from '../experiment/schedule.ts';
import { clipChangeInForce, clipChangesOf, knobMarksOf } from './knobMarks.ts';

const config = {
  ...PRESETS['dense-explode'].config,
  clip: { ...PRESETS['dense-explode'].config.clip, mode: 'norm' as const, threshold: 1 },
};
const { schedule } = parseSchedule('120:clip=norm:0.1;200:lr=0.01;300:clip=norm:0.5;150:baseClip=value:-1:1', config);

describe('knob marks and the clipping in force', () => {
  it("marks a run's own knobs and the learning rate, each with the value it replaced", () => {
    expect(knobMarksOf(config, schedule, 'clipped').map((m) => `${m.step} ${m.label}`)).toEqual([
      '120 clip norm:1 → norm:0.1',
      `200 lr ${config.lr} → 0.01`,
      '300 clip norm:0.1 → norm:0.5',
    ]);
    expect(knobMarksOf(config, schedule, 'baseline').map((m) => m.step)).toEqual([150, 200]);
  });

  it('a change at step 120 is in force from step 121: after 120 steps shown, the next step takes it', () => {
    const changes = clipChangesOf(schedule, 'clipped');
    expect(changes.map((c) => c.step)).toEqual([120, 300]);
    expect(clipChangeInForce(changes, 119)).toBeNull();
    expect(clipChangeInForce(changes, 120)?.clip).toMatchObject({ mode: 'norm', threshold: 0.1 });
    expect(clipChangeInForce(changes, 299)?.clip).toMatchObject({ mode: 'norm', threshold: 0.1 });
    expect(clipChangeInForce(changes, 300)?.clip).toMatchObject({ mode: 'norm', threshold: 0.5 });
    expect(clipChangeInForce(clipChangesOf(schedule, 'baseline'), 151)?.clip).toMatchObject({
      mode: 'value',
      min: -1,
      max: 1,
    });
    expect(clipChangesOf(schedule, 'third')).toEqual([]);
  });
});
