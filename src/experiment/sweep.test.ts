import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, NO_CLIP } from './config.ts';
import {
  DEFAULT_SWEEP,
  cellExperiment,
  clipWithThreshold,
  parseLogRange,
  rangeValues,
  sweepCells,
  sweepRefusal,
} from './sweep.ts';
import { DEFAULT_VIEW, decodeExperiment, encodeExperiment, parseExperiment } from './urlCodec.ts';

describe('sweep ranges', () => {
  it('space N values evenly on a log scale, both ends included', () => {
    // 0.001 to 0.1 in 3: the middle is the geometric mean, 0.01.
    const values = rangeValues({ from: 0.001, to: 0.1, count: 3 });
    expect(values[0]).toBe(0.001);
    expect(values[1]).toBeCloseTo(0.01, 15);
    expect(values[2]).toBeCloseTo(0.1, 15);
    expect(rangeValues({ from: 2, to: 2, count: 1 })).toEqual([2]);
  });

  it.each([
    ['1:0.1:3', 'the range is empty (A = 1 is above B = 0.1)'],
    ['0.001:0.1:1000', 'N must be an integer from 1 to 12 (a 12 x 12 grid at most)'],
    ['0.001:0.1:0', 'N must be an integer from 1 to 12'],
    ['0.001:0.1:2.5', 'N must be an integer from 1 to 12'],
    ['0:0.1:3', 'A and B must be positive numbers'],
    ['0.1:0.1:3', '3 values from 0.1 to 0.1 are all the same; use N = 1'],
    ['fast', 'write it as A:B:N'],
    ['1:2:3:4', 'write it as A:B:N'],
    ['Infinity:1e400:2', 'write it as A:B:N'],
  ])('refuses %s: %s', (text, why) => {
    const parsed = parseLogRange(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.why).toContain(why);
  });

  it('makes the cells row by row, each row ending with the unclipped column', () => {
    expect(sweepCells([0.01, 0.1], [1, 10])).toEqual([
      { lr: 0.01, clip: 1 },
      { lr: 0.01, clip: 10 },
      { lr: 0.01, clip: null },
      { lr: 0.1, clip: 1 },
      { lr: 0.1, clip: 10 },
      { lr: 0.1, clip: null },
    ]);
  });

  it("sets the threshold in the experiment's own clipping mode", () => {
    const value = { ...NO_CLIP, mode: 'value' as const };
    expect(clipWithThreshold(value, 0.5)).toMatchObject({ mode: 'value', min: -0.5, max: 0.5 });
    expect(clipWithThreshold({ ...NO_CLIP, mode: 'global', normType: 'inf' }, 3)).toMatchObject({
      mode: 'global',
      threshold: 3,
      normType: 'inf',
    });
    expect(clipWithThreshold(value, null)).toEqual(NO_CLIP);
    expect(sweepRefusal({ ...DEFAULT_CONFIG, clip: NO_CLIP })).toMatch(/^clip=none: /);
    expect(sweepRefusal(DEFAULT_CONFIG)).toBeNull();
  });

  it('opens a cell as the pair at its learning rate and threshold, for the sweep’s steps', () => {
    const opened = cellExperiment({ ...DEFAULT_CONFIG, pair: false }, { lr: 0.02, clip: 3 }, 60);
    expect(opened).toMatchObject({ lr: 0.02, steps: 60, pair: true, clip: { mode: 'value', min: -3, max: 3 } });
    expect(cellExperiment(DEFAULT_CONFIG, { lr: 0.02, clip: null }, 60).clip).toEqual(DEFAULT_CONFIG.clip);
  });
});

describe('sweep links', () => {
  it('carry the grid and the steps, and leave the defaults out', () => {
    const view = {
      ...DEFAULT_VIEW,
      page: 'sweep' as const,
      sweep: { lr: { from: 0.01, to: 0.3, count: 3 }, clip: { from: 0.5, to: 5, count: 3 }, steps: 60 },
    };
    const query = encodeExperiment(DEFAULT_CONFIG, 'dense-explode', view);
    expect(query).toBe(
      'v=1&preset=dense-explode&page=sweep&sweepLr=0.01%3A0.3%3A3&sweepClip=0.5%3A5%3A3&sweepSteps=60',
    );
    const decoded = decodeExperiment(query);
    expect(decoded.issues).toEqual([]);
    expect(decoded.view).toEqual(view);
    expect(decodeExperiment('v=1&page=sweep&sweepLr=0.01:0.3:3').view.sweep.lr).toEqual(view.sweep.lr);
    expect(encodeExperiment(DEFAULT_CONFIG, 'dense-explode', { ...DEFAULT_VIEW, page: 'sweep' })).toBe(
      'v=1&preset=dense-explode&page=sweep',
    );
  });

  it('refuse a bad grid by name and limit, and use the defaults', () => {
    const { view, issues } = decodeExperiment('v=1&page=sweep&sweepLr=1:0.1:3&sweepClip=0.1:10:1000&sweepSteps=0');
    expect(view.page).toBe('sweep');
    expect(view.sweep).toEqual(DEFAULT_SWEEP);
    expect(issues.map((i) => i.param)).toEqual(['sweepLr', 'sweepClip', 'sweepSteps']);
    expect(issues[0]?.message).toBe('the range is empty (A = 1 is above B = 0.1); used 0.001:0.3:6');
    expect(issues[1]?.message).toContain('N must be an integer from 1 to 12');
    expect(issues[2]?.message).toBe("allowed: an integer from 1 to 100000; used the experiment's steps");
    expect(parseExperiment('v=1&sweepLr=1:0.1:3').ok).toBe(false);
  });
});
