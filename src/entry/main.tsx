import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../ui/App.tsx';
import { simulateFault } from '../store/session.ts';
import { startLinkSync } from '../ui/linkSync.ts';
import { startKeyboard } from '../ui/keyboard.ts';
import { startRunNames } from '../ui/runNames.ts';
import { startTheme } from '../ui/theme.ts';
import { refreshHistory } from '../store/historySession.ts';
import { startOffline } from './serviceWorker.ts';
import '../ui/theme.css';
import '../ui/styles.css';

/** Resolves in a later task: the browser may paint and read input between start-up's parts. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Start-up in three tasks instead of one. Each part is short on a slow phone, where together they blocked the page
 * for some 300 ms with the modules' own evaluation (Lighthouse's mobile profile, docs/PERFORMANCE.md).
 */
async function start(root: HTMLElement): Promise<void> {
  // The theme on <html> before the first render, so a dark page is never drawn light first.
  startTheme();
  // Names runs by their own clipping before the first runs are made.
  startRunNames();
  startLinkSync();
  // Space plays and pauses, the right arrow takes one step, R resets.
  startKeyboard();
  await nextTask();
  // The history of earlier visits, from IndexedDB.
  void refreshHistory();
  // Offline after one visit; a new version is announced, and taken only when the student asks.
  startOffline();
  // Fault injection for the browser tests and for classroom "what if the worker dies?" demos.
  Object.assign(window, { gradientLab: { simulateFault } });
  await nextTask();
  // The first render is a transition: React builds the page in slices of a few milliseconds, the browser free between
  // them, then shows it at once. Lighthouse's mobile profile (4x slowdown): blocking time 1.19 s -> 774 ms,
  // docs/PERFORMANCE.md.
  startTransition(() =>
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
void start(root);
