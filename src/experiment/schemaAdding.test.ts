/** The adding problem's settings: the task and T in links, their limits, and the size check with T steps. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, sequenceSteps, type ExperimentConfig } from './config.ts';
import { PRESETS } from './presets.ts';
import { FIELD_SPECS, checkBudget } from './schema.ts';
import { decodeExperiment, encodeExperiment, parseExperiment } from './urlCodec.ts';

describe('the adding problem in settings and links', () => {
  it('opens as `v=1&preset=adding`, and a change of T is the only thing its link adds', () => {
    const parsed = parseExperiment('v=1&preset=adding');
    expect(parsed).toMatchObject({ ok: true, preset: 'adding', config: PRESETS.adding.config });
    const longer = { ...PRESETS.adding.config, seqLen: 100 };
    expect(encodeExperiment(longer, 'adding')).toBe('v=1&preset=adding&seqLen=100');
    expect(decodeExperiment('v=1&preset=adding&seqLen=100').config).toEqual(longer);
    // MNIST's presets leave the task alone; a link can switch one to the adding problem.
    expect(PRESETS['rnn-scale'].config.task).toBe('mnist');
    const switched = decodeExperiment('v=1&preset=rnn-scale&task=adding&seqLen=60');
    expect(switched.issues).toEqual([]);
    expect(switched.config).toMatchObject({ task: 'adding', seqLen: 60, model: 'rnn' });
  });

  it.each([
    ['seqLen=9', 'seqLen', 'an integer from 10 to 200'],
    ['seqLen=201', 'seqLen', 'an integer from 10 to 200'],
    ['seqLen=30.5', 'seqLen', 'an integer from 10 to 200'],
    ['task=copying', 'task', 'one of mnist, adding'],
  ])('refuses %s, naming %s and what is allowed', (param, name, allowed) => {
    const decoded = decodeExperiment(`v=1&preset=adding&${param}`);
    expect(decoded.issues).toHaveLength(1);
    expect(decoded.issues[0]?.param).toBe(name);
    expect(decoded.issues[0]?.message).toContain(allowed);
    expect(decoded.config).toEqual(PRESETS.adding.config);
  });

  it('gives the controls the bounds of T', () => {
    expect(FIELD_SPECS.seqLen).toMatchObject({ min: 10, max: 200, integer: true });
    expect(FIELD_SPECS.task.choices).toEqual(['mnist', 'adding']);
  });

  it('counts T time steps in the size check, 28 for MNIST', () => {
    const mnist: ExperimentConfig = { ...DEFAULT_CONFIG, model: 'lstm', hidden: 512, layers: 2, batch: 64 };
    expect(sequenceSteps(mnist)).toBe(28);
    // 64 x 28 x 512 x 2 is the largest MNIST step allowed; the adding problem at T = 28 is the same size.
    expect(checkBudget(mnist)).toBeNull();
    expect(checkBudget({ ...mnist, task: 'adding', seqLen: 28 })).toBeNull();
    const longer = { ...mnist, task: 'adding' as const, seqLen: 29 };
    expect(sequenceSteps(longer)).toBe(29);
    expect(checkBudget(longer)).toBe(
      'batch x T x hidden x layers (64 x 29 x 512 x 2) is too large for one step in a browser; keep batch x T x hidden x layers at most 1835008',
    );
    // T = 200 with a small net is fine; batch still may not exceed the training sequences.
    expect(checkBudget({ ...PRESETS.adding.config, seqLen: 200 })).toBeNull();
    expect(checkBudget({ ...PRESETS.adding.config, trainSize: 100, batch: 128 })).toBe(
      'batch (128) is larger than trainSize (100)',
    );
  });
});
