/**
 * The sweep page: the link's experiment trained for a grid of learning rates x clipping thresholds (plus the
 * unclipped column), every cell from the same seed, weights and batches. Layout and input only: the workers are
 * driven by store/sweepSession.ts, and the settings live in the link (view.sweep).
 */
import { useEffect, useId, useState } from 'react';
import { CLIP_MODES, type ClipMode } from '../experiment/config.ts';
import { PRESETS, PRESET_IDS, type PresetId } from '../experiment/presets.ts';
import {
  SWEEP_KEYS,
  parseLogRange,
  parseSweepSteps,
  sweepGrid,
  sweepRefusal,
  type LogRange,
} from '../experiment/sweep.ts';
import { formatDuration, formatNumber } from '../present/describe.ts';
import { describeSweptExperiment, experimentName } from '../present/experiment.ts';
import type { StoredSweep } from '../persist/sweepHistory.ts';
import { sweepFileName, sweepJson } from '../persist/sweepExport.ts';
import { LAST_STEPS } from '../train/sweep/cellOutcome.ts';
import { sweepMethod } from '../train/sweep/sweepMethod.ts';
import { sweepCsv } from '../train/sweep/sweepCsv.ts';
import { useLab, type SweepView } from '../store/labStore.ts';
import { applyExperiment } from '../store/session.ts';
import { importFailure, importLabFile, importWords } from '../store/labImport.ts';
import { JsonFileButton } from '../widgets/JsonFileButton.tsx';
import {
  cancelSweep,
  deleteStoredSweep,
  openSweepCell,
  refreshSweepHistory,
  reopenSweep,
  startSweep,
} from '../store/sweepSession.ts';
import { downloadBlob } from '../widgets/download.ts';
import { SweepMap } from './SweepMap.tsx';
import { colourScale, divergedGradient, fractionGradient, scaleGradient, type ColourBy } from './sweepColours.ts';
import { dataLoadLabel } from '../present/dataLoad.ts';
import { ByteProgressBar } from '../widgets/ByteProgressBar.tsx';
import './sweep.css';

const MODE_LABELS: Record<ClipMode, string> = {
  none: 'None (choose a mode to sweep)',
  value: 'By value, to [-c, c]',
  norm: 'By norm, each tensor',
  global: 'By global norm (PyTorch)',
  'global-tf': 'By global norm (TensorFlow)',
};

/** Three inputs (from, to, how many) for one axis; applied to the link only when the range is valid. */
function RangeInputs({
  label,
  param,
  range,
  onCommit,
}: {
  label: string;
  param: string;
  range: LogRange;
  onCommit: (range: LogRange) => void;
}) {
  const id = useId();
  const asText = (r: LogRange) => [String(r.from), String(r.to), String(r.count)];
  const [text, setText] = useState(asText(range));
  const [shown, setShown] = useState(range);
  // A range from outside (a link, a reopened sweep) replaces what was typed; adjusted while rendering.
  if (shown !== range) {
    setShown(range);
    setText(asText(range));
  }
  const parsed = parseLogRange(text.join(':'));
  const change = (i: number, value: string) => {
    const next = text.map((t, j) => (j === i ? value : t));
    setText(next);
    const result = parseLogRange(next.join(':'));
    if (result.ok) {
      setShown(result.range);
      onCommit(result.range);
    }
  };
  const names = ['from', 'to', 'values'];
  return (
    <fieldset className="sweep-range">
      <legend>{label}</legend>
      {names.map((name, i) => (
        <label key={name} className="inline">
          {name}{' '}
          <input
            id={`${id}-${name}`}
            inputMode={i === 2 ? 'numeric' : 'decimal'}
            value={text[i]}
            aria-invalid={!parsed.ok}
            aria-describedby={parsed.ok ? undefined : `${id}-error`}
            onChange={(e) => change(i, e.target.value)}
            size={i === 2 ? 3 : 7}
          />
        </label>
      ))}
      {!parsed.ok && (
        <p id={`${id}-error`} className="error" role="alert" data-testid={`sweep-error-${param}`}>
          {label} ({param}={text.join(':')}): {parsed.why}.
        </p>
      )}
    </fieldset>
  );
}

