/**
 * Whether the page is being printed: from `beforeprint` to `afterprint`. Printing lays the page out right after
 * `beforeprint`, before any animation frame: a chart must be drawn and painted in the event itself, every chart,
 * on screen or not. Listened for once, as this module loads, so it is known before any chart's own listener runs.
 */
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
