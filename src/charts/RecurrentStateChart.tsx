/**
 * The recurrent state of each run: the largest singular value of each W_hh and the share of hidden values
 * with |h| > 0.99. What they mean depends on the cell (present/chartWords.ts): for the vanilla RNN the line at
 * 1 separates "the gradient can grow through time" from "it can only shrink"; for a gated cell it does not.
 */
import { useCallback, useMemo } from 'react';
import type { ModelKind } from '../experiment/config.ts';
import { layerInWords, saturationChartWords, spectralChartWords } from '../present/chartWords.ts';
import { modelOf } from '../present/claims.ts';
import { layerColumn } from '../store/series.ts';
import { ChartFrame } from './ChartFrame.tsx';
import {
  linesKey,
  mapLive,
  useLiveModel,
  useLiveView,
  VIEW_INTERVAL_MS,
  useStable,
  yKey,
  type LiveModel,
  type SeriesList,
} from './live.ts';
import { divergenceMarkers, latestInWords } from './markers.ts';
import { runLabel, runStyle } from './palette.ts';
import { StepChart, type LineSpec, type YAxisSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

/** The same objects on every redraw (recharts compares axis settings by reference). */
const FRACTION_AXIS = { kind: 'linear', domain: [0, 1] } as const satisfies YAxisSpec;

interface LayerModel {
  lines: LineSpec[];
  y: YAxisSpec;
}

/** The model the charts show (the runs on the charts share it); dense when no run has a layout yet. */
function shownModel(runs: ReturnType<typeof useChartRuns>): ModelKind {
  const layout = Object.values(runs).find((r) => r?.layout)?.layout;
  return layout ? modelOf(layout) : 'dense';
}

/** ||W_hh|| from 0 to a little above the largest value, in steps of 0.5 (so it changes rarely while training). */
function spectralAxis(lines: LineSpec[]): YAxisSpec {
  const values = lines.flatMap((l) => l.points.map((p) => p.y)).filter(Number.isFinite);
  const top = Math.max(1.5, ...values) * 1.1;
  return { kind: 'linear', domain: [0, Math.ceil(top * 2) / 2] };
}

/** Both runs' lines of one per-layer metric, a line per recurrent layer (dashed for the second layer), live. */
function useLayerLines(id: 'spectralNorm' | 'saturation'): { live: LiveModel<LayerModel>; view: LayerModel } {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const build = useCallback(
    (series: SeriesList): LayerModel => {
      const lines: LineSpec[] = [];
      for (const [side, s] of series) {
        s.layout.layers.slice(0, s.layout.hiddenLayers).forEach((layer, l) => {
          lines.push({
            key: `${side}-${layer}`,
            side,
            name: `${runLabel(runs, side)}: ${layerInWords(layer)}`,
            ...runStyle(runs, side),
            ...(l > 0 ? { dashed: true } : {}),
            points: s.points(layerColumn(id, layer), stepWindow, MAX_POINTS / 2),
          });
        });
      }
      return { lines, y: id === 'spectralNorm' ? spectralAxis(lines) : FRACTION_AXIS };
    },
    [runs, stepWindow, id],
  );
  const live = useLiveModel(build);
  const view = useLiveView(live, (m) => `${linesKey(m.lines)}\n${yKey(m.y)}`, VIEW_INTERVAL_MS);
  return { live, view };
}

export function SpectralNormChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const { live, view } = useLayerLines('spectralNorm');
  const diverged = divergenceMarkers(runs);
  const divergences = useStable(diverged, JSON.stringify(diverged));
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m.lines, divergences)), [live, divergences]);
  const words = spectralChartWords(shownModel(runs));
  const lines = useStable(words?.lines ?? [], JSON.stringify(words?.lines ?? []));
  if (view.lines.length === 0 || !words) return null;
  return (
    <ChartFrame
      id="spectral-norm"
      title={words.title}
      summary={words.summary}
      description={description}
      help={words.help}
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="||W_hh||"
        thresholds={lines}
        divergences={divergences}
        live={live}
      />
    </ChartFrame>
  );
}

export function SaturationChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const { live, view } = useLayerLines('saturation');
  const diverged = divergenceMarkers(runs);
  const divergences = useStable(diverged, JSON.stringify(diverged));
  const description = useMemo(() => mapLive(live, (m) => latestInWords(m.lines, divergences)), [live, divergences]);
  const layout = Object.values(runs).find((r) => r?.layout)?.layout;
  const words = layout ? saturationChartWords(modelOf(layout), layout.timeSteps) : null;
  if (view.lines.length === 0 || !words) return null;
  return (
    <ChartFrame id="saturation" title={words.title} summary={words.summary} description={description} help={words.help}>
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={FRACTION_AXIS}
        yLabel="fraction"
        divergences={divergences}
        live={live}
      />
    </ChartFrame>
  );
}
