import { describe, expect, it } from 'vitest';
import { TOUR } from '../experiment/tour.ts';
import { WATCH_FOR, leadSentences } from './pageWords.ts';

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
