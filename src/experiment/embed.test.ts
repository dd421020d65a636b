import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIFF } from './cliff.ts';
import { PRESETS } from './presets.ts';
import { embedLinkQuery, escapeAttribute, fullLinkQuery, iframeSnippet } from './embed.ts';
import { DEFAULT_VIEW, decodeExperiment } from './urlCodec.ts';

const PAGE = {
  config: { ...PRESETS['dense-explode'].config, steps: 40 },
  preset: 'dense-explode' as const,
  view: { ...DEFAULT_VIEW, locked: ['model' as const] },
  cliff: DEFAULT_CLIFF,
};

/** The attributes of the one element in `html`, as a browser's tokenizer would read them (quoted values only). */
function attributesOf(html: string): Map<string, string> {
  const open = /^<iframe((?:\s+[a-z-]+="[^"]*")*)><\/iframe>$/.exec(html);
  if (!open) throw new Error(`not one <iframe> with double-quoted attributes: ${html}`);
  const decode = (v: string) =>
    v
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  return new Map([...(open[1] ?? '').matchAll(/\s+([a-z-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', decode(m[2] ?? '')]));
}

describe('embedding an experiment', () => {
  it('the embed link is the page link with embed=1; "Open in Gradient Lab" is the same without it', () => {
    const embed = embedLinkQuery(PAGE);
    const full = fullLinkQuery({ ...PAGE, view: { ...PAGE.view, embed: true } });
    expect(embed).toBe('v=1&preset=dense-explode&steps=40&lock=model&embed=1');
    expect(full).toBe('v=1&preset=dense-explode&steps=40&lock=model');
    expect(decodeExperiment(embed)).toMatchObject({ config: PAGE.config, view: { ...PAGE.view, embed: true } });
    expect(decodeExperiment(full)).toMatchObject({ config: PAGE.config, view: PAGE.view, issues: [] });
  });

  it("a presenter's page gives an embed link and a full link without present=1", () => {
    const presenting = { ...PAGE, view: { ...PAGE.view, present: true } };
    expect(embedLinkQuery(presenting)).toBe('v=1&preset=dense-explode&steps=40&lock=model&embed=1');
    expect(fullLinkQuery(presenting)).toBe('v=1&preset=dense-explode&steps=40&lock=model&present=1');
  });

  it('escapes every character that could end an attribute or a tag', () => {
    expect(escapeAttribute(`a&b"c'd<e>f`)).toBe('a&amp;b&quot;c&#39;d&lt;e&gt;f');
    // Escaped once: an escaped text is escaped again, not left alone.
    expect(escapeAttribute('&amp;')).toBe('&amp;amp;');
  });

  it('the snippet is one iframe whose src is the link, attribute-escaped, with a size, a title and a sandbox', () => {
    const src = `https://lab.example/gradient-lab/#${embedLinkQuery(PAGE)}`;
    const snippet = iframeSnippet({ src, title: 'Gradient Lab: a dense net "exploding" <b>' });
    expect(snippet).toContain('src="https://lab.example/gradient-lab/#v=1&amp;preset=dense-explode&amp;steps=40');
    expect(snippet).not.toMatch(/&(?!amp;|quot;|#39;|lt;|gt;)/);
    const attributes = attributesOf(snippet);
    expect(attributes.get('src')).toBe(src);
    expect(attributes.get('title')).toBe('Gradient Lab: a dense net "exploding" <b>');
    expect(attributes.get('width')).toBe('720');
    expect(attributes.get('height')).toBe('480');
    const sandbox = attributes.get('sandbox')?.split(' ') ?? [];
    expect(sandbox).toEqual(expect.arrayContaining(['allow-scripts', 'allow-same-origin', 'allow-popups']));
    expect(sandbox.filter((token) => token.startsWith('allow-top-navigation'))).toEqual([]);
  });

  it('a hostile address cannot leave the src attribute', () => {
    const src = `https://lab.example/#v=1"><script>alert(1)</script><x y='`;
    const snippet = iframeSnippet({ src, title: 't', widthPx: 480.4, heightPx: 320 });
    expect(snippet).not.toContain('<script');
    expect(attributesOf(snippet).get('src')).toBe(src);
    expect(attributesOf(snippet).get('width')).toBe('480');
  });
});
