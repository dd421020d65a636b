/**
 * The page's URL is the experiment: it is read at start and whenever the hash
 * changes (a pasted link), and rewritten as settings change. A link written
 * with `?v=1&...` is read too, and the address rewritten to the `#v=1&...` form.
 */
import { decodeExperiment, encodeExperiment, linkOfLocation, type DecodedExperiment } from '../experiment/urlCodec.ts';
import { useLab } from '../store/labStore.ts';
import { applyExperiment, resetRuns } from '../store/session.ts';
import { pageLink } from './pageLink.ts';

let lastWritten = '';

/** The locked link this page was opened with: what Reset returns to while the page is locked. */
let teacherLink: DecodedExperiment | null = null;

/** A full address for a link's query: this page's (its origin and path), with the query as its hash. */
export function linkHref(query: string): string {
  return pageLink(window.location.href, query);
}

/** The page's link, as the address bar holds it (a student link: `studentLinkQuery`, experiment/studentLink.ts). */
export function currentLink(): string {
  const { config, preset, view, cliff } = useLab.getState();
  return linkHref(encodeExperiment(config, preset, view, cliff));
}

export function openLink(hash: string): void {
  const decoded = decodeExperiment(hash);
  teacherLink = decoded.view.locked.length > 0 ? structuredClone(decoded) : null;
  // One change of the store, so the address is rewritten once, to the link's own experiment. Set apart, the view
  // first wrote an address of the old experiment with the new view, and a reload in that moment (the browser
  // learns each rewrite a moment late) opened an experiment nobody linked.
  applyExperiment(decoded.config, decoded.preset, {
    view: decoded.view,
    cliff: decoded.cliff,
    linkIssues: decoded.issues,
  });
  writeLink();
}

/** The settings of the teacher's locked link, or null when the page is not locked. */
export function teacherSettings(): DecodedExperiment | null {
  return teacherLink;
}

/**
 * Reset: on a locked page, back to the teacher's settings (the locked link's, never a preset's), with fresh runs;
 * otherwise fresh runs of the current settings.
 */
export function resetLab(): void {
  const teacher = teacherLink;
  if (!teacher || useLab.getState().view.locked.length === 0) {
    resetRuns();
    return;
  }
  useLab.setState((s) => ({ view: { ...s.view, locked: [...teacher.view.locked] }, cliff: { ...teacher.cliff } }));
  applyExperiment(structuredClone(teacher.config), teacher.preset);
}

export function writeLink(): void {
  const { config, preset, view, cliff } = useLab.getState();
  const hash = `#${encodeExperiment(config, preset, view, cliff)}`;
  // A `?v=1&...` link has been read into the hash: the query goes, so the address holds the experiment once.
  const search = linkOfLocation(window.location.search, '').from === 'search' ? '' : window.location.search;
  if (hash === window.location.hash && search === window.location.search) return;
  lastWritten = hash;
  window.history.replaceState(null, '', `${window.location.pathname}${search}${hash}`);
}

export function startLinkSync(): () => void {
  openLink(linkOfLocation(window.location.search, window.location.hash).query);
  const unsubscribe = useLab.subscribe((state, previous) => {
    if (
      state.config !== previous.config ||
      state.preset !== previous.preset ||
      state.view !== previous.view ||
      state.cliff !== previous.cliff
    )
      writeLink();
  });
  const onHashChange = () => {
    if (window.location.hash !== lastWritten) openLink(window.location.hash);
  };
  window.addEventListener('hashchange', onHashChange);
  return () => {
    unsubscribe();
    window.removeEventListener('hashchange', onHashChange);
  };
}
