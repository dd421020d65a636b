/**
 * A sweep's JSON file: written and read back, every number is the same (NaN and the infinities too, which JSON cannot
 * hold); a broken or hostile file is refused with one sentence naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import { sweepGrid, type SweepSettings } from '../experiment/sweep.ts';
import { DEFAULT_VIEW, encodeExperiment } from '../experiment/urlCodec.ts';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import { labFileKind, readLabJson } from './labFile.ts';
import { decodeSweepFile, parseSweepFile, sweepFileName, sweepJson } from './sweepExport.ts';
import type { StoredSweep } from './sweepHistory.ts';

const config = { ...PRESETS['dense-explode'].config, steps: 60 };
const settings: SweepSettings = {
  lr: { from: 0.01, to: 0.1, count: 3 },
  clip: { from: 0.5, to: 5, count: 2 },
  steps: 40,
};

/** A 3 x 2 (+ unclipped) sweep, 9 cells, with awkward figures: a diverged cell, a cell not finished, an infinite minimum. */
function sweep(figures?: (k: number) => Partial<CellOutcome>): StoredSweep {
  const { lr, clip, cells } = sweepGrid(settings);
  return {
    id: 'sweep-abc-1',
    createdAt: 1_700_000_000_123,
    updatedAt: 1_700_000_004_000,
    preset: 'dense-explode',
    link: encodeExperiment(config, 'dense-explode', { ...DEFAULT_VIEW, page: 'sweep', sweep: settings }),
    config,
    settings,
    lr,
    clip,
    steps: 40,
    method: 'batched',
    classifier: false,
    outcomes: cells.map((cell, k): CellOutcome | null => {
      if (k === 4) return null;
      const diverged = k === 8;
      return {
        ...cell,
        divergedAt: diverged ? 7 : null,
        finalLoss: diverged ? NaN : 0.1 + 0.2 + k / 3,
        minLoss: k === 5 ? Infinity : diverged ? NaN : (0.1 + 0.2) / (k + 1),
        testAccuracy: null,
        steps: diverged ? 7 : 40,
        ...figures?.(k),
      };
    }),
    phase: 'finished',
    elapsedMs: 1234.5,
    error: null,
  };
}

/** The file as an object, to break one field of it. */
function fileOf(s: StoredSweep): { format: unknown; version: unknown; sweep: Record<string, unknown> } {
  return JSON.parse(sweepJson(s)) as { format: unknown; version: unknown; sweep: Record<string, unknown> };
}

