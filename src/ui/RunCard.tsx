/** One run's state in words: its clipping, backend, progress, and what went wrong if anything did. */
import { useState } from 'react';
import { lookColor, lookTextColor, useChartLook } from '../charts/chartLook.ts';
import { SIDE_LABEL, runColor } from '../charts/palette.ts';
import type { ClipConfig, RunSide } from '../experiment/config.ts';
import { clipChangeInForce, type ClipChange } from '../present/knobMarks.ts';
import { describeClip, formatNumber } from '../present/describe.ts';
import { storedSteps } from '../store/historySession.ts';
import { seriesBySide, useLab, type RunView } from '../store/labStore.ts';
import { explainDivergence } from '../present/explain.ts';
import { downloadBlob } from '../widgets/download.ts';
import { UNCLIPPED_TITLE } from './runNames.ts';
import { loadFailedWords } from './LoadBoundary.tsx';
import { clipName } from '../present/clipName.ts';
import { quotableEvaluation } from '../present/claims.ts';

const PHASE_WORDS = {
  starting: 'starting',
  ready: 'ready',
  running: 'training',
  paused: 'paused',
  finished: 'finished',
  diverged: 'diverged',
  crashed: 'stopped',
} as const;

/**
 * A lone run without clipping is the "Unclipped run" (runNames.ts titles it so, as every chart does); a run
 * named by its clipping (a race) is that name; otherwise its name and its clipping's short name.
 */
function cardTitle(run: RunView, side: RunSide, clip: ClipConfig): string {
  const turned = clipName(clip) !== clipName(run.clip);
  if (run.title === UNCLIPPED_TITLE) return turned ? clipName(clip) : `${UNCLIPPED_TITLE} run`;
  const short = clipName(clip);
  // A race's run is named by its clipping: once a knob turns it, by the clipping it trains with now.
  if (run.title === clipName(run.clip)) return short;
  return `${run.title ?? SIDE_LABEL[side]}: ${short}`;
}

/** The clipping in words, and since when, if a knob turned it while it trained. */
function clipWords(run: RunView, change: ClipChange | null): string {
  if (!change || describeClip(change.clip) === describeClip(run.clip)) return describeClip(run.clip);
  return `${describeClip(change.clip)}, from step ${change.step + 1} (it started with ${describeClip(run.clip)})`;
}

export function RunCard({ side }: { side: RunSide }) {
  const run = useLab((s) => s.runs[side]);
  const look = useChartLook();
  const color = useLab((s) => runColor(s.runs, side));
  useLab((s) => s.seriesVersion);
  const config = useLab((s) => s.config);
  const preset = useLab((s) => s.preset);
  const [downloadFailed, setDownloadFailed] = useState(false);
  if (!run) return null;
  // A knob turned during the run changes its clipping from a step on; the card says what it trains with now.
  const change = clipChangeInForce(run.clipChanges ?? [], run.step);
  const clip = change?.clip ?? run.clip;
  // A diverged run's evaluation after it diverged measures overflowed weights: the card does not quote it.
  const lastEval = quotableEvaluation(run.lastEval, run.divergence);
  const series = seriesBySide.get(side);
  const last = series?.last ?? null;
  const exportFile = async (kind: 'csv' | 'json') => {
    if (!series) return;
    // The files' code (and the export format's schema) comes when first asked for: the page starts without it.
    const files = await import('../store/export.ts').catch(() => null);
    setDownloadFailed(files === null);
    if (!files) return;
    const { exportRows, runCsv, runJson } = files;
    // The full record is in IndexedDB; without it the page's own copy (the last TAIL steps) is what there is.
    const stored = run.runId ? await storedSteps(run.runId) : null;
    const rows = exportRows(stored?.steps ?? null, series.recentRows);
    const evals = stored && stored.evals.length > 0 ? stored.evals : series.evals;
    const text =
      kind === 'csv' ? runCsv(series.layout, rows, evals) : runJson(run, config, preset, series.layout, rows, evals);
    downloadBlob(
      new Blob([text], { type: kind === 'csv' ? 'text/csv' : 'application/json' }),
      `gradient-lab-${side}-${run.step}steps.${kind}`,
    );
  };
  return (
    <article
      className="run-card"
      style={{ borderTopColor: lookColor(look, color) }}
      aria-labelledby={`run-${side}`}
      data-run={side}
      data-phase={run.phase}
    >
      <header>
        <h2 id={`run-${side}`} style={{ color: lookTextColor(look, color) }}>
          {/* Short, so it stays within two lines in a race of four: the clipping's own name; its long form is below. */}
          {cardTitle(run, side, clip)}
        </h2>
        <span className={`badge phase-${run.phase}`}>{PHASE_WORDS[run.phase]}</span>
        <span className="badge backend" data-testid={`backend-${side}`} title="TensorFlow.js backend training this run">
          {run.backend ? run.backend.toUpperCase() : '...'}
        </span>
      </header>
      <p className="clip-words" data-testid={`clip-words-${side}`}>
        {clipWords(run, change)}
      </p>
      <dl className="figures">
        <div>
          <dt>step</dt>
          <dd data-testid={`step-${side}`}>{run.step}</dd>
        </div>
        <div>
          <dt>loss</dt>
          <dd data-testid={`loss-${side}`}>{last ? formatNumber(last.loss, 4) : '-'}</dd>
        </div>
        <div>
          <dt>gradient norm</dt>
          <dd>{last ? formatNumber(last.globalNormPre) : '-'}</dd>
        </div>
        {lastEval && lastEval.testAccuracy !== null && (
          <div>
            <dt>{run.divergence ? `test accuracy (step ${lastEval.step})` : 'test accuracy'}</dt>
            <dd data-testid={`test-accuracy-${side}`}>{(lastEval.testAccuracy * 100).toFixed(1)}%</dd>
          </div>
        )}
        {lastEval && lastEval.testAccuracy === null && (
          <div>
            <dt>{run.divergence ? `test MSE (step ${lastEval.step})` : 'test MSE'}</dt>
            <dd data-testid={`test-mse-${side}`}>{formatNumber(lastEval.testLoss, 3)}</dd>
          </div>
        )}
      </dl>
      {run.divergence && series && (
        <p className="diverged" role="alert" data-testid={`diverged-${side}`}>
          <strong>Diverged at step {run.divergence.step}.</strong>{' '}
          {explainDivergence(run.divergence, [...series.recentRows])}
        </p>
      )}
      {run.error && (
        <p className="crashed" role="alert" data-testid={`error-${side}`}>
          {run.error}
        </p>
      )}
      {run.notices.map((notice, i) => (
        <p key={i} className="notice" role="status" data-testid={`notice-${side}`}>
          {notice}
        </p>
      ))}
      <div className="buttons">
        <button
          type="button"
          className="small"
          disabled={!series || series.count === 0}
          onClick={() => void exportFile('csv')}
        >
          Download CSV
        </button>
        <button
          type="button"
          className="small"
          disabled={!series || series.count === 0}
          onClick={() => void exportFile('json')}
        >
          Download JSON
        </button>
      </div>
      {downloadFailed && (
        <p className="load-failed" role="alert">
          {loadFailedWords('the downloads')}
        </p>
      )}
    </article>
  );
}
