/** The new-version notice: absent until a version can be taken; its Reload is refused while a run trains. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { UpdateNotice } from './UpdateBanner.tsx';

const render = (take: (() => void) | null, training: boolean) =>
  renderToStaticMarkup(createElement(UpdateNotice, { take, training }));

describe('UpdateNotice', () => {
  it('says nothing while no new version can be taken', () => {
    expect(render(null, false)).toBe('');
    expect(render(null, true)).toBe('');
  });

  it('offers the reload once a version waits, and refuses it while a run trains, saying why', () => {
    const idle = render(() => {}, false);
    expect(idle).toContain('A new version of Gradient Lab is ready.');
    expect(idle).toMatch(/<button type="button">Reload to use it<\/button>/);
    expect(idle).not.toContain('Pause');
    const training = render(() => {}, true);
    expect(training).toMatch(/<button type="button" disabled="">Reload to use it<\/button>/);
    expect(training).toContain('Pause or let the run finish first.');
  });
});
