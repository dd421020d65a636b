/** The page: the tour, then either the pair of runs (controls beside their charts) or the cliff lesson. Layout only. */
import { CliffLesson } from '../cliff/CliffLesson.tsx';
import { AccuracyChart } from '../charts/AccuracyChart.tsx';
import { GlobalNormChart } from '../charts/GlobalNormChart.tsx';
import { GradNormChart } from '../charts/GradNormChart.tsx';
import { HiddenGradChart } from '../charts/HiddenGradChart.tsx';
import { LossChart } from '../charts/LossChart.tsx';
import { isRecurrent, sidesOf } from '../experiment/config.ts';
import { useLab } from '../store/labStore.ts';
import { ControlsPanel } from './ControlsPanel.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { LinkIssues } from './LinkIssues.tsx';
import { RunCard } from './RunCard.tsx';
import { Teaching } from './Teaching.tsx';
import { Toolbar } from './Toolbar.tsx';
import { PageTabs, TourBar } from './TourBar.tsx';
import { ZoomControl } from './ZoomControl.tsx';

/** The pair of runs: controls beside their charts. */
function RunsPage() {
  const config = useLab((s) => s.config);
  const sides = sidesOf(config);
  const recurrent = isRecurrent(config.model);
  return (
    <div className="layout">
      <ControlsPanel />
      <main>
        <div className="pair">
          {sides.map((side) => (
            <RunCard key={side} side={side} />
          ))}
        </div>
        <ZoomControl />
        <LossChart />
        {recurrent && <AccuracyChart />}
        <div className="pair">
          {sides.map((side) => (
            <GradNormChart key={side} side={side} />
          ))}
        </div>
        <GlobalNormChart />
        {recurrent && config.hiddenGradEvery > 0 && (
          <div className="pair">
            {sides.map((side) => (
              <HiddenGradChart key={side} side={side} />
            ))}
          </div>
        )}
        <HistoryPanel />
        <Teaching />
      </main>
    </div>
  );
}

export function App() {
  const page = useLab((s) => s.view.page);
  return (
    <div className="app">
      <header className="top">
        <h1>Gradient Lab</h1>
        <p className="tagline">Watch gradients explode, and watch clipping stop them.</p>
      </header>
      <LinkIssues />
      <TourBar />
      <PageTabs />
      <Toolbar />
      {page === 'cliff' ? <CliffLesson /> : <RunsPage />}
    </div>
  );
}
