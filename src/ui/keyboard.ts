/**
 * Keys for the runs: Space plays and pauses, the right arrow takes one step, R resets (on a teacher's locked
 * page, back to the teacher's settings). None of them while the focus is in a text field, a select or a
 * textarea, or with a modifier key held; Space is left alone on buttons and links, which it presses itself.
 */
import { useLab } from '../store/labStore.ts';
import { pause, play, stepOnce } from '../store/session.ts';
import { resetLab } from './linkSync.ts';

/** Where a key belongs to the element: typing, choosing, sliding. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target.closest('input, select, textarea, [contenteditable=""], [contenteditable="true"]') !== null;
}

/** Where Space already means "press this". */
function pressesItself(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.closest('button, a[href], summary, [role=button], [role=tab], [role=checkbox], [role=link]') !== null;
}

/** The action of a key press, or null when the key is not the lab's here. */
export function keyAction(event: KeyboardEvent): (() => void) | null {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
  if (isEditable(event.target)) return null;
  if (useLab.getState().view.page !== 'runs') return null;
  switch (event.key) {
    case ' ':
    case 'Spacebar':
      if (pressesItself(event.target) || event.repeat) return null;
      return () => (useLab.getState().playing ? pause() : play());
    case 'ArrowRight':
      if (event.shiftKey) return null;
      return stepOnce;
    case 'r':
    case 'R':
      if (event.shiftKey || event.repeat) return null;
      return resetLab;
    default:
      return null;
  }
}

/** Listens for the lab's keys on the whole page; returns the function that stops listening. */
export function startKeyboard(): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    const action = keyAction(event);
    if (!action) return;
    // Space would scroll the page, the arrow scroll it sideways.
    event.preventDefault();
    action();
  };
  window.addEventListener('keydown', onKeyDown);
  return () => window.removeEventListener('keydown', onKeyDown);
}
