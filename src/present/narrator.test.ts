import { describe, expect, it } from 'vitest';
import { NO_CLIP, type ClipConfig } from '../experiment/config.ts';
import type { RunLayout, StepMetrics } from '../train/metrics.ts';
import { Narrator, compareRace, comparePair, summarizeStory } from './narrator.ts';

const VALUE_1: ClipConfig = { ...NO_CLIP, mode: 'value', min: -1, max: 1 };
const GLOBAL_1: ClipConfig = { ...NO_CLIP, mode: 'global', threshold: 1 };

const dense: RunLayout = { params: [], layers: ['fc1', 'fc2'], hiddenLayers: 0, timeSteps: 0, classifier: false };
const rnn: RunLayout = { params: [], layers: ['rnn0', 'out'], hiddenLayers: 1, timeSteps: 28, classifier: true };

function step(n: number, patch: Partial<StepMetrics> = {}): StepMetrics {
  return {
    step: n,
    epoch: 1,
    loss: 1,
    accuracy: null,
    globalNormPre: 1,
    globalNormPost: 1,
    clipFraction: 0,
    clipScale: 1,
    gradNormPre: [],
    gradNormPost: [],
    weightNorm: [],
    updateRatio: [],
    layerNormPre: [],
    layerNormPost: [],
    hiddenGradNorms: null,
    ...patch,
  };
}

