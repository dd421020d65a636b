/**
 * "Link for students": which groups the student link locks, the link itself (every setting of the page's
 * experiment, experiment/studentLink.ts), and, said plainly, that locks are a convenience, not security. The form
 * (StudentLinkForm.tsx) is fetched when the panel is first opened. Beside it, on an unlocked page, "Write a lesson"
 * (LessonEditor.tsx): the student link carries the lesson.
 */
import { lazy } from 'react';
import { useLab } from '../store/labStore.ts';
import { OpenedDetails } from '../widgets/OpenedDetails.tsx';
import { LessonEditor } from './LessonEditor.tsx';
import { LazyPart } from './LoadBoundary.tsx';

const StudentLinkForm = lazy(() => import('./StudentLinkForm.tsx').then((m) => ({ default: m.StudentLinkForm })));

export function StudentLinkPanel({ onCopy }: { onCopy: (link: string) => void }) {
  // A link opened with other locks (a pasted one) starts the ticks again from its own.
  const lockKey = useLab((s) => s.view.locked.join(','));
  return (
    <>
      <LessonEditor />
      <OpenedDetails className="student-link-panel" summary={<summary>Link for students</summary>}>
        <LazyPart what="the student link">
          <StudentLinkForm key={lockKey} onCopy={onCopy} />
        </LazyPart>
      </OpenedDetails>
    </>
  );
}
