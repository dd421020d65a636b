/**
 * How far clipping turns each step: the angle between the gradient and the step taken, acos(clipCosine).
 * Global-norm clipping only shortens the step (0°); clipping by value cuts the large elements and keeps the
 * small ones, and per-tensor norm clipping rescales each layer on its own, so both turn it.
 */
import { useCallback, useMemo } from 'react';
import { directionChartWords } from '../present/chartWords.ts';
import { toDegrees } from './angle.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { linesKey, mapLive, useLiveModel, useLiveView, useStable, VIEW_INTERVAL_MS, type SeriesList } from './live.ts';
import { divergenceMarkers, latestInWords } from './markers.ts';
import { runLabel, runStyle } from './palette.ts';
import { StepChart, type LineSpec, type YAxisSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

/** The same object on every redraw (recharts compares axis settings by reference). */
/** A little room below 0°, so a run that keeps the direction (the global modes) is a line, not the axis. */
const DEGREES_AXIS: YAxisSpec = { kind: 'linear', domain: [-3, 90], ticks: [0, 30, 60, 90] };

export function DirectionChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const build = useCallback(
    (series: SeriesList): LineSpec[] =>
      series
        .filter(([side]) => runs[side]?.clip.mode !== 'none')
        .map(([side, s]) => ({
          key: `${side}-turn`,
          side,
          name: runLabel(runs, side),
          ...runStyle(runs, side),
          points: toDegrees(s.points('clipCosine', stepWindow, MAX_POINTS)),
        })),
    [runs, stepWindow],
  );
  const live = useLiveModel(build);
  const lines = useLiveView(live, linesKey, VIEW_INTERVAL_MS);
  const diverged = divergenceMarkers(runs);
  const divergences = useStable(diverged, JSON.stringify(diverged));
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m, divergences)), [live, divergences]);
  const liveLines = useMemo(() => mapLive(live, (m) => ({ lines: m, y: DEGREES_AXIS })), [live]);
  // Shown whenever a run's clipping can turn the step, even before its first step is drawn.
  const words = directionChartWords(Object.values(runs).flatMap((r) => (r ? [r.clip] : [])));
  if (!words) return null;
  return (
    <ChartFrame id="direction" title={words.title} summary={words.summary} description={description} help={words.help}>
      <StepChart
        lines={lines}
        xDomain={stepWindow}
        y={DEGREES_AXIS}
        yLabel="degrees"
        divergences={divergences}
        live={liveLines}
      />
    </ChartFrame>
  );
}
