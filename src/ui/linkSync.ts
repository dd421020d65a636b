/**
 * The page's URL is the experiment: it is read at start and whenever the hash
 * changes (a pasted link), and rewritten as settings change.
 */
import { decodeExperiment, encodeExperiment, type LockGroup } from '../experiment/urlCodec.ts';
import { useLab } from '../store/labStore.ts';
import { applyExperiment } from '../store/session.ts';

let lastWritten = '';

/** The page's link; `locked` overrides which control groups it hides (a student link). */
export function currentLink(locked?: LockGroup[]): string {
  const { config, preset, view, cliff } = useLab.getState();
  const url = new URL(window.location.href);
  url.hash = encodeExperiment(config, preset, locked ? { ...view, locked } : view, cliff);
  return url.href;
}

export function openLink(hash: string): void {
  const decoded = decodeExperiment(hash);
  useLab.setState({ view: decoded.view, cliff: decoded.cliff, linkIssues: decoded.issues });
  applyExperiment(decoded.config, decoded.preset);
  writeLink();
}

export function writeLink(): void {
  const { config, preset, view, cliff } = useLab.getState();
  const hash = `#${encodeExperiment(config, preset, view, cliff)}`;
  if (hash === window.location.hash) return;
  lastWritten = hash;
  window.history.replaceState(null, '', hash);
}

export function startLinkSync(): () => void {
  openLink(window.location.hash);
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
