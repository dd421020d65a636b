/**
 * The page: what the experiment is and what to watch for, Play, then the charts that show it, all in
 * the first screen; the settings in a panel beside them that folds away (a drawer on narrow screens,
 * folded when a teacher's link locks settings). The cliff lesson replaces the runs. Layout only.
 */
import {
  lazy,
  Suspense,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
  type RefObject,
} from 'react';
import { AccuracyChart } from '../charts/AccuracyChart.tsx';
import { DirectionChart } from '../charts/DirectionChart.tsx';
import { GlobalNormChart } from '../charts/GlobalNormChart.tsx';
import { GradNormChart } from '../charts/GradNormChart.tsx';
import { HiddenGradChart } from '../charts/HiddenGradChart.tsx';
import { SaturationChart, SpectralNormChart } from '../charts/RecurrentStateChart.tsx';
import { LossChart } from '../charts/LossChart.tsx';
import { ChartHeightContext } from '../charts/chartHeight.ts';
import { ChartLookContext, chartLook } from '../charts/chartLook.ts';
import { isRecurrent, sidesOf } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import { useLab } from '../store/labStore.ts';
import { ControlsPanel } from './ControlsPanel.tsx';
import { DataLoadBar } from './DataLoadBar.tsx';
import { LinkIssues } from './LinkIssues.tsx';
import { LoadBoundary } from './LoadBoundary.tsx';
import { RunCard } from './RunCard.tsx';
import { describeExperiment, experimentName, sameExperiment } from '../present/experiment.ts';
import { WATCH_FOR, leadSentences } from '../present/pageWords.ts';
import { MoreText, useMore } from './MoreText.tsx';
import { Narration } from './Narration.tsx';
import { TeacherLesson } from './TeacherLesson.tsx';
import { Teaching } from './Teaching.tsx';
import { Toolbar } from './Toolbar.tsx';
import { UpdateBanner } from './UpdateBanner.tsx';
import { PageTabs, TourBar } from './TourBar.tsx';
import { PresentControls } from './PresentControls.tsx';
import { useTheme } from './theme.ts';
import { fittedChartPx, presentChartPx } from './presentLayout.ts';
import { ZoomControl } from './ZoomControl.tsx';

/*
 * Loaded when first shown, not with the page: the cliff and the sweep are pages of their own, and the history
 * sits below every chart (its store, which records runs, is loaded with the page).
 */
const CliffLesson = lazy(() => import('../cliff/CliffLesson.tsx').then((m) => ({ default: m.CliffLesson })));
const SweepPage = lazy(() => import('../sweep/SweepPage.tsx').then((m) => ({ default: m.SweepPage })));
const HistoryPanel = lazy(() => import('./HistoryPanel.tsx').then((m) => ({ default: m.HistoryPanel })));
/** Only a page embedded in another loads the embedded view. */
const EmbedView = lazy(() => import('./EmbedView.tsx').then((m) => ({ default: m.EmbedView })));

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

/**
 * Presenter mode's chart height: from a first guess by the window's height, fitted so the grid of charts ends at the
 * window's bottom (presentLayout.ts), measured again when the grid or the window changes size. The rows are counted
 * as laid out (a race's five charts are two rows of three on a wide screen).
 */
function useFittedPresentPx(grid: RefObject<HTMLElement | null>, enabled: boolean): number {
  const [heightPx, setHeightPx] = useState(() => presentChartPx(window.innerHeight, 1));
  useLayoutEffect(() => {
    const element = grid.current;
    if (!enabled || !element) return;
    const fit = () => {
      const rows = new Set([...element.children].map((c) => (c as HTMLElement).offsetTop)).size || 1;
      const bottom = element.getBoundingClientRect().bottom + window.scrollY;
      setHeightPx((now) => {
        const next = fittedChartPx(now, bottom, window.innerHeight, rows);
        // A pixel or two either way is rounding, not room: no render for it.
        return Math.abs(next - now) < 3 ? now : next;
      });
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    window.addEventListener('resize', fit);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', fit);
    };
  }, [grid, enabled]);
  return heightPx;
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** The experiment's name and what to watch for, two sentences and the rest folded (in the tour, the lesson says it). */
function Intro() {
  const preset = useLab((s) => s.preset);
  const config = useLab((s) => s.config);
  const inTour = useLab((s) => s.view.tour !== null);
  const teacherLesson = useLab((s) => s.view.lesson !== null);
  const more = useMore('intro-more');
  if (inTour || teacherLesson) return null; // the teacher's lesson says what to look for
  // Once a setting differs from the preset, the preset's own words would go stale: say what is set instead.
  const custom = !sameExperiment(config, PRESETS[preset].config);
  const { lead, rest } = leadSentences(custom ? `${describeExperiment(config)} Press Play.` : WATCH_FOR[preset]);
  return (
    <section className="intro" aria-labelledby="experiment-name">
      <h2 id="experiment-name">{capitalized(experimentName(config, preset))}</h2>
      <p>
        {lead} {rest && <MoreText.Toggle more={more} label="about this experiment" />}
      </p>
      {rest && (
        <MoreText more={more}>
          <p>{rest}</p>
        </MoreText>
      )}
    </section>
  );
}

/**
 * Whether the settings are shown: open on a wide screen, folded on a narrow one or when the link locks
 * settings, until the student says otherwise (for this lock; a new lock folds them again).
 */
function useSettingsOpen(narrow: boolean, present: boolean): [boolean, (open: boolean) => void] {
  // Presenter mode folds them too: the charts take the width.
  const lockKey = `${useLab((s) => s.view.locked.join(','))}${present ? '|present' : ''}`;
  const [choice, setChoice] = useState<{ open: boolean; lockKey: string; narrow: boolean } | null>(null);
  const open =
    choice && choice.lockKey === lockKey && choice.narrow === narrow ? choice.open : lockKey === '' && !narrow;
  return [open, (next) => setChoice({ open: next, lockKey, narrow })];
}

/** The pair of runs: the settings, folded or not, beside the run cards and their charts. */
function RunsPage({
  settingsOpen,
  closeSettings,
  afterCharts,
}: {
  settingsOpen: boolean;
  closeSettings: () => void;
  /** Presenter mode: the lesson's words, under the charts and the narrator instead of above them. */
  afterCharts?: ReactNode;
}) {
  const config = useLab((s) => s.config);
  const present = useLab((s) => s.view.present);
  const sides = sidesOf(config);
  const recurrent = isRecurrent(config.model);
  const gridRef = useRef<HTMLDivElement>(null);
  const presentPx = useFittedPresentPx(gridRef, present);
  const charts = (
    <div className={`chart-grid n${sides.length + 1}`} ref={gridRef}>
      <DataLoadBar />
      <LossChart />
      {sides.map((side) => (
        <GradNormChart key={side} side={side} />
      ))}
    </div>
  );
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
        {present ? <ChartHeightContext value={presentPx}>{charts}</ChartHeightContext> : charts}
        <Narration />
        {afterCharts}
        {/* Below the charts, so a long explanation (a divergence) never pushes the charts out of view. */}
        <div className={`pair cards n${sides.length}`}>
          {sides.map((side) => (
            <RunCard key={side} side={side} />
          ))}
        </div>
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
        <Teaching />
        <LoadBoundary what="the history of runs">
          <Suspense fallback={null}>
            <HistoryPanel />
          </Suspense>
        </LoadBoundary>
      </main>
    </div>
  );
}

