/**
 * Why a recurrent run explodes or does not: the largest singular value of each W_hh (the line at 1
 * separates "the gradient can grow on its way back through time" from "it can only shrink") and the share
 * of saturated hidden units (|h| > 0.99), where tanh passes almost no gradient.
 */
import { useCallback, useMemo } from 'react';
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
import { SIDE_COLOR, runLabel } from './palette.ts';
import { StepChart, type LineSpec, type YAxisSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

/** The same objects on every redraw (recharts compares axis settings by reference). */
const FRACTION_AXIS = { kind: 'linear', domain: [0, 1] } as const satisfies YAxisSpec;
const AT_ONE = [{ value: 1, label: '1: growth through time possible above' }];

interface LayerModel {
  lines: LineSpec[];
  y: YAxisSpec;
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
            name: `${runLabel(runs, side)} ${layer}`,
            color: SIDE_COLOR[side],
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
  if (view.lines.length === 0) return null;
  return (
    <ChartFrame
      id="spectral-norm"
      title="||W_hh||, the recurrent matrix's largest stretch"
      summary="Above the line at 1 the gradient can grow on its way back through time; below it, it can only shrink."
      description={description}
      help="The largest singular value of each recurrent weight matrix W_hh after every update (a few rounds of power iteration a step). Backpropagation through time multiplies the gradient by diag(tanh') W_hh once per time step: with ||W_hh|| below 1 it can only shrink toward t = 1, above 1 it can grow, unless saturated units (next chart) make tanh' small."
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="||W_hh||"
        thresholds={AT_ONE}
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
  if (view.lines.length === 0) return null;
  return (
    <ChartFrame
      id="saturation"
      title="Saturated hidden units"
      summary="The share of hidden values stuck near -1 or +1, where tanh passes almost no gradient."
      description={description}
      help="For each recurrent layer, the fraction of its hidden values h_t (over the batch and all 28 time steps) with |h| > 0.99. There tanh' = 1 - h^2 is under 0.02, so little gradient flows back through those units: a run with many saturated units can leave the exploding regime even with ||W_hh|| above 1."
    >
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
