import { describe, expect, it } from 'vitest';
import { TOUR } from '../experiment/tour.ts';
import { UNTIMED_CHOICE_TITLE, WATCH_FOR, autoChoiceNote, leadSentences } from './pageWords.ts';

describe('a lesson says at most two sentences above its charts', () => {
  it('splits after the second sentence, keeping every word', () => {
    expect(leadSentences('Press Play. It explodes at step 5. The run stops there.')).toEqual({
      lead: 'Press Play. It explodes at step 5.',
      rest: 'The run stops there.',
    });
    expect(leadSentences('One. Two! Three? Four.', 1)).toEqual({ lead: 'One.', rest: 'Two! Three? Four.' });
  });

  it('does not break inside a number, after an abbreviation or before a lower-case word', () => {
    const text = 'An MSE of 0.167: the dashed line (e.g. always 1). Below it, it learns. More at t = 1. x.';
    expect(leadSentences(text)).toEqual({
      lead: 'An MSE of 0.167: the dashed line (e.g. always 1). Below it, it learns.',
      rest: 'More at t = 1. x.',
    });
  });

  it('a text of two sentences or fewer is all lead', () => {
    expect(leadSentences('Only one.')).toEqual({ lead: 'Only one.', rest: '' });
    expect(leadSentences('One. Two.')).toEqual({ lead: 'One. Two.', rest: '' });
  });

  it.each([...TOUR.map((l) => [`lesson ${l.n}`, l.lookFor]), ...Object.entries(WATCH_FOR)])(
    '%s: lead and rest are the text, and the lead is at most two sentences',
    (_, text) => {
      const { lead, rest } = leadSentences(text);
      expect(rest === '' ? lead : `${lead} ${rest}`).toBe(text);
      expect([...lead.matchAll(/[.!?](\s|$)/g)].length).toBeLessThanOrEqual(2 + (lead.match(/e\.g\. /g)?.length ?? 0));
    },
  );
});

describe("Auto's note beside the speed", () => {
  const forNow = {
    state: 'chosen',
    sentence: 'WASM for now (this model size is not timed yet); WASM and WebGL are timed once no run is training',
    timings: [],
    cached: false,
  } as const;
  const timed = (cached: boolean) =>
    ({
      state: 'chosen',
      sentence: 'WASM chosen: 132 steps/s, WebGL under 3.1 steps/s (software-rendered)',
      timings: [{}, {}],
      cached,
    }) as const;

  it('says nothing before any worker has a choice, and that it is timing while one times', () => {
    expect(autoChoiceNote([])).toBeNull();
    expect(autoChoiceNote([forNow, { state: 'timing' }])?.text).toMatch(/^Timing WASM and WebGL/);
  });

  it('two runs not timed yet: what Auto does for now, once', () => {
    expect(autoChoiceNote([forNow, forNow])).toEqual({ text: `Auto: ${forNow.sentence}`, title: UNTIMED_CHOICE_TITLE });
  });

  it('one run timed (it ended first), the other still on its first choice: only the measurement is said', () => {
    const note = autoChoiceNote([timed(false), forNow]);
    expect(note?.text).toBe(`Auto's trial, one run alone: ${timed(false).sentence}`);
    expect(note?.text).not.toContain('not timed yet');
    expect(note?.title).toContain('Measured just now');
  });

  it('a choice remembered from an earlier run says so in its hover text', () => {
    expect(autoChoiceNote([timed(true), timed(true)])?.title).toContain('earlier run');
    expect(autoChoiceNote([timed(true), timed(false)])?.title).toContain('Measured just now');
  });
});
