/** Play, pause, one step, reset; the speed readout; the backend; sharing the experiment (link, student link, embed). */
import { useState } from 'react';
import { progressOf } from '../store/progress.ts';
import { autoChoiceNote, speedWords } from '../present/pageWords.ts';
import { useShallow } from 'zustand/react/shallow';
import { useLab, type RunView } from '../store/labStore.ts';
import {
  openingPaceUntil,
  PACED_STEPS_PER_SECOND,
  setBackendChoice,
  setSlowMotion,
  stepOnce,
} from '../store/session.ts';
import type { BackendChoice } from '../worker/protocol.ts';
import { currentLink, resetLab } from './linkSync.ts';
import { StudentLinkPanel } from './StudentLinkPanel.tsx';
import { EmbedSnippetPanel } from './EmbedSnippetPanel.tsx';
import { PlayPauseButton } from './PlayPauseButton.tsx';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** What `auto` chose and the speeds it measured: "WASM chosen: 128 steps/s, WebGL 15 steps/s". */
function BackendChoiceNote() {
  const choices = useLab(
    useShallow((s) => Object.values(s.runs).flatMap((r) => (r?.backendChoice ? [r.backendChoice] : []))),
  );
  const note = autoChoiceNote(choices);
  if (note === null) return null;
  return (
    <span className="hint" data-testid="backend-choice" title={note.title}>
      {' '}
      · {note.text}
    </span>
  );
}

function SpeedReadout() {
  const runs = useLab((s) => s.runs);
  const steps = useLab((s) => s.config.steps);
  const recurrent = useLab((s) => s.config.model !== 'dense');
  const views = Object.values(runs) as RunView[];
  // Speed and time left over the runs still training (a diverged run holds nothing up): store/progress.ts.
  // Read at each render: the pace changes only with the runs' steps and phases, which this reads already.
  const progress = progressOf(views, steps, openingPaceUntil());
  const { step, secondsLeft: etaSeconds, slowUntil } = progress;
  const speed = progress.stepsPerSecond;
  const backends = [...new Set(views.map((r) => r.backend).filter((b) => b !== null))];
  const words = speed !== null ? speedWords(speed, backends, views.length) : null;
  return (
    <p className="readout" aria-live="polite">
      Step <strong data-testid="step">{step}</strong> / {steps}
      {speed !== null && (
        <>
          {' '}
          ·{' '}
          <span title={words?.title}>
            <strong data-testid="speed">{words?.speed}</strong>
            {words?.after}
          </span>
          {slowUntil !== undefined && (
            <span data-testid="opening-pace"> · the first {slowUntil} steps slowly, so they can be watched</span>
          )}
          {etaSeconds !== null && etaSeconds > 60 && (
            <span className={etaSeconds > 600 ? 'warn' : undefined}>
              {' '}
              · about {Math.round(etaSeconds / 60)} min to go
            </span>
          )}
        </>
      )}
      <BackendChoiceNote />
      {backends.includes('cpu') && recurrent && (
        <span className="warn"> · CPU is the slowest backend for recurrent nets: choose WebGL or WASM if you can</span>
      )}
    </p>
  );
}

/** Slow motion: every step at the pace of the first seconds, so each one can be watched. */
function SlowMotionToggle() {
  const slowMotion = useLab((s) => s.slowMotion);
  return (
    <label className="inline" title={`${PACED_STEPS_PER_SECOND} steps a second for the whole run, not only its start`}>
      <input type="checkbox" checked={slowMotion} onChange={(e) => setSlowMotion(e.target.checked)} /> Slow motion
    </label>
  );
}

export function Toolbar() {
  const playing = useLab((s) => s.playing);
  const backendChoice = useLab((s) => s.backendChoice);
  const [copied, setCopied] = useState<string | null>(null);
  const share = async (link: string, what: string) =>
    setCopied((await copy(link)) ? `${what} copied` : `Copy failed; the link is: ${link}`);
  // The cliff and the sweep pages have their own controls: the pair's Play, steps and speed belong to the runs.
  const runsPage = useLab((s) => s.view.page === 'runs');
  return (
    <div className="toolbar" role="toolbar" aria-label={runsPage ? 'Training' : 'Sharing'}>
      {runsPage && (
        <div className="buttons">
          <PlayPauseButton playing={playing} />
          <button type="button" onClick={stepOnce} disabled={playing}>
            One step
          </button>
          <button
            type="button"
            onClick={resetLab}
            title="Fresh runs from the first step (on a teacher's link: with the teacher's settings)"
          >
            Reset
          </button>
          <SlowMotionToggle />
          <label className="inline backend-choice">
            Backend{' '}
            <select value={backendChoice} onChange={(e) => setBackendChoice(e.target.value as BackendChoice)}>
              <option value="auto">Auto (the fastest for this model)</option>
              <option value="webgl">WebGL</option>
              <option value="wasm">WASM</option>
              <option value="cpu">CPU</option>
            </select>
          </label>
        </div>
      )}
      {runsPage && <SpeedReadout />}
      <div className="share">
        <button type="button" onClick={() => void share(currentLink(), 'Link')}>
          Copy link
        </button>
        <StudentLinkPanel onCopy={(link) => void share(link, 'Student link')} />
        <EmbedSnippetPanel onCopy={(code) => void share(code, 'Embed code')} />
        {copied && (
          <span role="status" className="hint">
            {copied}
          </span>
        )}
      </div>
    </div>
  );
}
