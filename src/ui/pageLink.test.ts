import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIFF } from '../experiment/cliff.ts';
import { embedLinkQuery, iframeSnippet } from '../experiment/embed.ts';
import { PRESETS } from '../experiment/presets.ts';
import { studentLinkQuery } from '../experiment/studentLink.ts';
import { DEFAULT_VIEW, encodeExperiment } from '../experiment/urlCodec.ts';
import { pageLink } from './pageLink.ts';

const PAGE = {
  config: PRESETS['dense-explode'].config,
  preset: 'dense-explode' as const,
  view: DEFAULT_VIEW,
  cliff: DEFAULT_CLIFF,
};

describe('links the page writes lead back to its own address', () => {
  it('keeps a sub-path and replaces the hash with the experiment', () => {
    expect(pageLink('https://school.example/labs/gradient-lab/#v=1&preset=rnn-scale', 'v=1&preset=dense-explode')).toBe(
      'https://school.example/labs/gradient-lab/#v=1&preset=dense-explode',
    );
  });

  it('keeps the page file, the port and the path of a page opened as index.html', () => {
    expect(pageLink('http://127.0.0.1:8080/a/b/index.html', 'v=1&preset=dense-explode')).toBe(
      'http://127.0.0.1:8080/a/b/index.html#v=1&preset=dense-explode',
    );
  });

  it('drops a `?v=1&...` query, read into the hash already, so the link holds the experiment once', () => {
    expect(pageLink('https://user.github.io/gradient-lab/?v=1&preset=rnn-scale', 'v=1&preset=rnn-scale')).toBe(
      'https://user.github.io/gradient-lab/#v=1&preset=rnn-scale',
    );
  });

  it('at the root of a host, the root', () => {
    expect(pageLink('https://lab.example/', 'v=1&preset=dense-explode')).toBe(
      'https://lab.example/#v=1&preset=dense-explode',
    );
  });

  it('a build opened from disk links to that file', () => {
    expect(pageLink('file:///home/teacher/dist/index.html', 'v=1')).toBe('file:///home/teacher/dist/index.html#v=1');
  });

  it('the share, student and embed links of a page under a sub-path all start with its address', () => {
    const here = 'https://school.example/labs/gradient-lab/#v=1&preset=dense-explode';
    const base = 'https://school.example/labs/gradient-lab/#';
    const share = pageLink(here, encodeExperiment(PAGE.config, PAGE.preset, PAGE.view, PAGE.cliff));
    const student = pageLink(here, studentLinkQuery(PAGE, ['model']));
    const embed = pageLink(here, embedLinkQuery(PAGE));
    expect(share).toBe(`${base}v=1&preset=dense-explode`);
    expect(student).toBe(`${base}v=1&preset=dense-explode&lock=model`);
    expect(embed).toBe(`${base}v=1&preset=dense-explode&embed=1`);
    expect(iframeSnippet({ src: embed, title: 't' })).toContain(
      'src="https://school.example/labs/gradient-lab/#v=1&amp;preset=dense-explode&amp;embed=1"',
    );
  });
});
