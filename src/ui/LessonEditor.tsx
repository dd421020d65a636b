/**
 * "Write a lesson", offered only on an unlocked page: on a teacher's locked link the student sees the lesson and
 * cannot edit it here (locks are a convenience, not security: the link itself can still be edited). The form
 * (LessonForm.tsx) is fetched when the panel is first opened: few visits write a lesson.
 */
import { lazy } from 'react';
import { useLab } from '../store/labStore.ts';
import { OpenedDetails } from '../widgets/OpenedDetails.tsx';
import { LazyPart } from './LoadBoundary.tsx';

const LessonForm = lazy(() => import('./LessonForm.tsx').then((m) => ({ default: m.LessonForm })));

export function LessonEditor() {
  const locked = useLab((s) => s.view.locked.length > 0);
  if (locked) return null;
  return (
    <OpenedDetails className="lesson-editor" summary={<summary>Write a lesson</summary>}>
      <LazyPart what="the lesson editor">
        <LessonForm />
      </LazyPart>
    </OpenedDetails>
  );
}
