import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileQuery } from '../../test/support/hostileLinks.ts';
import { PRESET_IDS } from './presets.ts';
import {
  DEFAULT_STUDENT_LOCKS,
  orderedLocks,
  startingStudentLocks,
  studentLinkQuery,
  type LinkState,
} from './studentLink.ts';
import { ALL_LOCK_GROUPS, decodeExperiment, encodeExperiment, type AnyLockGroup } from './urlCodec.ts';

/** Links a teacher might hand out: a clipped baseline, a race, a knob schedule, the sweep, the cliff, a lesson. */
const HAND_MADE = [
  'v=1&preset=dense-explode&baseClip=value&baseClipMin=-5&baseClipMax=5&lock=baseClip,clip,presets',
  'v=1&preset=dense-explode&baseClip=global-tf&baseClipNorm=2&run3=norm:1&run4=global:0.5:inf&lock=all',
  'v=1&preset=dense-explode&seed=7&baseClip=norm&baseClipNorm=3&knobs=120:clip=norm:0.1;200:lr=0.01;200:baseClip=value:3&lock=training',
  'v=1&preset=dense-explode&run3=value:-2:2&knobs=50:run3=none;60:lr=0.2&lock=clip,baseClip',
  'v=1&preset=lstm-tf&model=gru&optimizer=adam&lr=0.003&pair=0&clip=global&clipNorm=0.5&normType=inf&lock=optimizer',
  'v=1&preset=dense-explode&page=sweep&sweepLr=0.001:1:5&sweepClip=0.1:10:4&sweepSteps=50&lock=pages,presets',
  'v=1&preset=dense-explode&page=cliff&cliffT=12&cliffW=1.5&cliffLr=0.3&lock=cliff',
  'v=1&preset=dense-explode&tour=3&baseClip=value&baseClipMax=0.5&baseClipMin=-0.5&lock=tour',
];

/** The page's experiment after opening `link`: what the panel builds the student link from. */
function opened(link: string): LinkState {
  const { config, preset, view, cliff } = decodeExperiment(link);
  return { config, preset, view, cliff };
}

/** The student link opens the same experiment, locked as chosen, and writes every key the page's own link writes. */
function expectKept(page: LinkState, locks: readonly AnyLockGroup[]): void {
  const query = studentLinkQuery(page, locks);
  const student = decodeExperiment(query);
  expect(student.issues).toEqual([]);
  expect(student.config).toEqual(page.config);
  expect(student.preset).toBe(page.preset);
  expect(student.cliff).toEqual(page.cliff);
  expect({ ...student.view, locked: [] }).toEqual({ ...page.view, locked: [] });
  expect(student.view.locked).toEqual(orderedLocks(locks));
  const own = new URLSearchParams(encodeExperiment(page.config, page.preset, { ...page.view, locked: [] }, page.cliff));
  const written = new URLSearchParams(query);
  written.delete('lock');
  expect([...written]).toEqual([...own]);
  // The student's page writes the student link back unchanged.
  expect(encodeExperiment(student.config, student.preset, student.view, student.cliff)).toBe(query);
}

describe('the student link', () => {
  it.each(HAND_MADE)('from a locked link keeps its settings and its own locks: %s', (link) => {
    const page = opened(link);
    expect(decodeExperiment(link).issues).toEqual([]);
    // The panel's ticks start from the link's locks, so the student link locks what the teacher's did.
    const ticks = startingStudentLocks(page.view.locked);
    expect(ticks).toEqual(orderedLocks(page.view.locked));
    expectKept(page, ticks);
    expect(decodeExperiment(studentLinkQuery(page, ticks)).view.locked).toEqual(orderedLocks(page.view.locked));
  });

  it("from a presenter's page (present=1) is not in presenter mode, and otherwise the same link", () => {
    const page = opened('#v=1&preset=dense-explode&tour=3&present=1&lock=tour');
    expect(page.view.present).toBe(true);
    const query = studentLinkQuery(page, ['tour']);
    expect(query).toBe('v=1&preset=dense-explode&tour=3&lock=tour');
    expect(decodeExperiment(query).view.present).toBe(false);
  });

  it('keeps a clipped baseline and locks it (it dropped the baseline lock when the ticks started from defaults)', () => {
    const page = opened('#v=1&preset=dense-explode&baseClip=value&baseClipMin=-5&baseClipMax=5&lock=baseClip,clip');
    const query = studentLinkQuery(page, startingStudentLocks(page.view.locked));
    expect(query).toBe('v=1&preset=dense-explode&baseClip=value&baseClipMin=-5&baseClipMax=5&lock=clip%2CbaseClip');
    const student = decodeExperiment(query);
    expect(student.config.baseClip).toEqual({ mode: 'value', min: -5, max: 5, threshold: 1, normType: '2' });
    expect(student.view.locked).toEqual(['clip', 'baseClip']);
  });

  it('on an unlocked page starts from the default locks: the settings and the ways out, not the clippings', () => {
    expect(startingStudentLocks([])).toEqual([...DEFAULT_STUDENT_LOCKS]);
    expect(startingStudentLocks([])).not.toContain('baseClip');
    expect(startingStudentLocks(['pages', 'baseClip', 'pages'])).toEqual(['baseClip', 'pages']);
  });

  it('keeps every setting over the presets, the hand-made links and hostile links, with any locks', () => {
    const link = fc.oneof(
      fc.constantFrom(...PRESET_IDS).map((id) => `v=1&preset=${id}`),
      fc.constantFrom(...HAND_MADE),
      hostileQuery,
    );
    fc.assert(
      fc.property(link, fc.subarray([...ALL_LOCK_GROUPS]), (l, locks) => expectKept(opened(l), locks)),
      { numRuns: 400 },
    );
  });
});
