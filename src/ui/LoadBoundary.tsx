/**
 * Around a part of the page whose code comes later (React.lazy: the cliff, the sweep page, the history): if that
 * code cannot be fetched (offline before the service worker had it, or a host that has since published a new
 * version under new names), this part says so and offers a reload; the rest of the page, and its runs, go on.
 */
import { Component, Suspense, type ReactNode } from 'react';

interface Props {
  /** What failed to load, for the message: "the sweep page". */
  what: string;
  children: ReactNode;
}

export class LoadBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <p className="load-failed" role="alert">
        {loadFailedWords(this.props.what)}{' '}
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </p>
    );
  }
}

/** The sentence for a part whose code could not be fetched. */
export function loadFailedWords(what: string): string {
  return `The code for ${what} could not be loaded (the network, or a newer version of the lab on the server). Your runs are not affected; reloading the page fetches it again.`;
}

/** A part whose code comes when it is first shown (React.lazy): a line while it loads, LoadBoundary's if it fails. */
export function LazyPart({ what, children }: { what: string; children: ReactNode }) {
  return (
    <LoadBoundary what={what}>
      <Suspense
        fallback={
          <p className="page-loading" role="status">
            Loading {what}…
          </p>
        }
      >
        {children}
      </Suspense>
    </LoadBoundary>
  );
}