describe('the narrator', () => {
  it('tells the first time clipping acts, once, in the words of its mode', () => {
    const narrator = new Narrator(VALUE_1, dense);
    expect(narrator.observe(step(1))).toEqual([]);
    const [event] = narrator.observe(step(2, { clipFraction: 0.25, globalNormPre: 10, globalNormPost: 2 }));
    expect(event?.sentence).toBe(
      "Step 2: clipping acted for the first time: 25% of the gradient's elements were outside [-1, 1] and were cut to the bound; the step taken was 20% of the one the gradient asked for.",
    );
    expect(narrator.observe(step(3, { clipFraction: 0.5, globalNormPre: 10, globalNormPost: 2 }))).toEqual([]);
    const norm = new Narrator(GLOBAL_1, dense);
    expect(norm.observe(step(1, { clipFraction: 1, globalNormPre: 4, globalNormPost: 1 }))[0]?.sentence).toBe(
      "Step 1: clipping acted for the first time: the gradient's norm was 4, above the threshold 1; the step taken was 25% of the one the gradient asked for.",
    );
  });

  it('says when clipping acts on most steps, with how much shorter the steps are', () => {
    const narrator = new Narrator(GLOBAL_1, dense);
    const kinds: string[] = [];
    // 11 of 20 steps clipped, each to a tenth of its length.
    for (let n = 1; n <= 20; n++) {
      const acted = n > 9;
      const events = narrator.observe(
        step(n, acted ? { clipFraction: 1, globalNormPre: 10, globalNormPost: 1 } : { globalNormPre: 2 }),
      );
      kinds.push(...events.map((e) => `${e.step}:${e.kind}`));
      if (n === 20) {
        expect(events.map((e) => e.sentence)).toContain(
          'Step 20: clipping is acting on most steps (11 of the last 20): on average the step taken is 10% of what the gradient asked for, 10x shorter.',
        );
      }
    }
    expect(kinds).toEqual(['10:clip-first', '20:clip-most']);
  });

  it('marks a spike above 10x the running median, and not one just under', () => {
    const narrator = new Narrator(NO_CLIP, dense);
    for (let n = 1; n <= 5; n++) narrator.observe(step(n, { globalNormPre: 2 }));
    expect(narrator.observe(step(6, { globalNormPre: 19.9 }))).toEqual([]);
    expect(narrator.observe(step(7, { globalNormPre: 30 }))[0]?.sentence).toBe(
      'Step 7: a gradient spike: the norm jumped to 30, 15x the running median (2).',
    );
    // Within the cooldown, another jump is not told again.
    expect(narrator.observe(step(8, { globalNormPre: 40 }))).toEqual([]);
  });

  it('per-tensor norm clipping: the first time it acts, it names the largest tensor norm, not the global one', () => {
    const narrator = new Narrator({ ...NO_CLIP, mode: 'norm', threshold: 5 }, dense);
    const [event] = narrator.observe(
      step(1, { clipFraction: 0.5, globalNormPre: 41, globalNormPost: 5.8, gradNormPre: [3, 40.9] }),
    );
    expect(event?.sentence).toContain("the largest tensor's gradient norm was 40.9, above the threshold 5");
  });

  it('tells a gradient vanishing or exploding through time from ||dL/dh_1|| / ||dL/dh_T||', () => {
    const through = (first: number) => Array.from({ length: 28 }, (_, t) => (t === 0 ? first : 1));
    const vanishing = new Narrator(NO_CLIP, rnn);
    expect(vanishing.observe(step(1, { hiddenGradNorms: through(0.02) }))).toEqual([]);
    expect(vanishing.observe(step(2, { hiddenGradNorms: through(0.001) }))[0]?.sentence).toBe(
      'Step 2: the gradient vanishes through time: at t = 1 it is 1000 times smaller than at t = 28 (||dL/dh_1|| / ||dL/dh_28|| = 0.001), so the first time steps barely teach the net anything.',
    );
    const exploding = new Narrator(NO_CLIP, rnn);
    expect(exploding.observe(step(1, { hiddenGradNorms: through(500) }))[0]?.kind).toBe('exploding-in-time');
    // A saturated or diverging net's zero or infinite gradient is no ratio: nothing is told.
    const dead = new Narrator(NO_CLIP, rnn);
    expect(dead.observe(step(1, { hiddenGradNorms: through(0) }))).toEqual([]);
    expect(dead.observe(step(2, { hiddenGradNorms: through(Infinity) }))).toEqual([]);
  });

  it('tells ||W_hh|| crossing 1 and most units saturating', () => {
    const narrator = new Narrator(NO_CLIP, rnn);
    expect(narrator.observe(step(1, { spectralNorm: [0.98], saturation: [0.1] }))).toEqual([]);
    expect(narrator.observe(step(2, { spectralNorm: [1.02], saturation: [0.6] })).map((e) => e.sentence)).toEqual([
      'Step 2: ||W_hh|| of rnn0 rose above 1 (1.02): backpropagation through time can now amplify the gradient.',
      'Step 2: most hidden units of rnn0 are saturated (60% have |h| > 0.99): tanh passes almost no gradient through them.',
    ]);
    expect(narrator.observe(step(3, { spectralNorm: [0.9] }))[0]?.kind).toBe('spectral-below-1');
  });

  it('writes a run’s summary and compares a pair in words', () => {
    const baseline = new Narrator(NO_CLIP, dense);
    for (let n = 1; n <= 4; n++) baseline.observe(step(n, { loss: 10 ** n, globalNormPre: 10 ** n }));
    expect(baseline.diverged({ step: 5, what: 'loss', value: 'Infinity' }).sentence).toBe(
      'Step 5: the loss became Infinity: the numbers overflowed float32 and the run stopped.',
    );
    const clipped = new Narrator(GLOBAL_1, dense);
    for (let n = 1; n <= 10; n++) {
      clipped.observe(step(n, { loss: 100 / n, clipFraction: 1, globalNormPre: 4, globalNormPost: 1 }));
    }
    expect(summarizeStory(clipped.story(), GLOBAL_1)).toBe(
      'It trained 10 steps. Clipping acted on 10 of 10 steps (100%); there, the step taken was on average 25% of what the gradient asked for. Its batch loss went from 100 to about 10.',
    );
    expect(comparePair(baseline.story(), clipped.story())).toBe(
      'The unclipped run diverged at step 5; the clipped run, from the same weights and batches, stayed finite for all its 10 steps: clipping stopped the explosion.',
    );
    const unclipped = new Narrator(NO_CLIP, dense);
    for (let n = 1; n <= 10; n++) unclipped.observe(step(n, { loss: 1 }));
    const rarely = new Narrator(GLOBAL_1, dense);
    for (let n = 1; n <= 100; n++) {
      rarely.observe(
        step(n, n === 50 ? { loss: 1, clipFraction: 1, globalNormPre: 2, globalNormPost: 1 } : { loss: 1 }),
      );
    }
    expect(comparePair(unclipped.story(), rarely.story())).toBe(
      'Clipping barely acted (on 1 of 100 steps), so the two runs stayed close: a loss of about 1 clipped, 1 without.',
    );
    expect(comparePair(unclipped.story(), clipped.story())).toBe(
      'The clipped run learned more slowly: its steps were on average 4x shorter than the gradient asked for, and its loss ended at about 10 against 1 without clipping.',
    );
  });

  it('compares a race: who diverged, the ranking by final loss, and how much each clipping shortened the steps', () => {
    const run = (clip: ClipConfig, losses: number[], clipped: (n: number) => Partial<StepMetrics> = () => ({})) => {
      const narrator = new Narrator(clip, dense);
      losses.forEach((loss, i) => narrator.observe(step(i + 1, { loss, ...clipped(i + 1) })));
      return narrator;
    };
    const none = run(NO_CLIP, [1, 2, 3, 4]);
    none.diverged({ step: 5, what: 'loss', value: 'Infinity' });
    // Acts on every step, each at 1/4 of the gradient's length.
    // cos 0.5: each of its steps turned 60 degrees away from the gradient.
    const value = run({ ...VALUE_1 }, Array(10).fill(8), () => ({
      clipFraction: 0.5,
      globalNormPre: 4,
      globalNormPost: 1,
      clipCosine: 0.5,
    }));
    // Acts on 2 of 10 steps at 1/2; its final loss (last 10% of steps, i.e. the last one) is 3.
    const global = run(GLOBAL_1, [9, 9, 9, 9, 9, 9, 9, 9, 9, 3], (n) =>
      n <= 2 ? { clipFraction: 1, globalNormPre: 2, globalNormPost: 1, clipCosine: 1 } : {},
    );
    const norm = run({ ...NO_CLIP, mode: 'norm', threshold: 100 }, Array(10).fill(5));
    expect(
      compareRace([
        { name: 'No clipping', clip: NO_CLIP, story: none.story() },
        { name: 'Value ±1', clip: VALUE_1, story: value.story() },
        { name: 'Per-tensor norm 100', clip: { ...NO_CLIP, mode: 'norm', threshold: 100 }, story: norm.story() },
        { name: 'Global norm 1', clip: GLOBAL_1, story: global.story() },
      ]),
    ).toBe(
      'No clipping diverged at step 5. ' +
        'Lowest loss at the end: global norm 1 (about 3), then per-tensor norm 100 (about 5) and value ±1 (about 8). ' +
        'Where clipping acted, the step taken was on average 25% (value ±1, on 10 of 10 steps) and 50% (global norm 1, on 2 of 10 steps) of what the gradient asked for. ' +
        'The direction of the step: value ±1 turned it by 60° on average; global norm 1 kept it exactly. ' +
        'Per-tensor norm 100 never acted.',
    );
    expect(summarizeStory(value.story(), VALUE_1)).toContain(
      'It also turned them: on average 60° away from the direction the gradient pointed.',
    );
    expect(summarizeStory(global.story(), GLOBAL_1)).toContain(
      'It kept the direction of every step: it only shortened them.',
    );
  });
});
