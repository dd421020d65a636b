/**
 * After a reload (or a closed tab), offers to reopen the run that was training when the page went away: a stored
 * run whose last saved phase was starting, ready, running or paused, from before this page was opened.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { PRESETS } from '../experiment/presets.ts';
import type { StoredRun } from '../persist/runHistory.ts';
import { clipName } from '../present/clipName.ts';
import { describeClip } from '../present/describe.ts';
import { experimentName } from '../present/experiment.ts';
import { useLab } from '../store/labStore.ts';
import { reopenRuns, sessionOf } from './reopen.ts';
import './student.css';

const PAGE_OPENED_AT = Date.now();
const INTERRUPTED = new Set<StoredRun['phase']>(['starting', 'ready', 'running', 'paused']);

/** The newest interrupted session's runs, or an empty list. */
export function interruptedSession(history: StoredRun[], live: Set<string | null | undefined>): StoredRun[] {
  const newest = history.find(
    (r) => INTERRUPTED.has(r.phase) && r.createdAt < PAGE_OPENED_AT && r.step > 0 && !live.has(r.id),
  );
  return newest ? sessionOf(history, newest) : [];
}

/** "a race of 4 runs: No clipping (diverged at step 5), Value ±1 (step 12,000), ...": what the reload interrupted. */
export function describeInterrupted(runs: readonly StoredRun[]): string {
  const first = runs[0];
  if (!first) return 'no runs';
  if (runs.length === 1 && !first.config.pair) return `one run, ${describeClip(first.clip)}`;
  const each = runs.map((r) => {
    const where =
      r.phase === 'diverged' && r.divergence
        ? `diverged at step ${r.divergence.step.toLocaleString('en-US')}`
        : r.phase === 'finished'
          ? 'finished'
          : `step ${r.step.toLocaleString('en-US')}`;
    return `${clipName(r.clip)} (${where})`;
  });
  const list = each.length > 1 ? `${each.slice(0, -1).join(', ')} and ${each.at(-1)}` : (each[0] ?? '');
  const size = first.config.race.length > 0 ? first.config.race.length + 2 : 2;
  const kind = size > 2 ? `a race of ${size} runs` : 'a pair of runs';
  // Runs that never reached a step were not stored: say how many of the race there are.
  const stored = runs.length < size ? `, of which ${runs.length} had trained` : '';
  return `${kind}${stored}: ${list}`;
}

export function ReopenBanner() {
  const history = useLab((s) => s.history);
  const live = new Set(useLab(useShallow((s) => Object.values(s.runs).map((r) => r?.runId))));
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const runs = interruptedSession(history, live);
  const first = runs[0];
  if (!first || first.session === dismissed) return null;
  const step = Math.max(...runs.map((r) => r.step));
  const name = PRESETS[first.preset] ? experimentName(first.config, first.preset) : first.preset;
  const what = describeInterrupted(runs);
  return (
    <div className="reopen-banner" role="status" data-testid="reopen-banner" data-session={first.session}>
      <p>
        <strong>Your last run was interrupted</strong> at step {step.toLocaleString('en-US')} of{' '}
        {first.config.steps.toLocaleString('en-US')}, when the page was closed or reloaded. Its steps are saved.
        Experiment: {name.charAt(0).toUpperCase()}
        {name.slice(1)}; {what}.{failure && <span className="error"> {failure}</span>}
      </p>
      <button
        type="button"
        className="primary"
        onClick={() =>
          void reopenRuns(runs, false).then((result) => {
            if (result.error) setFailure(result.text);
            else setDismissed(first.session);
          })
        }
      >
        Reopen it
      </button>
      <button type="button" className="small" onClick={() => setDismissed(first.session)}>
        Dismiss
      </button>
    </div>
  );
}
