/**
 * "Embed in a page": the embed link (the page's experiment with `embed=1`) and a ready `<iframe>` for a course
 * page, a Moodle or Canvas page or a reveal.js slide (experiment/embed.ts), in the size the teacher picks. The body
 * (EmbedSnippet.tsx) is fetched when the panel is first opened, as the page starts without it.
 */
import { lazy } from 'react';
import { OpenedDetails } from '../widgets/OpenedDetails.tsx';
import { LazyPart } from './LoadBoundary.tsx';

const EmbedSnippet = lazy(() => import('./EmbedSnippet.tsx').then((m) => ({ default: m.EmbedSnippet })));

export function EmbedSnippetPanel({ onCopy }: { onCopy: (code: string) => void }) {
  return (
    <OpenedDetails
      className="embed-panel"
      summary={
        // A short summary: on a phone it shares the row with Copy link and Link for students.
        <summary title="Embed in a page: a ready <iframe> for a course page or slides">Embed</summary>
      }
    >
      <LazyPart what="the embed code">
        <EmbedSnippet onCopy={onCopy} />
      </LazyPart>
    </OpenedDetails>
  );
}