/**
 * The whole lab, or (a link with `embed=1`) the experiment alone for a frame in another page; in the theme in use,
 * and in presenter mode (`present=1`, not in an embed) with the charts' large text and thick lines.
 */
export function App() {
  const embed = useLab((s) => s.view.embed);
  const present = useLab((s) => s.view.present) && !embed;
  const theme = useTheme();
  useLayoutEffect(() => {
    // On <html>, not the app's element: an enlarged chart is drawn outside it (charts/ChartFrame.tsx).
    if (present) document.documentElement.dataset.present = '';
    else delete document.documentElement.dataset.present;
  }, [present]);
  return (
    <ChartLookContext value={chartLook(theme, present)}>
      {embed ? (
        <LoadBoundary what="the embedded experiment">
          <Suspense fallback={<PageLoading />}>
            <EmbedView />
          </Suspense>
        </LoadBoundary>
      ) : (
        <LabPage />
      )}
    </ChartLookContext>
  );
}

function LabPage() {
  const page = useLab((s) => s.view.page);
  const present = useLab((s) => s.view.present);
  const narrow = useNarrow();
  const [settingsOpen, setSettingsOpen] = useSettingsOpen(narrow, present);
  // On a narrow screen the settings are a drawer over the page: focus goes into it, and back when it closes.
  const toggleSettings = () => {
    setSettingsOpen(!settingsOpen);
    if (!settingsOpen && narrow) requestAnimationFrame(() => document.getElementById('settings-close')?.focus());
  };
  const closeSettings = () => {
    setSettingsOpen(false);
    if (narrow) document.getElementById('settings-toggle')?.focus();
  };
  // Presenter mode puts the charts first: the tour's and the teacher's words go under them, not above.
  const presentRuns = present && page === 'runs';
  const lesson = (
    <>
      <TourBar />
      <TeacherLesson />
      {page === 'runs' && <Intro />}
    </>
  );
  return (
    <div className="app">
      <header className="top">
        <h1>Gradient Lab</h1>
        <p className="tagline">Watch gradients explode, see clipping stop them, and learn when it does not help.</p>
        {/* On the runs page they sit in the view bar, beside Settings: the header stays one line at 1366 px. */}
        {page !== 'runs' && <PresentControls />}
        <PageTabs />
      </header>
      <LinkIssues />
      <UpdateBanner />
      {!presentRuns && lesson}
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
            <PresentControls />
          </div>
        )}
      </div>
      {page === 'cliff' ? (
        <LoadBoundary what="the cliff">
          <Suspense fallback={<PageLoading />}>
            <CliffLesson />
          </Suspense>
        </LoadBoundary>
      ) : page === 'sweep' ? (
        <LoadBoundary what="the sweep page">
          <Suspense fallback={<PageLoading />}>
            <SweepPage />
          </Suspense>
        </LoadBoundary>
      ) : (
        <RunsPage
          settingsOpen={settingsOpen}
          closeSettings={closeSettings}
          {...(presentRuns ? { afterCharts: <div className="present-lesson">{lesson}</div> } : {})}
        />
      )}
    </div>
  );
}

/** While a page's code loads (a moment online; offline it is in the service worker's cache). */
function PageLoading() {
  return (
    <p className="page-loading" role="status">
      Loading the page…
    </p>
  );
}
