/**
 * The embedded view (`embed=1`, experiment/embed.ts): one experiment in a frame of another page, without the
 * page's chrome. Its title, Play/Pause and Reset, the loss and gradient-norm charts of the pair or race, the
 * narrator's line and "Open in Gradient Lab" (the same experiment on the whole page, in a new tab). No tour,
 * settings or history. The charts grow or shrink so the whole view fits its frame, from 480 x 320 up, and
 * nothing is wider than the frame. Nothing here reaches the embedding page: no `window.parent` or `window.top`,
 * no messages, and the one link opens a new tab.
 */
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ChartHeightContext } from '../charts/chartHeight.ts';
import { GlobalNormChart } from '../charts/GlobalNormChart.tsx';
import { LossChart } from '../charts/LossChart.tsx';
import { numberedEvents } from '../charts/markers.ts';
import { lookColor, lookTextColor, useChartLook } from '../charts/chartLook.ts';
import { LineIcon, OwnLegendContext } from '../charts/LineLegend.tsx';
import { runLabel, runStyle } from '../charts/palette.ts';
import { useChartRuns } from '../charts/useSeries.ts';
import { RUN_SIDES } from '../experiment/config.ts';
import { fullLinkQuery } from '../experiment/embed.ts';
import type { TeacherLesson } from '../experiment/lesson.ts';
import { PRESETS } from '../experiment/presets.ts';
import { describeExperiment, experimentName, sameExperiment } from '../present/experiment.ts';
import { WATCH_FOR, leadSentences } from '../present/pageWords.ts';
import { useLab, type LabState } from '../store/labStore.ts';
import { linkHref, resetLab } from './linkSync.ts';
import { comparedSentence } from './comparedSentence.ts';
import { useNarrations } from './Narration.tsx';
import { DataLoadBar } from './DataLoadBar.tsx';
import { PlayPauseButton } from './PlayPauseButton.tsx';
import './embed.css';

