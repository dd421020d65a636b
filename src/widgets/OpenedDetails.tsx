/**
 * A <details> whose body is rendered only once it has been opened, and then kept (what was typed in it stays when it
 * closes). The page's closed panels (write a lesson, a link for students, embed) each built a link from the whole
 * experiment on every change of it, and at start-up, for a body nobody had opened.
 */
import { useState, type ReactNode } from 'react';

export function OpenedDetails({
  className,
  summary,
  children,
}: {
  className: string;
  /** The <summary> element. */
  summary: ReactNode;
  children: ReactNode;
}) {
  const [opened, setOpened] = useState(false);
  return (
    <details
      className={className}
      onToggle={(e) => {
        if (e.currentTarget.open) setOpened(true);
      }}
    >
      {summary}
      {opened && children}
    </details>
  );
}