function StepsInput({ steps, fallback }: { steps: number | null; fallback: number }) {
  const id = useId();
  const [text, setText] = useState(steps === null ? '' : String(steps));
  const [shown, setShown] = useState(steps);
  if (shown !== steps) {
    setShown(steps);
    setText(steps === null ? '' : String(steps));
  }
  const parsed = text.trim() === '' ? null : parseSweepSteps(text);
  const commit = (value: string) => {
    setText(value);
    const result = value.trim() === '' ? { ok: true as const, steps: null } : parseSweepSteps(value);
    if (!result.ok) return;
    setShown(result.steps);
    useLab.setState((s) => ({ view: { ...s.view, sweep: { ...s.view.sweep, steps: result.steps } } }));
  };
  return (
    <div className="field sweep-steps">
      <label htmlFor={id}>Steps per cell</label>
      <input
        id={id}
        inputMode="numeric"
        value={text}
        placeholder={`${fallback} (the experiment's)`}
        aria-invalid={parsed !== null && !parsed.ok}
        onChange={(e) => commit(e.target.value)}
      />
      {parsed !== null && !parsed.ok && (
        <p className="error" role="alert" data-testid="sweep-error-sweepSteps">
          Steps per cell ({SWEEP_KEYS.steps}={text}): {parsed.why}.
        </p>
      )}
    </div>
  );
}

