/**
 * A student's prediction, kept in the browser's local storage under the lesson's key (experiment/lesson.ts
 * predictionKey), so a reload finds it again. Storage is a nicety: where it is denied (a cross-site frame, a private
 * window, a full disk) or throws, the prediction lives on in the page only and nothing breaks.
 */

function storage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null; // reading `localStorage` itself throws where storage is denied
  }
}

/** The choice kept for this lesson (its text), or null. */
export function loadPrediction(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Keeps the choice; says whether it was kept (false where storage is denied). */
export function savePrediction(key: string, choice: string): boolean {
  try {
    const s = storage();
    if (!s) return false;
    s.setItem(key, choice);
    return true;
  } catch {
    return false;
  }
}
