import { describe, expect, it } from 'vitest';
import { storageProblem, withoutStop } from './storageProblem.ts';

describe('why the history is not kept, in plain words', () => {
  it.each([
    // Chromium's own words for a cross-site frame in a private-style window, IndexedDB then the Locks API.
    [
      new DOMException('The user denied permission to access the database.', 'UnknownError'),
      'refused this page its storage',
    ],
    [new DOMException('The request was denied.', 'SecurityError'), 'refused this page its storage'],
    [new DOMException('Quota exceeded.', 'QuotaExceededError'), 'storage is full'],
    [
      new DOMException('The transaction was aborted, so the request cannot be fulfilled.', 'AbortError'),
      'The transaction was aborted, so the request cannot be fulfilled',
    ],
    [new Error('this browser has no IndexedDB'), 'this browser has no IndexedDB'],
    ['a string.', 'a string'],
    [{}, 'the browser gave no reason'],
  ])('%s -> %s, with no stop of its own', (error, words) => {
    const text = storageProblem(error);
    expect(text).toContain(words);
    expect(text).not.toMatch(/\.$/);
  });

  it('drops a closing stop so a sentence never ends ".."', () => {
    expect(withoutStop('The request was denied. ')).toBe('The request was denied');
    expect(`${withoutStop('done...')}.`).toBe('done.');
    expect(withoutStop('no stop')).toBe('no stop');
  });
});