function Setup({ running }: { running: boolean }) {
  const config = useLab((s) => s.config);
  const preset = useLab((s) => s.preset);
  const settings = useLab((s) => s.view.sweep);
  const presetsLocked = useLab((s) => s.view.locked.includes('presets'));
  const clipLocked = useLab((s) => s.view.locked.includes('clip'));
  const refused = sweepRefusal(config);
  const { cells } = sweepGrid(settings);
  const steps = settings.steps ?? config.steps;
  const { method } = sweepMethod(config);
  const setSweep = (patch: Partial<typeof settings>) =>
    useLab.setState((s) => ({ view: { ...s.view, sweep: { ...s.view.sweep, ...patch } } }));
  return (
    <section className="sweep-setup" aria-labelledby="sweep-title">
      <h2 id="sweep-title">Sweep learning rates × clipping thresholds</h2>
      <p className="sweep-experiment">
        <strong>{experimentName(config, preset)}.</strong> {describeSweptExperiment(config)}
      </p>
      <div className="sweep-fields">
        {!presetsLocked && (
          <div className="field">
            <label htmlFor="sweep-preset">Experiment</label>
            <select
              id="sweep-preset"
              value={preset}
              disabled={running}
              onChange={(e) => {
                const id = e.target.value as PresetId;
                applyExperiment(structuredClone(PRESETS[id].config), id);
              }}
            >
              {PRESET_IDS.map((id) => (
                <option key={id} value={id}>
                  {PRESETS[id].title}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="sweep-mode">Clipping</label>
          <select
            id="sweep-mode"
            value={config.clip.mode}
            disabled={running || clipLocked}
            onChange={(e) =>
              applyExperiment({ ...config, clip: { ...config.clip, mode: e.target.value as ClipMode } }, preset)
            }
          >
            {CLIP_MODES.map((m) => (
              <option key={m} value={m}>
                {MODE_LABELS[m]}
              </option>
            ))}
          </select>
        </div>
        <RangeInputs
          label="Learning rates"
          param={SWEEP_KEYS.lr}
          range={settings.lr}
          onCommit={(lr) => setSweep({ lr })}
        />
        <RangeInputs
          label={config.clip.mode === 'value' ? 'Thresholds c' : 'Thresholds (max norm)'}
          param={SWEEP_KEYS.clip}
          range={settings.clip}
          onCommit={(clip) => setSweep({ clip })}
        />
        <StepsInput steps={settings.steps} fallback={config.steps} />
      </div>
      <p className="hint">
        {settings.lr.count} learning rates × {settings.clip.count} thresholds + the unclipped column = {cells.length}{' '}
        runs of {steps} steps,{' '}
        {method === 'batched'
          ? 'trained together as one batched program'
          : 'trained one at a time (only the dense net with SGD trains batched)'}
        . Every run starts from the same weights and sees the same batches. Other settings: on the Training runs page.
      </p>
      {refused && (
        <p className="error" role="alert" data-testid="sweep-refused">
          {refused}
        </p>
      )}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          data-testid="sweep-run"
          disabled={refused !== null || running}
          onClick={() => startSweep()}
        >
          Run sweep
        </button>
        <button type="button" data-testid="sweep-cancel" disabled={!running} onClick={cancelSweep}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function Progress({ sweep }: { sweep: SweepView }) {
  const finished = sweep.outcomes.filter((o) => o !== null).length;
  const fraction = sweep.total > 0 ? sweep.done / sweep.total : 0;
  const words: Record<SweepView['phase'], string> = {
    running: 'Running',
    finished: 'Finished',
    cancelled: 'Cancelled',
    failed: 'Stopped',
    interrupted: 'Interrupted (the page was closed)',
  };
  return (
    <div className="sweep-progress">
      {sweep.dataLoad && (
        <ByteProgressBar
          label={dataLoadLabel(sweep.dataLoad)}
          loadedBytes={sweep.dataLoad.loadedBytes}
          totalBytes={sweep.dataLoad.totalBytes}
        />
      )}
      <progress max={1} value={fraction} aria-label="Sweep progress" />
      <p
        aria-live="polite"
        data-testid="sweep-status"
        data-phase={sweep.phase}
        data-elapsed-ms={Math.round(sweep.elapsedMs)}
        data-workers={sweep.workers}
      >
        {words[sweep.phase]}: {finished} of {sweep.outcomes.length} cells
        {sweep.phase === 'running' && (
          <>
            {' '}
            · {Math.round(fraction * 100)}%
            {sweep.etaMs !== null && <> · about {formatDuration(sweep.etaMs / 1000)} to go</>}
          </>
        )}
        {sweep.phase !== 'running' && sweep.elapsedMs > 0 && <> in {formatDuration(sweep.elapsedMs / 1000)}</>}
        {sweep.backend && <> · {sweep.backend.toUpperCase()}</>}
        {sweep.method && <> · {sweep.method === 'batched' ? 'batched' : 'one cell at a time'}</>}
      </p>
      {sweep.notices.map((n) => (
        <p key={n} className="hint">
          {n}
        </p>
      ))}
      {sweep.error && (
        <p className="error" role="alert" data-testid="sweep-failure">
          {sweep.error}
        </p>
      )}
    </div>
  );
}

function Legend({ sweep, by }: { sweep: SweepView; by: ColourBy }) {
  const scale = colourScale(sweep.outcomes, by, sweep.steps);
  if (by === 'diverged')
    return (
      <div className="sweep-legend" data-testid="sweep-legend">
        <div>
          <span className="bar" style={{ background: fractionGradient() }} aria-hidden="true" />
          <span className="ends">
            <span>none</span>
            <span>fraction of the {sweep.config.seeds} seeds that diverged</span>
            <span>all</span>
          </span>
        </div>
      </div>
    );
  const loss = by === 'loss';
  return (
    <div className="sweep-legend" data-testid="sweep-legend">
      <div>
        <span className="bar" style={{ background: scaleGradient(scale) }} aria-hidden="true" />
        <span className="ends">
          <span>{loss ? formatNumber(scale.low, 3) : `${formatNumber(scale.low * 100, 3)}%`}</span>
          <span>{loss ? 'final loss (log scale)' : 'test accuracy'}</span>
          <span>{loss ? formatNumber(scale.high, 3) : `${formatNumber(scale.high * 100, 3)}%`}</span>
        </span>
      </div>
      <div>
        <span className="bar" style={{ background: divergedGradient(sweep.steps) }} aria-hidden="true" />
        <span className="ends">
          <span>step 1</span>
          <span>diverged at step</span>
          <span>{sweep.steps}</span>
        </span>
      </div>
    </div>
  );
}

function Result({ sweep }: { sweep: SweepView }) {
  const overSeeds = sweep.config.seeds > 1;
  // Over several seeds the map starts coloured by how many seeds diverged: the question a sweep over seeds asks.
  const [chosen, setBy] = useState<ColourBy>(overSeeds ? 'diverged' : 'loss');
  const by: ColourBy = chosen === 'diverged' ? (overSeeds ? 'diverged' : 'loss') : sweep.classifier ? chosen : 'loss';
  const regression = sweep.config.model === 'dense';
  const lossWords = regression
    ? 'the last epoch’s loss over every row'
    : `mean training loss of the last ${Math.min(LAST_STEPS, sweep.steps)} steps`;
  const scale = colourScale(sweep.outcomes, by, sweep.steps);
  return (
    <section className="sweep-result" aria-label="Sweep results">
      <h2>
        {experimentName(sweep.config, sweep.preset)}: {sweep.lr.length} learning rates × {sweep.clip.length} thresholds,{' '}
        {sweep.steps} steps
      </h2>
      <Progress sweep={sweep} />
      <p className="sweep-explain">
        Each square is one training run: a row per learning rate, a column per clipping threshold, and on the right the
        same runs without clipping. <strong>Red</strong> runs diverged (darker: sooner). The others are coloured by
        their {by === 'loss' ? `final loss (${lossWords}; brighter is lower)` : 'test accuracy (brighter is higher)'}.
        {overSeeds &&
          ` Every square trained ${sweep.config.seeds} seeds; coloured by the fraction of them that diverged, a square reads "diverged/seeds", and its losses are the median of the seeds that did not diverge.`}{' '}
        Look for the learning rates where the unclipped column turns red while the clipped columns still learn, and for
        thresholds so small that clipping slows learning down.
      </p>
      <div className="sweep-map-head">
        <Legend sweep={sweep} by={by} />
        {(sweep.classifier || overSeeds) && (
          <label className="inline">
            Colour by{' '}
            <select value={by} onChange={(e) => setBy(e.target.value as ColourBy)}>
              {overSeeds && <option value="diverged">fraction of seeds diverged</option>}
              <option value="loss">final loss{overSeeds ? ' (median of the seeds)' : ''}</option>
              {sweep.classifier && <option value="accuracy">test accuracy</option>}
            </select>
          </label>
        )}
      </div>
      <SweepMap
        lr={sweep.lr}
        clip={sweep.clip}
        outcomes={sweep.outcomes}
        clipMode={sweep.config.clip.mode}
        scale={scale}
        lossWords={lossWords}
        onOpen={(cell) => openSweepCell(sweep, cell)}
      />
      <div className="buttons">
        <button
          type="button"
          className="small"
          data-testid="sweep-csv"
          disabled={sweep.outcomes.every((o) => o === null)}
          onClick={() =>
            downloadBlob(new Blob([sweepCsv(sweep.outcomes)], { type: 'text/csv' }), `sweep-${sweep.id}.csv`)
          }
        >
          Download CSV
        </button>
        <button
          type="button"
          className="small"
          data-testid="sweep-json"
          disabled={sweep.outcomes.every((o) => o === null)}
          onClick={() => downloadBlob(new Blob([sweepJson(sweep)], { type: 'application/json' }), sweepFileName(sweep))}
        >
          Download JSON
        </button>
      </div>
    </section>
  );
}

/** Any JSON the lab writes: a sweep's opens here; runs go into the run history of the Training runs page. */
function ImportButton({ running }: { running: boolean }) {
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const importFile = async (file: File) => {
    try {
      const imported = await importLabFile(await file.text(), file.name);
      // Runs go into the history of the Training runs page (or, with no history kept, onto its charts).
      setMessage(
        imported.kind === 'runs'
          ? { text: `${importWords(imported)} See the run history on the Training runs page.`, error: false }
          : null,
      );
    } catch (error) {
      setMessage({ text: importFailure(error), error: true });
    }
  };
  return (
    <>
      <span className="buttons">
        <JsonFileButton
          label="Import a sweep (or runs) from a JSON file the lab wrote"
          testId="sweep-import"
          disabled={running}
          onFile={(file) => void importFile(file)}
        />
      </span>
      {message && (
        <p
          className={message.error ? 'error' : 'hint'}
          role={message.error ? 'alert' : 'status'}
          data-testid="sweep-import-message"
        >
          {message.text}
        </p>
      )}
    </>
  );
}

function PastSweeps({ current }: { current: string | null }) {
  const sweeps = useLab((s) => s.sweepHistory);
  const error = useLab((s) => s.sweepHistoryError);
  const running = useLab((s) => s.sweepRun?.phase === 'running');
  const when = (s: StoredSweep) => new Date(s.createdAt).toLocaleString();
  // Stored as running, a sweep reads as interrupted (a closed page's), unless it is this page's own.
  const phaseOf = (s: StoredSweep) => (s.id === current && running ? 'running' : s.phase);
  return (
    <section className="sweep-history" aria-labelledby="sweep-history-title">
      <h2 id="sweep-history-title">Past sweeps</h2>
      <ImportButton running={running} />
      {error && <p className="warn">{error}</p>}
      {sweeps.length === 0 && !error && <p className="hint">None yet: the sweeps you run or import are kept here.</p>}
      <ul>
        {sweeps.map((s) => (
          <li key={s.id} data-testid="sweep-history-item">
            <span>
              {experimentName(s.config, s.preset)}, {s.lr.length} × {s.clip.length} + unclipped, {s.steps} steps,{' '}
              {s.outcomes.filter((o) => o !== null).length} of {s.outcomes.length} cells ({phaseOf(s)}) · {when(s)}
            </span>
            <span className="buttons">
              <button
                type="button"
                className="small"
                disabled={s.id === current || running}
                onClick={() => reopenSweep(s)}
              >
                {s.id === current ? 'Shown' : 'Reopen'}
              </button>
              <button
                type="button"
                className="small"
                disabled={s.id === current && running}
                onClick={() => void deleteStoredSweep(s.id)}
              >
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SweepPage() {
  const sweep = useLab((s) => s.sweepRun);
  useEffect(() => {
    void refreshSweepHistory();
  }, []);
  return (
    <main className="sweep-page">
      <Setup running={sweep?.phase === 'running'} />
      {sweep ? (
        <Result sweep={sweep} />
      ) : (
        <p className="hint sweep-empty">
          Press Run sweep: the map fills in as the runs finish. Red squares are runs that diverged; the brightest are
          the lowest losses.
        </p>
      )}
      <PastSweeps current={sweep?.id ?? null} />
    </main>
  );
}
