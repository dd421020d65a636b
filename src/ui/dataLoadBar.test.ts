/** The MNIST progress bar: absent without a download, a labelled <progress> of the bytes while one runs. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataLoadNotice } from './DataLoadBar.tsx';

const render = (load: Parameters<typeof DataLoadNotice>[0]['load']) =>
  renderToStaticMarkup(createElement(DataLoadNotice, { load }));

describe('DataLoadNotice', () => {
  it('shows nothing while no data downloads', () => {
    expect(render(null)).toBe('');
  });

  it('labels a <progress> whose value and max are the bytes received and expected', () => {
    const html = render({ loadedBytes: 3_140_000, totalBytes: 11_258_574 });
    const label = /<label for="([^"]+)">Loading MNIST digits: 3.1 of 11 MB<\/label>/.exec(html);
    expect(label).not.toBeNull();
    expect(html).toContain(`<progress id="${label?.[1]}" max="11258574" value="3140000"></progress>`);
  });

  it('without a known total, an indeterminate bar (no value) and the bytes so far', () => {
    const html = render({ loadedBytes: 3_140_000, totalBytes: null });
    expect(html).toContain('Loading MNIST digits: 3.1 MB so far');
    expect(html).toMatch(/<progress id="[^"]+"><\/progress>/);
  });
});