function refusal(text: string): string {
  try {
    parseSweepFile(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

/** One sentence: no line breaks, no stack, no doubled stop. */
function expectOneSentence(message: string): void {
  expect(message).not.toMatch(/\n|\bat \w+ \(|\.\.|\.\)|\)\)/);
  expect(message.length).toBeLessThan(400);
}

describe('a sweep as JSON', () => {
  it('reads back with the same cells, NaN and Infinity included, and the experiment decoded from its link', () => {
    const original = sweep();
    const text = sweepJson(original);
    // JSON has no NaN or Infinity: they are written as markers, never as null.
    expect(text).toContain('{"nonFinite":"NaN"}');
    expect(text).toContain('{"nonFinite":"Infinity"}');
    expect(text).not.toMatch(/"(finalLoss|minLoss)":null/);
    const back = parseSweepFile(text, original.updatedAt);
    expect(back).toEqual(original);
    expect(Number.isNaN(back.outcomes[8]?.finalLoss)).toBe(true);
    expect(back.outcomes[5]?.minLoss).toBe(Infinity);
    expect(back.outcomes[4]).toBeNull();
    // Written again, it is the same file.
    expect(sweepJson(back)).toBe(text);
  });

  it('keeps any number a cell may hold, to the bit (fast-check)', () => {
    // JSON writes -0 as 0, and a loss is never below zero: the sign of a zero is the one thing not kept.
    const figure = fc
      .oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE))
      .map((v) => (v === 0 ? 0 : v));
    fc.assert(
      fc.property(fc.array(fc.tuple(figure, figure), { minLength: 9, maxLength: 9 }), (pairs) => {
        const original = sweep((k) => ({ finalLoss: pairs[k]?.[0] ?? 0, minLoss: pairs[k]?.[1] ?? 0 }));
        const back = parseSweepFile(sweepJson(original), original.updatedAt);
        back.outcomes.forEach((o, k) => {
          expect(Object.is(o?.finalLoss, original.outcomes[k]?.finalLoss)).toBe(true);
          expect(Object.is(o?.minLoss, original.outcomes[k]?.minLoss)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('reads a classifier and a sweep written while it trained (as interrupted)', () => {
    const original = {
      ...sweep((k) => ({ testAccuracy: k === 8 ? null : k / 12 })),
      classifier: true,
      phase: 'running' as const,
    };
    const back = parseSweepFile(sweepJson(original));
    expect(back.phase).toBe('interrupted');
    expect(back.outcomes.map((o) => o?.testAccuracy)).toEqual(original.outcomes.map((o) => o?.testAccuracy));
  });

  it('names its file by the sweep, without characters a file system may refuse', () => {
    expect(sweepFileName({ id: 'sweep-x:imported-y/../z' })).toBe('sweep-x-imported-y-..-z.json');
  });
});

describe('a sweep file that is not valid', () => {
  const good = () => fileOf(sweep());

  it.each([
    ['cut short', (t: string) => t.slice(0, Math.floor(t.length / 2)), /^the file is not JSON, or not all of it/],
    ['empty', () => '  ', /^the file is empty$/],
    [
      'of another format',
      () => JSON.stringify({ ...good(), format: 'gradient-lab-runs' }),
      /format: .*gradient-lab-sweep/,
    ],
    [
      'a newer version',
      () => JSON.stringify({ ...good(), version: 2 }),
      /^the file is version 2 of the sweep format, newer than this page reads \(version 1\)$/,
    ],
    [
      'a version that is no number',
      () => JSON.stringify({ ...good(), version: '1' }),
      /^the file's version \("1"\) is not one of the sweep format's \(1\)$/,
    ],
  ])('%s is refused', (_, make, expected) => {
    const message = refusal(make(sweepJson(sweep())));
    expect(message).toMatch(expected);
    expectOneSentence(message);
  });

  it.each([
    [
      'a loss written as text',
      (f: Record<string, unknown>) => cell(f, 2, { finalLoss: '0.5' }),
      'sweep.outcomes.2.finalLoss',
    ],
    [
      'a field missing',
      (f: Record<string, unknown>) => delete f['createdAt'],
      'sweep.createdAt: missing, expected number',
    ],
    ['a step that is not whole', (f: Record<string, unknown>) => cell(f, 1, { steps: 39.5 }), 'sweep.outcomes.1.steps'],
    [
      'a NaN learning rate',
      (f: Record<string, unknown>) => (f['lr'] = [{ nonFinite: 'NaN' }, 0.03, 0.1]),
      'sweep.lr.0',
    ],
    ['a 10 MB link', (f: Record<string, unknown>) => (f['link'] = 'v'.repeat(10_000_000)), 'sweep.link: Too big'],
    [
      'a cell moved to another row',
      (f: Record<string, unknown>) => cell(f, 0, { lr: 0.1 }),
      'sweep.outcomes.0.lr: 0.1',
    ],
    [
      'a cell clipped in the unclipped column',
      (f: Record<string, unknown>) => cell(f, 2, { clip: 5 }),
      'sweep.outcomes.2.clip: 5, where its column',
    ],
    [
      'a cell that trained too long',
      (f: Record<string, unknown>) => cell(f, 0, { steps: 41 }),
      "sweep.outcomes.0.steps: 41, more than the sweep's 40",
    ],
    [
      'a cell missing',
      (f: Record<string, unknown>) => (f['outcomes'] as unknown[]).pop(),
      'sweep.outcomes: 8 cells, where 3 learning rates x 3 columns make 9',
    ],
    [
      'axes not those of the link',
      (f: Record<string, unknown>) => (f['clip'] = [0.5, 4]),
      "sweep.clip: [0.5, 4] are not the values of the link's range",
    ],
    [
      'steps not those of the link',
      (f: Record<string, unknown>) => (f['steps'] = 50),
      'sweep.steps: 50, where the link trains 40',
    ],
    [
      'a link the codec refuses',
      (f: Record<string, unknown>) => (f['link'] = 'v=1&preset=dense-explode&lr=-1'),
      'sweep.link: lr:',
    ],
    [
      'a link with no clipping to sweep',
      (f: Record<string, unknown>) => (f['link'] = 'v=1&preset=dense-explode&clip=none'),
      'sweep.link: clip=none',
    ],
  ])('%s is refused, naming the field', (_, breakIt, expected) => {
    const file = good();
    breakIt(file.sweep);
    const message = refusal(JSON.stringify(file));
    expect(message).toContain(expected);
    expect(message.startsWith('the sweep file is not valid (')).toBe(true);
    expectOneSentence(message);
  });

  it('never reads the experiment from the file itself, only from the link', () => {
    const file = good();
    file.sweep['config'] = { ...config, lr: 99, hidden: 100_000 };
    expect(decodeSweepFile(readLabJson(JSON.stringify(file))).config).toEqual(config);
  });
});

function cell(file: Record<string, unknown>, k: number, patch: Record<string, unknown>): void {
  const outcomes = file['outcomes'] as Record<string, unknown>[];
  outcomes[k] = { ...outcomes[k], ...patch };
}

describe('which lab file a file is', () => {
  it('tells runs, run cards and sweeps apart, and refuses anything else in one sentence', () => {
    expect(labFileKind(readLabJson(sweepJson(sweep())))).toBe('sweep');
    expect(labFileKind({ format: 'gradient-lab-runs', version: 1, runs: [] })).toBe('runs');
    expect(labFileKind({ link: 'v=1', side: 'clipped', layout: null, steps: [] })).toBe('runs');
    const refusals = [{ format: 'gradient-lab-sweeps' }, { link: 'v=1' }, [], 'text', null].map((raw) => {
      try {
        labFileKind(raw);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    });
    expect(refusals[0]).toMatch(/^its format is "gradient-lab-sweeps", which is not one of the lab's/);
    expect(refusals[1]).toMatch(/^the file names no format the lab writes/);
    expect(refusals[2]).toMatch(/^the file holds a list, not a lab file/);
    expect(refusals[3]).toMatch(/^the file holds a single value, not a lab file/);
    expect(refusals[4]).toMatch(/^the file holds a single value/);
    for (const message of refusals) expectOneSentence(message);
  });
});
