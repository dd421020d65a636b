/**
 * What followed a knob, from hand-made records whose step lengths are known: each step here has one parameter of
 * norm 2 before the update, so an update ratio r is a step of length 2r.
 */
import { describe, expect, it } from 'vitest';
import { NO_CLIP } from '../experiment/config.ts';
import type { RunLayout, StepMetrics } from '../train/metrics.ts';
import { KNOB_WINDOW, knobClaim, stepLength, turnWords, type KnobTurn } from './knobClaims.ts';
import { Narrator } from './narrator.ts';

const LAYOUT: RunLayout = {
  params: [{ name: 'fc1.weight', layer: 'fc1', size: 10 }],
  layers: ['fc1'],
  hiddenLayers: 0,
  timeSteps: 0,
  classifier: false,
};

/** Step `step`, moving the weights by `length`. */
function stepOf(step: number, length: number): StepMetrics {
  return {
    step,
    epoch: 1,
    loss: 1,
    accuracy: -1,
    globalNormPre: 1,
    globalNormPost: 1,
    clipFraction: 0,
    clipScale: 1,
    layerNormPre: [1],
    layerNormPost: [1],
    gradNormPre: [1],
    gradNormPost: [1],
    weightNorm: [2],
    updateRatio: [length / 2],
  } as unknown as StepMetrics;
}

/** Steps from..to (inclusive), each of `length`. */
function steps(from: number, to: number, length: number): StepMetrics[] {
  return Array.from({ length: to - from + 1 }, (_, i) => stepOf(from + i, length));
}

const LR_TURN: KnobTurn = { step: 20, knob: 'lr', from: 0.07, to: 0.007 };

describe('the length of a step, from the record', () => {
  it('is the root of the sum of every parameter update squared: 3 and 4 make 5', () => {
    const m = { ...stepOf(1, 0), updateRatio: [0.5, 1], weightNorm: [6, 4] } as StepMetrics;
    expect(stepLength(m)).toBe(5);
  });

  it('undoes the floor a zero parameter was divided by (a bias starting at 0)', () => {
    const m = { ...stepOf(1, 0), updateRatio: [2e8], weightNorm: [0] } as StepMetrics;
    expect(stepLength(m)).toBeCloseTo(2, 12);
  });

  it('is NaN for a step whose figures are not finite', () => {
    expect(stepLength({ ...stepOf(1, 0), updateRatio: [Infinity] } as StepMetrics)).toBeNaN();
  });
});

