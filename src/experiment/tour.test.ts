import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets.ts';
import { TOUR, lessonLink } from './tour.ts';
import { DEFAULT_VIEW, decodeExperiment, encodeExperiment, TOUR_LENGTH } from './urlCodec.ts';

describe('the guided tour', () => {
  it('has one lesson per number, in order', () => {
    expect(TOUR.map((l) => l.n)).toEqual(Array.from({ length: TOUR_LENGTH }, (_, i) => i + 1));
  });

  it.each(TOUR.map((l) => [l.n, l] as const))(
    'lesson %i opens cleanly, marked as itself, and survives a round trip',
    (n, lesson) => {
      const decoded = decodeExperiment(lessonLink(lesson));
      expect(decoded.issues).toEqual([]);
      expect(decoded.view.tour).toBe(n);
      const again = decodeExperiment(encodeExperiment(decoded.config, decoded.preset, decoded.view, decoded.cliff));
      expect(again).toEqual(decoded);
    },
  );

  it('each lesson sets up its point', () => {
    const lessons = TOUR.map((l) => decodeExperiment(lessonLink(l)));
    expect(lessons).toHaveLength(9);
    type Decoded = (typeof lessons)[number];
    const [explode, clipValue, modes, rnn, lstm, cliff, literal, adding, vanishing] = lessons as [
      Decoded,
      Decoded,
      Decoded,
      Decoded,
      Decoded,
      Decoded,
      Decoded,
      Decoded,
      Decoded,
    ];
    expect(explode.config).toMatchObject({ pair: false, clip: { mode: 'none' } });
    expect(clipValue.config).toEqual(PRESETS['dense-explode'].config);
    // The race: none, value, per-tensor norm, global norm.
    expect([modes.config.baseClip, modes.config.clip, ...modes.config.race].map((c) => c.mode)).toEqual([
      'none',
      'value',
      'norm',
      'global',
    ]);
    expect(rnn.config).toMatchObject({ model: 'rnn', recScale: 2 });
    expect(rnn.config.hiddenGradEvery).toBeGreaterThan(0);
    expect(lstm.config).toMatchObject({ model: 'lstm', optimizer: 'adam-keras', clip: { mode: 'value', max: 1 } });
    expect(cliff.view).toEqual({ ...DEFAULT_VIEW, page: 'cliff', tour: 6 });
    expect(literal.config.loss).toBe('literal');
    expect(adding.preset).toBe('adding');
    // Lesson 8 is shown with the sweep it was found with.
    const sweep = decodeExperiment(`v=1&${TOUR[7]?.sweep ?? ''}`);
    expect(sweep.issues).toEqual([]);
    expect(sweep.view).toMatchObject({ page: 'sweep', tour: 8 });
    expect(sweep.config).toEqual(PRESETS.adding.config);
    expect(adding.config).toEqual(PRESETS.adding.config);
    expect(adding.config).toMatchObject({
      model: 'rnn',
      task: 'adding',
      seqLen: 30,
      pair: true,
      baseClip: { mode: 'none' },
    });
    expect(adding.config.clip).toMatchObject({ mode: 'global', threshold: 0.1 });
    expect(adding.config.hiddenGradEvery).toBeGreaterThan(0);
    // Lesson 9: the adding problem at T = 100 in the setting PyTorch measured: 32 units, Adam 0.01, batch 32,
    // global norm 1, 2,000 steps; a plain RNN pair, unclipped and clipped, measuring dL/dh_t through time.
    expect(vanishing.preset).toBe('adding');
    expect(vanishing.config).toMatchObject({
      model: 'rnn',
      task: 'adding',
      seqLen: 100,
      hidden: 32,
      optimizer: 'adam',
      lr: 0.01,
      batch: 32,
      steps: 2000,
      pair: true,
      baseClip: { mode: 'none' },
      clip: { mode: 'global', threshold: 1, normType: '2' },
    });
    expect(vanishing.config.hiddenGradEvery).toBeGreaterThan(0);
  });
});
