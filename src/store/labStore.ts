/**
 * The lab's one zustand store, built from five slices: the experiment (what is
 * trained, from the link), the runs (how training is going), what the cliff
 * lesson's worker computed, the list of stored runs, and the sweep page's sweep. Metrics
 * themselves live in RunSeries objects outside React; the store holds only a
 * `seriesVersion` that is bumped at most once per animation frame.
 */
import { create, type StateCreator } from 'zustand';
import { DEFAULT_CLIFF, type CliffConfig } from '../experiment/cliff.ts';
import type { ClipConfig, ExperimentConfig, RunSide } from '../experiment/config.ts';
import { PRESETS, type PresetId } from '../experiment/presets.ts';
import { DEFAULT_VIEW, type AnyLockGroup, type ParamIssue, type ViewOptions } from '../experiment/urlCodec.ts';
import type { StoredRun } from '../persist/runHistory.ts';
import type { StoredSweep } from '../persist/sweepHistory.ts';
import type { DescentStep, PlaneWindow } from '../train/cliff.ts';
import type { Divergence, EvalMetrics, RunLayout } from '../train/metrics.ts';
import type { RunStory } from '../present/narrator.ts';
import type { ClipChange, KnobMark } from '../present/knobMarks.ts';
import type { RunPhase } from '../train/runPhase.ts';
import type { SeedOutcome } from '../train/seedBands.ts';
import type { BackendChoice, BackendChoiceView, BackendName, DataProgress } from '../worker/protocol.ts';
import type { RunSeries } from './series.ts';

export interface RunView {
  side: RunSide;
  clip: ClipConfig;
  phase: RunPhase;
  backend: BackendName | null;
  layout: RunLayout | null;
  step: number;
  divergence: Divergence | null;
  /** Why the run stopped, in plain words, when it crashed. */
  error: string | null;
  notices: string[];
  stepsPerSecond: number | null;
  lastEval: EvalMetrics | null;
  /** Its record in the run history (IndexedDB). */
  runId: string | null;
  /** A name other than the side's, for runs reopened from the history to compare. */
  title?: string;
  /** What Auto chose for this run and the speeds it measured (shown beside the speed readout). */
  backendChoice?: BackendChoiceView;
  /** The narrator's events so far and the figures its summary is written from. */
  narration?: RunStory;
  /** Knobs of this run turned while it trains (from the link's schedule or live): marked on every chart. */
  knobMarks?: KnobMark[];
  /** Its clipping's changes among those knobs: its card says what it trains with now. */
  clipChanges?: ClipChange[];
  /** A run over several seeds: what became of each seed so far (seed 0 is the link's own, the rest of the view's). */
  seeds?: SeedOutcome[];
  /** Its data downloading (MNIST), until the run is ready: the page's progress bar. */
  dataProgress?: DataProgress | null;
}

export interface ExperimentSlice {
  config: ExperimentConfig;
  preset: PresetId;
  view: ViewOptions;
  /** The cliff lesson's settings (shown when view.page is 'cliff'). */
  cliff: CliffConfig;
  /** Problems found in the link this page was opened with. */
  linkIssues: ParamIssue[];
  setLinkIssues: (issues: ParamIssue[]) => void;
  dismissLinkIssues: () => void;
  setLocked: (locked: AnyLockGroup[]) => void;
  setCliff: (patch: Partial<CliffConfig>) => void;
}

export interface RunSlice {
  runs: Partial<Record<RunSide, RunView>>;
  playing: boolean;
  backendChoice: BackendChoice;
  seriesVersion: number;
  /** Incremented whenever the runs are replaced, so charts drop old series. */
  generation: number;
  /** The steps every step chart shows: all of them, the first N, or the last N. */
  zoom: StepZoom;
  /** Slow motion: the whole run at the pace of its first seconds (session.ts, PACED_STEPS_PER_SECOND). */
  slowMotion: boolean;
}

export type StepZoom = { kind: 'all' } | { kind: 'first' | 'last'; steps: number };

export interface CliffSurfaceView {
  /** The window and T the surface was computed for (the page may have moved on). */
  window: PlaneWindow;
  T: number;
  cols: number;
  rows: number;
  /** Row-major, row 0 at bMax. */
  loss: Float32Array;
  elapsedMs: number;
  final: boolean;
}

export interface CliffPathsView {
  /** Which settings they were computed for (see cliffSession.pathsKey). */
  key: string;
  unclipped: DescentStep[];
  clipped: DescentStep[];
}

/** What the cliff lesson's worker has computed. */
export interface CliffSlice {
  cliffSurface: CliffSurfaceView | null;
  cliffPaths: CliffPathsView | null;
  cliffBackend: BackendName | null;
  cliffNotices: string[];
  cliffError: string | null;
}

/** The runs kept in IndexedDB, newest first, and why history is off if it is. */
export interface HistorySlice {
  history: StoredRun[];
  historyError: string | null;
}

/** A sweep on the sweep page: its record (as stored) and how far it has got. */
export interface SweepView extends StoredSweep {
  /** Cell-steps done, of cells x steps. */
  done: number;
  total: number;
  etaMs: number | null;
  backend: BackendName | null;
  /** Workers training it (0 for a reopened sweep). */
  workers: number;
  notices: string[];
  /** The MNIST download while the sweep's workers load their data (the slowest worker's); null once they train. */
  dataLoad?: DataProgress | null;
}

/** The sweep shown on the sweep page (running, finished or reopened), and the stored sweeps, newest first. */
export interface SweepSlice {
  sweepRun: SweepView | null;
  sweepHistory: StoredSweep[];
  sweepHistoryError: string | null;
}