describe('what followed a knob', () => {
  it('ten times shorter steps after the learning rate went down tenfold', () => {
    const said = knobClaim(LR_TURN, steps(1, 20, 1), steps(21, 30, 0.1), null);
    expect(said?.text).toBe(
      'After the learning rate went from 0.07 to 0.007 at step 20, the steps got 10x shorter (median step length 1 over the 10 steps before, 0.1 over the 10 after).',
    );
    expect(said?.figures.map((f) => [f.metric, f.value, f.printed, f.step])).toEqual([
      ['stepLengthBefore', 1, '1', 20],
      ['stepLengthAfter', 0.1, '0.1', 20],
      ['stepLengthChange', 10, '10x', 20],
    ]);
  });

  it('the medians: a spike on either side does not move them', () => {
    const before = steps(1, 20, 1);
    before[15] = stepOf(16, 1e6);
    const after = steps(21, 30, 0.25);
    after[3] = stepOf(24, 1e-9);
    expect(knobClaim(LR_TURN, before, after, null)?.figures.at(-1)?.value).toBe(4);
  });

  it('longer steps, said as longer', () => {
    const turn: KnobTurn = {
      step: 5,
      knob: 'clip',
      from: { ...NO_CLIP, mode: 'norm', threshold: 0.1 },
      to: { ...NO_CLIP, mode: 'norm', threshold: 1 },
    };
    expect(knobClaim(turn, steps(1, 5, 0.1), steps(6, 15, 0.5), null)?.text).toBe(
      'After the clip threshold went from 0.1 to 1 at step 5, the steps got 5x longer (median step length 0.1 over the 5 steps before, 0.5 over the 10 after).',
    );
  });

  it('steps about as long: no "shorter" or "longer" inside a factor of 1.25', () => {
    const said = knobClaim(LR_TURN, steps(1, 20, 1), steps(21, 30, 0.9), null);
    expect(said?.text).toContain('the steps stayed about as long');
    expect(said?.figures.map((f) => f.metric)).toEqual(['stepLengthBefore', 'stepLengthAfter']);
  });

  it('says nothing until the ten steps after are in, nor for a change with under three steps before it', () => {
    expect(knobClaim(LR_TURN, steps(1, 20, 1), steps(21, 20 + KNOB_WINDOW - 1, 0.1), null)).toBeNull();
    expect(knobClaim({ ...LR_TURN, step: 2 }, steps(1, 2, 1), steps(3, 12, 0.1), null)).toBeNull();
  });

  it('a divergence within the ten steps after is what followed', () => {
    const said = knobClaim({ ...LR_TURN, to: 5 }, steps(1, 20, 1), steps(21, 23, 30), {
      step: 24,
      what: 'loss',
      value: 'Infinity',
    });
    expect(said?.text).toBe('After the learning rate went from 0.07 to 5 at step 20, the run diverged at step 24.');
  });

  it('names the knob in words: a bound, a threshold, or a new clipping', () => {
    const value = (c: number) => ({ ...NO_CLIP, mode: 'value' as const, min: -c, max: c });
    expect(turnWords({ step: 1, knob: 'clip', from: value(1), to: value(0.1) })).toBe(
      'the clip bound went from ±1 to ±0.1',
    );
    expect(
      turnWords({
        step: 1,
        knob: 'run3',
        from: { ...NO_CLIP, mode: 'global' },
        to: { ...NO_CLIP, mode: 'global', threshold: 0.5 },
      }),
    ).toBe("the third run's clip threshold went from 1 to 0.5");
    expect(turnWords({ step: 1, knob: 'clip', from: value(1), to: { ...NO_CLIP, mode: 'norm', threshold: 2 } })).toBe(
      'the clipping went from "Value ±1" to "Per-tensor norm 2"',
    );
    expect(turnWords({ step: 1, knob: 'lr', from: null, to: 0.5 })).toBe('the learning rate went to 0.5');
  });
});

describe('the narrator tells it', () => {
  it('as an event at the step of the change, once the ten steps after are in, with the rate it started with', () => {
    const narrator = new Narrator(NO_CLIP, LAYOUT, 0.07);
    for (const m of steps(1, 20, 1)) narrator.observe(m);
    narrator.knob({ step: 20, knob: 'lr', lr: 0.007 });
    const told = steps(21, 30, 0.1).flatMap((m) => narrator.observe(m));
    expect(told.map((e) => [e.step, e.kind])).toEqual([[20, 'knob']]);
    expect(told[0]?.sentence).toMatch(
      /^Step 20: After the learning rate went from 0\.07 to 0\.007 at step 20, the steps got 10x shorter/,
    );
    expect(narrator.story().events.filter((e) => e.kind === 'knob')).toHaveLength(1);
  });

  it('a clipping turned from none starts the narrator counting the clipped steps', () => {
    const narrator = new Narrator(NO_CLIP, LAYOUT, 0.07);
    narrator.observe({ ...stepOf(1, 1), clipFraction: 0.5 } as StepMetrics);
    expect(narrator.story().clippedSteps).toBe(0);
    narrator.knob({ step: 1, knob: 'clip', clip: { ...NO_CLIP, mode: 'norm', threshold: 0.5 } });
    narrator.observe({ ...stepOf(2, 1), clipFraction: 0.5, globalNormPost: 0.5 } as StepMetrics);
    expect(narrator.story().clippedSteps).toBe(1);
  });

  it('a divergence soon after a change: both are told', () => {
    const narrator = new Narrator(NO_CLIP, LAYOUT, 0.07);
    for (const m of steps(1, 10, 1)) narrator.observe(m);
    narrator.knob({ step: 10, knob: 'lr', lr: 9 });
    narrator.observe(stepOf(11, 50));
    narrator.diverged({ step: 12, what: 'loss', value: 'Infinity' });
    expect(narrator.story().events.map((e) => e.sentence)).toEqual([
      'Step 12: the loss became Infinity: the numbers overflowed float32 and the run stopped.',
      'Step 10: After the learning rate went from 0.07 to 9 at step 10, the run diverged at step 12.',
    ]);
  });
});
