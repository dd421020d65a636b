/**
 * Whether the page is being printed: from `beforeprint` to `afterprint`. Printing lays the page out right after
 * `beforeprint`, before any animation frame: a chart must be drawn and painted in the event itself, every chart,
 * on screen or not. Listened for once, as this module loads, so it is known before any chart's own listener runs.
 */
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

let printing = false;

if (typeof window !== 'undefined') {
  window.addEventListener('beforeprint', () => {
    printing = true;
  });
  window.addEventListener('afterprint', () => {
    printing = false;
  });
}

export function isPrinting(): boolean {
  return printing;
}

/**
 * Whether the page is being printed, as state: the caller renders again, synchronously, in the print event. A
 * chart frozen out of view, or a value React defers while training, would otherwise print what it was when it
 * scrolled away (or, drawn for the print, its first steps).
 */
export function usePrinting(): boolean {
  const [now, setNow] = useState(isPrinting);
  useEffect(() => {
    const before = () => flushSync(() => setNow(true));
    const after = () => setNow(false);
    window.addEventListener('beforeprint', before);
    window.addEventListener('afterprint', after);
    return () => {
      window.removeEventListener('beforeprint', before);
      window.removeEventListener('afterprint', after);
    };
  }, []);
  return now;
}