/**
 * The page's own version (entry/serviceWorker.ts): a newer one that the service worker has fetched waits until
 * the student takes it, never in the middle of a run.
 */
export interface VersionSlice {
  /** A new version is installed and waiting. */
  updateReady: boolean;
  /** Activates the waiting version and reloads the page; null until the service worker is registered. */
  takeUpdate: (() => void) | null;
}

export type LabState = ExperimentSlice & RunSlice & CliffSlice & HistorySlice & SweepSlice & VersionSlice;

const createExperimentSlice: StateCreator<LabState, [], [], ExperimentSlice> = (set) => ({
  config: PRESETS['dense-explode'].config,
  preset: 'dense-explode',
  view: DEFAULT_VIEW,
  cliff: DEFAULT_CLIFF,
  linkIssues: [],
  setLinkIssues: (linkIssues) => set({ linkIssues }),
  dismissLinkIssues: () => set({ linkIssues: [] }),
  setLocked: (locked) => set((s) => ({ view: { ...s.view, locked } })),
  setCliff: (patch) => set((s) => ({ cliff: { ...s.cliff, ...patch } })),
});

const createRunSlice: StateCreator<LabState, [], [], RunSlice> = () => ({
  runs: {},
  playing: false,
  backendChoice: 'auto',
  seriesVersion: 0,
  generation: 0,
  zoom: { kind: 'all' },
  slowMotion: false,
});

const createCliffSlice: StateCreator<LabState, [], [], CliffSlice> = () => ({
  cliffSurface: null,
  cliffPaths: null,
  cliffBackend: null,
  cliffNotices: [],
  cliffError: null,
});

const createHistorySlice: StateCreator<LabState, [], [], HistorySlice> = () => ({ history: [], historyError: null });

const createSweepSlice: StateCreator<LabState, [], [], SweepSlice> = () => ({
  sweepRun: null,
  sweepHistory: [],
  sweepHistoryError: null,
});

const createVersionSlice: StateCreator<LabState, [], [], VersionSlice> = () => ({
  updateReady: false,
  takeUpdate: null,
});

export const useLab = create<LabState>()((...args) => ({
  ...createVersionSlice(...args),
  ...createSweepSlice(...args),
  ...createHistorySlice(...args),
  ...createExperimentSlice(...args),
  ...createRunSlice(...args),
  ...createCliffSlice(...args),
}));

/** Metrics of the current runs, outside React. Charts read them when `seriesVersion` changes. */
export const seriesBySide = new Map<RunSide, RunSeries>();

let frameRequested = false;
let lastBumpMs = -Infinity;
/**
 * Charts redraw at most this often. Every redraw repaints several charts of
 * up to 600 points a line; at 60 per second they would starve the main thread (see
 * docs/PERFORMANCE.md), at about 7 per second the curves still move smoothly.
 */
export const REDRAW_INTERVAL_MS = 150;

/**
 * What workers reported of each run (its step and speed) and the page does not show yet. A race of four sends some
 * 40 batches a second; put in the store one by one, each re-rendered the toolbar and a run card in the message's
 * task. Staged, they go in with the charts' next redraw, in the same store update, so the numbers and the lines move
 * together.
 */
const stagedRuns = new Map<RunSide, Partial<RunView>>();

/** Keeps a run's reported figures for the next redraw (see stagedRuns). */
export function stageRun(side: RunSide, patch: Partial<RunView>): void {
  stagedRuns.set(side, { ...stagedRuns.get(side), ...patch });
  markSeriesDirty();
}

/** Forgets what was staged: the runs it was for are gone (a reset, stored runs shown). */
export function dropStagedRuns(): void {
  stagedRuns.clear();
}

function withStaged(runs: LabState['runs']): LabState['runs'] {
  const next = { ...runs };
  for (const [side, patch] of stagedRuns) {
    const run = next[side];
    if (run) next[side] = { ...run, ...patch };
  }
  return next;
}

/**
 * The runs as the workers last reported them, staged figures included: what the session's pacing and grants go
 * by. The store's `runs` are what the page shows, up to one redraw behind.
 */
export function reportedRuns(): LabState['runs'] {
  const { runs } = useLab.getState();
  return stagedRuns.size === 0 ? runs : withStaged(runs);
}

/** Bumps `seriesVersion` on an animation frame, at most every REDRAW_INTERVAL_MS, however many batches arrive. */
export function markSeriesDirty(): void {
  if (frameRequested) return;
  frameRequested = true;
  const bump = () => {
    frameRequested = false;
    lastBumpMs = performance.now();
    useLab.setState((s) => {
      if (stagedRuns.size === 0) return { seriesVersion: s.seriesVersion + 1 };
      const runs = withStaged(s.runs);
      stagedRuns.clear();
      return { seriesVersion: s.seriesVersion + 1, runs };
    });
  };
  const wait = Math.max(0, lastBumpMs + REDRAW_INTERVAL_MS - performance.now());
  const onFrame = () => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(bump) : bump());
  setTimeout(onFrame, wait);
}

export function updateRun(side: RunSide, patch: Partial<RunView>): void {
  // Whatever was staged for the run goes in first: the store never shows a run behind what it showed.
  const staged = stagedRuns.get(side);
  stagedRuns.delete(side);
  useLab.setState((s) => {
    const current = s.runs[side];
    if (!current) return s;
    return { runs: { ...s.runs, [side]: { ...current, ...staged, ...patch } } };
  });
}
