/**
 * The link a teacher hands to students: the experiment as the page holds it, every setting the link codec writes
 * (both clippings, a race's runs, the knob schedule, the seed, the page, tour, sweep and cliff), with the groups the
 * teacher ticked locked. Locks are a convenience, not security: they only change how the page shows the experiment,
 * and a student who edits the link (drops `lock=`) or opens the lab without it has every control back.
 */
import {
  ALL_LOCK_GROUPS,
  NAV_LOCK_GROUPS,
  encodeExperiment,
  type AnyLockGroup,
  type DecodedExperiment,
} from './urlCodec.ts';

/** What the page holds of an experiment: all a link carries. */
export type LinkState = Pick<DecodedExperiment, 'config' | 'preset' | 'view' | 'cliff'>;

/** On an unlocked page, a student link keeps the student in this experiment: its settings and the ways out. */
export const DEFAULT_STUDENT_LOCKS: readonly AnyLockGroup[] = [
  'model',
  'data',
  'optimizer',
  'training',
  ...NAV_LOCK_GROUPS,
];

/** The locks in the order the form lists them (and `lock=` writes them), each once. */
export function orderedLocks(locks: readonly AnyLockGroup[]): AnyLockGroup[] {
  return ALL_LOCK_GROUPS.filter((g) => locks.includes(g));
}

/** The ticks the form starts from: a locked page's own locks (the teacher's link), else the defaults. */
export function startingStudentLocks(pageLocks: readonly AnyLockGroup[]): AnyLockGroup[] {
  return orderedLocks(pageLocks.length > 0 ? pageLocks : DEFAULT_STUDENT_LOCKS);
}

/** The student link's query (without `#`): the page's experiment and view, locked as given, not in presenter mode. */
export function studentLinkQuery(state: LinkState, locks: readonly AnyLockGroup[]): string {
  const { config, preset, view, cliff } = state;
  // Presenter mode is the teacher's projector, not the students' screens.
  return encodeExperiment(config, preset, { ...view, locked: orderedLocks(locks), present: false }, cliff);
}
