/**
 * The run history: every run this browser trained (kept in IndexedDB as it
 * streamed), to reopen on the charts, compare two at a time, export, import
 * and delete. Its Import takes any JSON the lab writes (a sweep's opens on the
 * sweep page). Text from stored or imported runs is rendered as text only.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { describeClip, formatNumber } from '../present/describe.ts';
import { experimentName } from '../present/experiment.ts';
import { PRESETS } from '../experiment/presets.ts';
import type { StoredRun } from '../persist/runHistory.ts';
import { deleteStoredRuns, exportStoredRuns } from '../store/historySession.ts';
import { importFailure, importLabFile, importWords } from '../store/labImport.ts';
import { JsonFileButton } from '../widgets/JsonFileButton.tsx';
import { useLab } from '../store/labStore.ts';
import { downloadBlob } from '../widgets/download.ts';
import { reopenRuns, sessionOf } from './reopen.ts';

const PHASE_WORDS: Record<StoredRun['phase'], string> = {
  starting: 'not started',
  ready: 'not started',
  running: 'stopped while training',
  paused: 'stopped while paused',
  finished: 'finished',
  diverged: 'diverged',
  crashed: 'stopped',
};

/** A stored run's steps: live from the store while it is on the charts (the stored count lags a batch or more). */
function StepCount({ run }: { run: StoredRun }) {
  const live = useLab((s) => Object.values(s.runs).find((r) => r?.runId === run.id)?.step);
  return <>{formatNumber(Math.max(run.step, live ?? 0))}</>;
}

function describeRun(run: StoredRun): string {
  const name = PRESETS[run.preset] ? experimentName(run.config, run.preset) : run.preset;
  // A lone run is not "the clipped run" of a pair, whatever side it trained on; a race's runs are named by their clipping.
  const side = !run.config.pair
    ? 'one run'
    : run.config.race.length > 0
      ? `race of ${run.config.race.length + 2}`
      : run.side;
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}, ${side}: ${describeClip(run.clip)}`;
}

export function HistoryPanel() {
  const history = useLab((s) => s.history);
  const historyError = useLab((s) => s.historyError);
  const [selected, setSelected] = useState<string[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  // Only the ids: the runs themselves change with every metrics batch, and this table need not redraw for that.
  const live = new Set(useLab(useShallow((s) => Object.values(s.runs).map((r) => r?.runId))));

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => (on ? [...s.filter((x) => x !== id), id] : s.filter((x) => x !== id)));
  const open = async (runs: StoredRun[], compare: boolean) => setMessage(await reopenRuns(runs, compare));
  const openSession = (run: StoredRun) => void open(sessionOf(history, run), false);
  const exportIds = async (ids: string[]) => {
    const text = await exportStoredRuns(ids);
    if (text) downloadBlob(new Blob([text], { type: 'application/json' }), `gradient-lab-runs-${ids.length}.json`);
  };
  // Any file the lab writes: runs come into this list; a sweep opens on the sweep page.
  const importFile = async (file: File) => {
    try {
      const imported = await importLabFile(await file.text(), file.name);
      setMessage({ text: importWords(imported), error: false });
    } catch (error) {
      setMessage({ text: importFailure(error), error: true });
    }
  };

  return (
    <section className="history" aria-labelledby="history-title" data-testid="history">
      <header className="chart-head">
        <h2 id="history-title">Run history ({history.length})</h2>
        <div className="buttons">
          <button
            type="button"
            className="small"
            disabled={selected.length !== 2}
            onClick={() =>
              void open(
                history
                  .filter((r) => selected.includes(r.id))
                  .sort((a, b) => selected.indexOf(a.id) - selected.indexOf(b.id)),
                true,
              )
            }
          >
            Compare the two selected
          </button>
          <button
            type="button"
            className="small"
            disabled={selected.length === 0}
            onClick={() => void exportIds(selected)}
          >
            Export selected (JSON)
          </button>
          <JsonFileButton
            label="Import runs or a sweep from a JSON file the lab wrote"
            testId="history-import"
            onFile={(file) => void importFile(file)}
          />
        </div>
      </header>
      {/* One sentence about keeping runs: that they are kept, or (once) why they are not. */}
      {historyError ? (
        <p className="crashed" role="alert" data-testid="history-error">
          {historyError}
        </p>
      ) : (
        <p className="help">
          Every run is saved in this browser as it trains: a reload, a closed tab or a crashed worker keeps its finished
          steps.
        </p>
      )}
      {message && (
        <p
          className={message.error ? 'crashed' : 'notice'}
          role={message.error ? 'alert' : 'status'}
          data-testid="history-message"
        >
          {message.text}
        </p>
      )}
      {history.length > 0 && (
        <div className="history-table">
          <table>
            <thead>
              <tr>
                <th scope="col">Pick</th>
                <th scope="col">When</th>
                <th scope="col">Run</th>
                <th scope="col">Steps</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {history.slice(0, 200).map((run) => (
                <tr key={run.id} data-history-run={run.id}>
                  <td>
                    <label>
                      <input
                        type="checkbox"
                        checked={selected.includes(run.id)}
                        onChange={(e) => toggle(run.id, e.target.checked)}
                      />
                      <span className="visually-hidden">
                        Pick {describeRun(run)} from {new Date(run.createdAt).toLocaleString()}
                      </span>
                    </label>
                  </td>
                  <td data-label="When">{new Date(run.createdAt).toLocaleString()}</td>
                  <td data-label="Run">{describeRun(run)}</td>
                  <td data-label="Steps" data-testid="history-steps">
                    <StepCount run={run} />
                  </td>
                  <td data-label="State">
                    {live.has(run.id)
                      ? `on the charts now${run.divergence ? `, diverged at step ${run.divergence.step}` : ''}`
                      : `${PHASE_WORDS[run.phase]}${run.divergence ? ` at step ${run.divergence.step}` : ''}`}
                  </td>
                  <td className="buttons">
                    <button type="button" className="small" disabled={run.step === 0} onClick={() => openSession(run)}>
                      Open
                    </button>
                    <button type="button" className="small" onClick={() => void exportIds([run.id])}>
                      Export
                    </button>
                    <button
                      type="button"
                      className="small"
                      disabled={live.has(run.id)}
                      onClick={() =>
                        void deleteStoredRuns([run.id]).then(() => setSelected((s) => s.filter((x) => x !== run.id)))
                      }
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {history.length > 200 && <p className="hint">The 200 newest of {history.length} runs are listed.</p>}
        </div>
      )}
    </section>
  );
}
