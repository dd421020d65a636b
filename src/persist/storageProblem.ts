/**
 * Why the browser would not keep the run history, in plain words, for the one sentence the history shows. The
 * browsers' own messages end with a full stop and name no cause a student can act on ("The user denied permission to
 * access the database."), so the common cases are named here and anything else is quoted without its stop.
 */
export function storageProblem(error: unknown): string {
  // A DOMException is an Error in browsers but not in every runtime: read its name and message as plain fields.
  const field = (key: 'name' | 'message'): string => {
    const value = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' ? value : '';
  };
  const name = field('name');
  const message = field('message') || (typeof error === 'object' ? '' : String(error));
  if (name === 'QuotaExceededError' || /quota/i.test(message))
    return "this site's share of the browser's storage is full";
  if (name === 'SecurityError' || /denied|not allowed|permission/i.test(message))
    return 'the browser refused this page its storage (private windows and pages embedded in another site may)';
  return withoutStop(message) || 'the browser gave no reason';
}

/** A sentence's own closing stop, dropped so the text can sit inside another sentence without "..". */
export function withoutStop(text: string): string {
  return text.trim().replace(/[.!]+$/u, '');
}
