/**
 * Text folded away under a "More" toggle: the lead stays above the charts, the rest opens under it on request.
 * The folded text stays in the page (hidden), so it is found, read aloud once opened, and printed with it.
 */
import { useState, type ReactNode } from 'react';

export interface More {
  id: string;
  open: boolean;
  setOpen: (open: boolean) => void;
}

export function useMore(id: string): More {
  const [open, setOpen] = useState(false);
  return { id, open, setOpen };
}

/** The toggle, at the end of the lead's line. */
function Toggle({ more, label }: { more: More; label: string }) {
  return (
    <button
      type="button"
      className="more-toggle"
      aria-expanded={more.open}
      aria-controls={more.id}
      onClick={() => more.setOpen(!more.open)}
    >
      {more.open ? 'Less' : 'More'}
      <span className="visually-hidden"> {label}</span>
    </button>
  );
}

export function MoreText({ more, children }: { more: More; children: ReactNode }) {
  return (
    <div id={more.id} className="more-text" hidden={!more.open}>
      {children}
    </div>
  );
}
MoreText.Toggle = Toggle;
