/**
 * Embedding an experiment in another page (a course page, a Moodle or Canvas page, reveal.js slides): the embed
 * link (`embed=1`: the experiment alone, ui/EmbedView.tsx), the full page's link it opens in a new tab, and the
 * `<iframe>` snippet the Share control offers. Plain strings: the page turns a query into an address (ui/linkSync.ts).
 */
import type { LinkState } from './studentLink.ts';
import { encodeExperiment } from './urlCodec.ts';

/** The frame the snippet asks for: room for both charts side by side and the narrator's line. */
export const EMBED_WIDTH_PX = 720;
export const EMBED_HEIGHT_PX = 480;

/** The smallest frame the embedded view is laid out for (it never scrolls sideways from here up). */
export const EMBED_MIN_WIDTH_PX = 480;
export const EMBED_MIN_HEIGHT_PX = 320;

/** The embed link's query (without `#`): the page's experiment, view and locks, shown alone. */
export function embedLinkQuery(state: LinkState): string {
  const { config, preset, view, cliff } = state;
  // A frame has its own size and page around it: presenter mode is the whole page's.
  return encodeExperiment(config, preset, { ...view, embed: true, present: false }, cliff);
}

/** The same experiment on the whole page: what "Open in Gradient Lab" opens. */
export function fullLinkQuery(state: LinkState): string {
  const { config, preset, view, cliff } = state;
  return encodeExperiment(config, preset, { ...view, embed: false }, cliff);
}

/**
 * Text as an HTML attribute's value between double quotes: `&`, `"`, `'`, `<` and `>` as character references, so
 * a link's `&` stays a separator and no character can close the attribute or the tag.
 */
export function escapeAttribute(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

export interface IframeSnippetOptions {
  /** The embed link, a full address. */
  src: string;
  /** What the frame shows, for screen readers (the frame's accessible name). */
  title: string;
  widthPx?: number;
  heightPx?: number;
}

/**
 * A ready `<iframe>` for a course page. The sandbox lets the lab run its scripts, workers and storage on its own
 * origin and open "Open in Gradient Lab" in a new tab, and nothing else: no navigation of the embedding page, no
 * forms, no dialogs. `max-width: 100%` lets a narrow column shrink it; the lab fits any frame from 480 x 320 up.
 */
export function iframeSnippet({
  src,
  title,
  widthPx = EMBED_WIDTH_PX,
  heightPx = EMBED_HEIGHT_PX,
}: IframeSnippetOptions): string {
  const attributes: [string, string][] = [
    ['src', src],
    ['title', title],
    ['width', String(Math.round(widthPx))],
    ['height', String(Math.round(heightPx))],
    ['style', 'border: 1px solid #ccc; max-width: 100%'],
    ['loading', 'lazy'],
    ['sandbox', 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-downloads'],
  ];
  return `<iframe ${attributes.map(([name, value]) => `${name}="${escapeAttribute(value)}"`).join(' ')}></iframe>`;
}