/** The charts' heights the fit keeps to: below, the decade labels crowd; above, a tall frame is mostly axis. */
const MIN_CHART_PX = 140;
const MAX_CHART_PX = 420;
const FIRST_CHART_PX = 180;

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * The charts' height that makes the view as tall as its frame: what the view lacks or has to spare, shared by
 * the rows of charts, within MIN_CHART_PX..MAX_CHART_PX. Measured again whenever the view or the frame changes
 * size (a longer narrator's line, a legend that wraps, a resized frame).
 */
function useFittedChartHeight(
  view: RefObject<HTMLElement | null>,
  charts: RefObject<HTMLElement | null>,
  shown: boolean,
): number {
  const [heightPx, setHeightPx] = useState(FIRST_CHART_PX);
  useLayoutEffect(() => {
    const root = view.current;
    const grid = charts.current;
    if (!root || !grid) return;
    const fit = () => {
      const rows = new Set([...grid.children].map((c) => (c as HTMLElement).offsetTop)).size || 1;
      const spare = document.documentElement.clientHeight - root.offsetHeight;
      setHeightPx((now) => {
        const next = Math.round(Math.min(MAX_CHART_PX, Math.max(MIN_CHART_PX, now + spare / rows)));
        // A pixel or two either way is rounding, not room: no render for it.
        return Math.abs(next - now) < 3 ? now : next;
      });
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(root);
    window.addEventListener('resize', fit);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', fit);
    };
  }, [view, charts, shown]);
  return heightPx;
}

/**
 * What the narrator says now, in a line or two: the pair or race compared once the runs have started; before that,
 * the latest event; before Play, what to watch for.
 */
function narratorLine(state: Pick<LabState, 'runs' | 'config' | 'preset'>): string {
  const { runs, config, preset } = state;
  // A race's comparison goes on for a paragraph: its first two sentences (who diverged, who ended lowest) fit a
  // frame; the lab's "What happened" has the rest.
  const together = leadSentences(comparedSentence(runs), 2).lead;
  if (together) return together;
  const latest = numberedEvents(runs).at(-1);
  if (latest) return `${runLabel(runs, latest.side)}: ${latest.sentence}`;
  const custom = !sameExperiment(config, PRESETS[preset].config);
  const watchFor = (custom ? describeExperiment(config) : WATCH_FOR[preset]).replace(/^Press Play\.\s*/, '');
  return leadSentences(watchFor, 1).lead;
}

function NarratorLine() {
  // Re-rendered when the narrator publishes (an event, a run's end, or once a second), not with every batch.
  useNarrations();
  const config = useLab((s) => s.config);
  const preset = useLab((s) => s.preset);
  const line = narratorLine({ runs: useLab.getState().runs, config, preset });
  return (
    <p className="embed-narrator" aria-live="polite" title={line} data-testid="embed-narrator">
      {line}
    </p>
  );
}

/**
 * One legend for both charts, in one row: each run's colour and marker (the same on both charts, palette.ts), and
 * what a dashed line is. The charts' own legends are hidden here (embed.css): a race's four runs and their three
 * clipped lines wrapped to four rows in each chart of a 480 px frame, and pushed the view past its height.
 */
function EmbedLegend() {
  const runs = useChartRuns();
  const look = useChartLook();
  const sides = RUN_SIDES.filter((side) => runs[side]);
  if (sides.length === 0) return null;
  const anyClipped = sides.some((side) => runs[side]?.clip.mode !== 'none');
  return (
    <ul className="embed-legend" aria-label="Runs on both charts" data-testid="embed-legend">
      {sides.map((side) => {
        const { color, marker } = runStyle(runs, side);
        return (
          <li key={side}>
            <LineIcon look={{ color: lookColor(look, color), marker }} />
            <span style={{ color: lookTextColor(look, color) }}>{runLabel(runs, side)}</span>
          </li>
        );
      })}
      {anyClipped && (
        <li>
          <LineIcon look={{ color: look.faint, dashed: true }} />
          <span>after clipping</span>
        </li>
      )}
    </ul>
  );
}

/**
 * A teacher's lesson carried in the link, compactly: its title is the view's heading (EmbedView); here, one line of
 * what to look for (or the question), which opens to the whole text, the question and its choices. The frame is
 * small: the charts keep the room, and the student answers in the lab, not here.
 */
function EmbedLesson({ lesson }: { lesson: TeacherLesson }) {
  const { look, question } = lesson;
  if (!look && !question) return null;
  const lead = look ? `Look for: ${look}` : `Question: ${question?.ask ?? ''}`;
  return (
    <details className="embed-lesson" data-testid="embed-lesson">
      <summary title={lead}>
        <span className="embed-lesson-lead">{lead}</span>
      </summary>
      {look && <p>{look}</p>}
      {question && (
        <p>
          <strong>{question.ask}</strong> {question.choices.map((c) => c.text).join(' · ')}
        </p>
      )}
    </details>
  );
}

/** Play or Pause, Reset, and how far the runs are (the furthest step, and a crashed run's reason). */
function EmbedControls() {
  const playing = useLab((s) => s.playing);
  const total = useLab((s) => s.config.steps);
  const step = useLab((s) => Math.max(0, ...Object.values(s.runs).map((r) => r?.step ?? 0)));
  const errors = useLab(useShallow((s) => RUN_SIDES.map((side) => s.runs[side]?.error ?? null)));
  const runs = useLab.getState().runs;
  return (
    <div className="embed-controls" role="toolbar" aria-label="Training">
      <PlayPauseButton playing={playing} />
      <button type="button" onClick={resetLab} title="Fresh runs from the first step">
        Reset
      </button>
      <span className="readout" aria-live="off">
        Step <strong data-testid="step">{step}</strong> / {total}
      </span>
      {RUN_SIDES.map((side, i) => {
        const error = errors[i];
        return error ? (
          <p key={side} className="crashed" role="alert" data-testid={`error-${side}`}>
            {runLabel(runs, side)}: {error}
          </p>
        ) : null;
      })}
    </div>
  );
}

export function EmbedView() {
  const page = useLab((s) => s.view.page);
  const link = useLab(useShallow((s) => ({ config: s.config, preset: s.preset, view: s.view, cliff: s.cliff })));
  const issues = useLab((s) => s.linkIssues.length);
  const lesson = link.view.lesson;
  const experiment = capitalized(experimentName(link.config, link.preset));
  // A teacher's lesson names the view; the experiment's own name is then its tooltip.
  const title = lesson?.title ? lesson.title : experiment;
  const rootRef = useRef<HTMLDivElement>(null);
  const chartsRef = useRef<HTMLDivElement>(null);
  const chartPx = useFittedChartHeight(rootRef, chartsRef, page === 'runs');
  const open = (
    <a
      className="embed-open"
      href={linkHref(fullLinkQuery(link))}
      target="_blank"
      rel="noopener"
      data-testid="embed-open"
    >
      Open in Gradient Lab<span aria-hidden="true"> ↗</span>
      <span className="visually-hidden"> (new tab)</span>
    </a>
  );
  return (
    <div className="embed" ref={rootRef} data-testid="embed">
      <header className="embed-head">
        <h1 className="embed-title" title={title === experiment ? title : `${title} (${experiment})`}>
          {title}
        </h1>
        {open}
      </header>
      {issues > 0 && (
        <p className="embed-issues" role="status" data-testid="link-issues">
          Some of this link&apos;s settings could not be used; open it in Gradient Lab to see which.
        </p>
      )}
      {page === 'runs' ? (
        <>
          {/* The lesson's line beside Play where the frame is wide enough, under it where not: a line saved. */}
          <div className="embed-bar">
            <EmbedControls />
            {lesson && <EmbedLesson lesson={lesson} />}
          </div>
          {/* One legend under both charts (EmbedLegend), so the charts keep their height for the plot. */}
          <ChartHeightContext value={chartPx}>
            <OwnLegendContext value={false}>
              <div className="embed-charts" ref={chartsRef}>
                <DataLoadBar />
                <LossChart />
                <GlobalNormChart />
              </div>
            </OwnLegendContext>
          </ChartHeightContext>
          <EmbedLegend />
          <NarratorLine />
        </>
      ) : (
        <p className="embed-other-page">
          This link opens the {page === 'cliff' ? 'cliff lesson' : 'sweep page'}, which needs the whole page: open it in
          Gradient Lab.
        </p>
      )}
    </div>
  );
}
