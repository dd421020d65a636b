/**
 * The page: what the experiment is and what to watch for, Play, then the charts that show it, all in
 * the first screen; the settings in a panel beside them that folds away (a drawer on narrow screens,
 * folded when a teacher's link locks settings). The cliff lesson replaces the runs. Layout only.
 */
import { lazy, startTransition, Suspense, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { isRecurrent, sidesOf } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import { useLab } from '../store/labStore.ts';
import { ControlsPanel } from './ControlsPanel.tsx';
import { LinkIssues } from './LinkIssues.tsx';
import { RunCard } from './RunCard.tsx';
import { describeExperiment, experimentName, sameExperiment } from '../present/experiment.ts';
import { WATCH_FOR } from '../present/pageWords.ts';
import { Narration } from './Narration.tsx';
import { Teaching } from './Teaching.tsx';
import { Toolbar } from './Toolbar.tsx';
import { PageTabs, TourBar } from './TourBar.tsx';
import { ZoomControl } from './ZoomControl.tsx';
import { UpdateBanner } from '../widgets/UpdateBanner.tsx';

// Loaded when first shown, so the first screen's JavaScript holds only the runs page (docs/PERFORMANCE.md).
const CliffLesson = lazy(async () => ({ default: (await import('../cliff/CliffLesson.tsx')).CliffLesson }));
const SweepPage = lazy(async () => ({ default: (await import('../sweep/SweepPage.tsx')).SweepPage }));
const HistoryPanel = lazy(async () => ({ default: (await import('./HistoryPanel.tsx')).HistoryPanel }));
// The charts (and recharts, the largest library of the page) come in a chunk of their own, fetched as soon as the
// page renders, while the first screen's words and Play are already there. Each chart keeps its place meanwhile.
const LossChart = lazy(async () => ({ default: (await import('../charts/LossChart.tsx')).LossChart }));
const GradNormChart = lazy(async () => ({ default: (await import('../charts/GradNormChart.tsx')).GradNormChart }));
const GlobalNormChart = lazy(async () => ({
  default: (await import('../charts/GlobalNormChart.tsx')).GlobalNormChart,
}));
const DirectionChart = lazy(async () => ({ default: (await import('../charts/DirectionChart.tsx')).DirectionChart }));
const AccuracyChart = lazy(async () => ({ default: (await import('../charts/AccuracyChart.tsx')).AccuracyChart }));
const HiddenGradChart = lazy(async () => ({
  default: (await import('../charts/HiddenGradChart.tsx')).HiddenGradChart,
}));
const SpectralNormChart = lazy(async () => ({
  default: (await import('../charts/RecurrentStateChart.tsx')).SpectralNormChart,
}));
const SaturationChart = lazy(async () => ({
  default: (await import('../charts/RecurrentStateChart.tsx')).SaturationChart,
}));

/** Where a chart will be, the height of a chart, until its code has loaded (so nothing below it moves). */
function ChartSlot({ children }: { children: ReactNode }) {
  return (
    <Suspense fallback={<div className="chart" style={{ minHeight: 318 }} aria-hidden="true" />}>{children}</Suspense>
  );
}

/** Narrow screens (phones, tablets upright) get the settings as a drawer, closed at first. */
const NARROW = '(max-width: 900px)';

function subscribeNarrow(onChange: () => void): () => void {
  const query = window.matchMedia(NARROW);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

function useNarrow(): boolean {
  return useSyncExternalStore(
    subscribeNarrow,
    () => window.matchMedia(NARROW).matches,
    () => false,
  );
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** The experiment's name and what to watch for (inside the tour, the lesson says it instead). */
function Intro() {
  const preset = useLab((s) => s.preset);
  const config = useLab((s) => s.config);
  const inTour = useLab((s) => s.view.tour !== null);
  if (inTour) return null;
  // Once a setting differs from the preset, the preset's own words would go stale: say what is set instead.
  const custom = !sameExperiment(config, PRESETS[preset].config);
  return (
    <section className="intro" aria-labelledby="experiment-name">
      <h2 id="experiment-name">{capitalized(experimentName(config, preset))}</h2>
      <p>{custom ? `${describeExperiment(config)} Press Play.` : WATCH_FOR[preset]}</p>
    </section>
  );
}

/**
 * Whether the settings are shown: open on a wide screen, folded on a narrow one or when the link locks
 * settings, until the student says otherwise (for this lock; a new lock folds them again).
 */
function useSettingsOpen(narrow: boolean): [boolean, (open: boolean) => void] {
  const lockKey = useLab((s) => s.view.locked.join(','));
  const [choice, setChoice] = useState<{ open: boolean; lockKey: string; narrow: boolean } | null>(null);
  const open =
    choice && choice.lockKey === lockKey && choice.narrow === narrow ? choice.open : lockKey === '' && !narrow;
  return [open, (next) => setChoice({ open: next, lockKey, narrow })];
}

/**
 * What lies below the first screen, rendered once the first screen has painted and then in a transition (React
 * yields to the browser every few milliseconds), so its charts are not part of the page's first long task.
 */
function BelowTheFold({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => startTransition(() => setShown(true)), 0);
    return () => clearTimeout(timer);
  }, []);
  return shown ? children : null;
}

/** The pair of runs: the settings, folded or not, beside the run cards and their charts. */
function RunsPage({ settingsOpen, closeSettings }: { settingsOpen: boolean; closeSettings: () => void }) {
  const config = useLab((s) => s.config);
  const sides = sidesOf(config);
  const recurrent = isRecurrent(config.model);
  return (
    <div className={`layout${settingsOpen ? ' settings-open' : ''}`}>
      <aside
        id="settings"
        className="settings"
        aria-label="Settings"
        hidden={!settingsOpen}
        onKeyDown={(e) => {
          if (e.key === 'Escape') closeSettings();
        }}
      >
        <div className="settings-head">
          <h2>Settings</h2>
          <button type="button" id="settings-close" className="small" onClick={closeSettings}>
            Hide settings
          </button>
        </div>
        <ControlsPanel />
      </aside>
      <main>
        <div className={`chart-grid n${sides.length + 1}`}>
          <ChartSlot>
            <LossChart />
          </ChartSlot>
          {sides.map((side) => (
            <ChartSlot key={side}>
              <GradNormChart side={side} />
            </ChartSlot>
          ))}
        </div>
        <Narration />
        {/* Below the charts, so a long explanation (a divergence) never pushes the charts out of view. */}
        <div className={`pair cards n${sides.length}`}>
          {sides.map((side) => (
            <RunCard key={side} side={side} />
          ))}
        </div>
        <BelowTheFold>
          <Suspense fallback={null}>
            {recurrent && <AccuracyChart />}
            <GlobalNormChart />
            <DirectionChart />
            {recurrent && config.hiddenGradEvery > 0 && (
              <div className="pair">
                {sides.map((side) => (
                  <HiddenGradChart key={side} side={side} />
                ))}
              </div>
            )}
            {recurrent && (
              <div className="pair">
                <SpectralNormChart />
                <SaturationChart />
              </div>
            )}
          </Suspense>
          <Teaching />
          <Suspense fallback={null}>
            <HistoryPanel />
          </Suspense>
        </BelowTheFold>
      </main>
    </div>
  );
}

export function App() {
  const page = useLab((s) => s.view.page);
  const busy = useLab(
    (s) => s.playing || (s.sweepRun !== null && s.sweepRun.workers > 0 && s.sweepRun.done < s.sweepRun.total),
  );
  const narrow = useNarrow();
  const [settingsOpen, setSettingsOpen] = useSettingsOpen(narrow);
  // On a narrow screen the settings are a drawer over the page: focus goes into it, and back when it closes.
  const toggleSettings = () => {
    setSettingsOpen(!settingsOpen);
    if (!settingsOpen && narrow) requestAnimationFrame(() => document.getElementById('settings-close')?.focus());
  };
  const closeSettings = () => {
    setSettingsOpen(false);
    if (narrow) document.getElementById('settings-toggle')?.focus();
  };
  return (
    <div className="app">
      <header className="top">
        <h1>Gradient Lab</h1>
        <p className="tagline">Watch gradients explode, see clipping stop them, and learn when it does not help.</p>
        <PageTabs />
      </header>
      <UpdateBanner busy={busy} />
      <LinkIssues />
      <TourBar />
      {page === 'runs' && <Intro />}
      <div className="action-row">
        <Toolbar />
        {page === 'runs' && (
          <div className="view-bar">
            <button
              type="button"
              id="settings-toggle"
              className="settings-toggle"
              aria-expanded={settingsOpen}
              aria-controls="settings"
              onClick={toggleSettings}
            >
              Settings
            </button>
            <ZoomControl />
          </div>
        )}
      </div>
      {page === 'runs' ? (
        <RunsPage settingsOpen={settingsOpen} closeSettings={closeSettings} />
      ) : (
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {page === 'cliff' ? <CliffLesson /> : <SweepPage />}
        </Suspense>
      )}
    </div>
  );
}
