/**
 * The body of "Embed in a page" (EmbedSnippetPanel.tsx): the embed link and a ready `<iframe>` in the size the
 * teacher picks. Fetched when the panel is first opened.
 */
import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EMBED_HEIGHT_PX, EMBED_WIDTH_PX, embedLinkQuery, iframeSnippet } from '../experiment/embed.ts';
import { experimentName } from '../present/experiment.ts';
import { useLab } from '../store/labStore.ts';
import { linkHref } from './linkSync.ts';

/** Frame sizes offered, width x height in CSS pixels; the embedded view fits any of them (480 x 320 up). */
const SIZES: readonly (readonly [number, number])[] = [
  [EMBED_WIDTH_PX, EMBED_HEIGHT_PX],
  [480, 320],
  [960, 600],
];

/** The panel's body: built from the experiment only while it has been opened. */
export function EmbedSnippet({ onCopy }: { onCopy: (code: string) => void }) {
  const page = useLab(useShallow((s) => ({ config: s.config, preset: s.preset, view: s.view, cliff: s.cliff })));
  const [size, setSize] = useState(0);
  // Labels point at their fields rather than wrap them: a wrapped textarea's text (the link) would join its name.
  const id = useId();
  const [widthPx, heightPx] = SIZES[size] ?? [EMBED_WIDTH_PX, EMBED_HEIGHT_PX];
  const link = linkHref(embedLinkQuery(page));
  const code = iframeSnippet({
    src: link,
    title: `Gradient Lab: ${experimentName(page.config, page.preset)}`,
    widthPx,
    heightPx,
  });
  return (
    <>
      <label className="embed-size">
        Size{' '}
        <select value={size} onChange={(e) => setSize(Number(e.target.value))}>
          {SIZES.map(([w, h], i) => (
            <option key={`${w}x${h}`} value={i}>
              {w} x {h}
            </option>
          ))}
        </select>
      </label>
      <div className="embed-code">
        <label htmlFor={`${id}-code`}>Embed code</label>
        <textarea
          id={`${id}-code`}
          readOnly
          rows={4}
          value={code}
          onFocus={(e) => e.currentTarget.select()}
          data-testid="embed-code"
        />
      </div>
      <div className="embed-link">
        <label htmlFor={`${id}-link`}>Embed link</label>
        <input
          id={`${id}-link`}
          type="text"
          readOnly
          value={link}
          onFocus={(e) => e.currentTarget.select()}
          data-testid="embed-link"
        />
      </div>
      <button type="button" onClick={() => onCopy(code)}>
        Copy embed code
      </button>
      {page.view.page !== 'runs' && (
        <p className="hint warn" data-testid="embed-page-note">
          A frame shows the runs: this {page.view.page === 'cliff' ? 'cliff lesson' : 'sweep page'} needs the whole
          page, so the frame only offers to open it in Gradient Lab.
        </p>
      )}
      <p className="hint">
        Paste the code where the page takes HTML (a Moodle or Canvas page&apos;s HTML view, a reveal.js slide). The
        frame shows this experiment alone: Play, Reset, its charts and what happened, and a link to open it here.
      </p>
    </>
  );
}
