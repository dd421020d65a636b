/**
 * The body of "Link for students" (StudentLinkPanel.tsx): which groups the student link locks, the link itself
 * (experiment/studentLink.ts), and, said plainly, that locks are a convenience, not security. Fetched when the
 * panel is first opened.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { orderedLocks, startingStudentLocks, studentLinkQuery } from '../experiment/studentLink.ts';
import { ALL_LOCK_GROUPS, type AnyLockGroup } from '../experiment/urlCodec.ts';
import { useLab } from '../store/labStore.ts';
import { linkHref } from './linkSync.ts';

const LOCK_LABELS: Record<AnyLockGroup, string> = {
  model: 'Model',
  data: 'Data',
  optimizer: 'Optimiser',
  training: 'Training',
  clip: 'Clipped run',
  baseClip: 'Baseline run',
  cliff: 'Cliff settings',
  presets: 'Preset menu',
  tour: 'Tour',
  pages: 'Page tabs',
};

/** The ticks and the link; started afresh for each lock the page is opened with (see StudentLinkPanel). */
export function StudentLinkForm({ onCopy }: { onCopy: (link: string) => void }) {
  const pageLocks = useLab((s) => s.view.locked);
  const [locks, setLocks] = useState<AnyLockGroup[]>(() => startingStudentLocks(pageLocks));
  const page = useLab(useShallow((s) => ({ config: s.config, preset: s.preset, view: s.view, cliff: s.cliff })));
  const link = linkHref(studentLinkQuery(page, locks));
  return (
    <>
      <fieldset className="locks" aria-describedby="student-locks-note">
        <legend>Lock these for students</legend>
        {pageLocks.length > 0 && <p className="hint">Ticked as this page&apos;s own link locks them.</p>}
        {ALL_LOCK_GROUPS.map((g) => (
          <label key={g} className="inline">
            <input
              type="checkbox"
              checked={locks.includes(g)}
              onChange={(e) => setLocks(orderedLocks(e.target.checked ? [...locks, g] : locks.filter((x) => x !== g)))}
            />{' '}
            {LOCK_LABELS[g]}
          </label>
        ))}
      </fieldset>
      <p id="student-locks-note" className="hint">
        Locks are a convenience, not security: they make settings read-only and hide menus on the page this link opens,
        but a student can edit the link (delete <code>lock=</code>) or open the lab without it.
      </p>
      <label className="student-link">
        Student link{' '}
        <input type="text" readOnly value={link} onFocus={(e) => e.currentTarget.select()} data-testid="student-link" />
      </label>
      <button type="button" onClick={() => onCopy(link)}>
        Copy student link
      </button>
    </>
  );
}
