/**
 * How well each run does on data it never trained on. MNIST: batch and test accuracy. The adding problem has
 * no accuracy (its answer is a number), so the chart shows the test MSE instead, beside the 0.167 a net that
 * always answers 1 would score.
 */
import { useCallback, useMemo } from 'react';
import { isRecurrent } from '../experiment/config.ts';
import { heldOutChartWords } from '../present/chartWords.ts';
import { useLab } from '../store/labStore.ts';
import { ChartFrame } from './ChartFrame.tsx';
import {
  linesKey,
  mapLive,
  useLiveModel,
  useLiveView,
  VIEW_INTERVAL_MS,
  useStable,
  yKey,
  type SeriesList,
} from './live.ts';
import { ADDING_REFERENCE } from './LossChart.tsx';
import { divergenceMarkers, latestInWords } from './markers.ts';
import { runLabel, runStyle } from './palette.ts';
import { StepChart, type LineSpec, type YAxisSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';
import { bandedTests } from './seedLines.ts';

/** The same object on every redraw (recharts compares axis settings by reference). */
const ACCURACY_AXIS = { kind: 'linear', domain: [0, 1] } as const satisfies YAxisSpec;

/** Test-MSE axes from 0 to the first of these tops that holds every point, each one object for the same reason. */
const MSE_TOPS = [0.25, 0.5, 1, 2, 5, 10, 100, 1e3, 1e4, 1e6];
const MSE_AXES = new Map<number, YAxisSpec>(MSE_TOPS.map((top) => [top, { kind: 'linear', domain: [0, top] }]));

function mseAxis(values: number[]): YAxisSpec {
  const finite = values.filter(Number.isFinite);
  const highest = Math.max(0, ...finite);
  const top = MSE_TOPS.find((t) => t >= highest) ?? MSE_TOPS[MSE_TOPS.length - 1] ?? 1;
  return MSE_AXES.get(top) ?? ACCURACY_AXIS;
}

export function AccuracyChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const adding = useLab((s) => isRecurrent(s.config.model) && s.config.task === 'adding');
  const evalEvery = useLab((s) => s.config.evalEvery);
  const seeds = useLab((s) => s.config.seeds);
  const diverged = divergenceMarkers(runs);
  const divergences = useStable(diverged, JSON.stringify(diverged));
  const build = useCallback(
    (series: SeriesList) => {
      const lines: LineSpec[] = [];
      for (const [side, s] of series) {
        const evals = s.evals.filter((e) => e.step >= stepWindow[0] && e.step <= stepWindow[1]);
        if (s.bands) {
          // Over several seeds: the test metric's median and band (batch accuracy is the link's seed's alone: left out).
          lines.push({
            key: `${side}-test${adding ? '-mse' : ''}`,
            name: `${runLabel(runs, side)} test ${adding ? 'MSE' : 'accuracy'}, median of ${seeds} seeds`,
            ...runStyle(runs, side),
            ...bandedTests(s.bands.tests, stepWindow),
          });
          continue;
        }
        if (adding) {
          lines.push({
            key: `${side}-test-mse`,
            name: `${runLabel(runs, side)} test MSE`,
            ...runStyle(runs, side),
            points: evals.map((e) => ({ x: e.step, y: e.testLoss })),
          });
          continue;
        }
        lines.push({
          key: `${side}-batch`,
          name: `${runLabel(runs, side)} batch accuracy`,
          ...runStyle(runs, side),
          dashed: true,
          points: s.points('accuracy', stepWindow, MAX_POINTS / 2),
        });
        lines.push({
          key: `${side}-test`,
          name: `${runLabel(runs, side)} test accuracy`,
          ...runStyle(runs, side),
          points: evals.flatMap((e) => (e.testAccuracy === null ? [] : [{ x: e.step, y: e.testAccuracy }])),
        });
      }
      const y = adding
        ? mseAxis(lines.flatMap((l) => [...l.points, ...(l.band?.hi ?? [])].map((p) => p.y)))
        : ACCURACY_AXIS;
      return { lines, y };
    },
    [runs, stepWindow, adding, seeds],
  );
  const live = useLiveModel(build);
  const view = useLiveView(live, (m) => `${linesKey(m.lines)}\n${yKey(m.y)}`, VIEW_INTERVAL_MS);
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m.lines, divergences)), [live, divergences]);
  // One chart, two readings: test MSE for the adding problem (with the always-1 line), accuracy for digits.
  const words = heldOutChartWords(adding ? 'adding' : 'mnist', evalEvery);
  if (!words) return null;
  return (
    <ChartFrame id="accuracy" title={words.title} summary={words.summary} description={description} help={words.help}>
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel={words.yLabel}
        divergences={divergences}
        {...(adding ? { thresholds: ADDING_REFERENCE } : {})}
        live={live}
      />
    </ChartFrame>
  );
}
