/** Per-layer gradient norms of one run, before and after clipping, on axes shared with the other run. */
import { useMemo } from 'react';
import type { RunSide } from '../experiment/config.ts';
import { describeClip } from '../present/describe.ts';
import { layerColumn } from '../store/series.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { clipActedSteps, divergenceMarkers } from './markers.ts';
import { SIDE_COLOR, layerColor, runLabel } from './palette.ts';
import { logDomain } from './scales.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useSeries, useStepWindow } from './useSeries.ts';

export function GradNormChart({ side }: { side: RunSide }) {
  const { series } = useSeries();
  const runs = useChartRuns();
  const run = runs[side];
  const stepWindow = useStepWindow();
  const { lines, domain, clipped } = useMemo(() => {
    const mine = series.find(([s]) => s === side)?.[1];
    const lines: LineSpec[] = [];
    let clipped: number[] = [];
    if (mine) {
      mine.layout.layers.forEach((layer, l) => {
        const color = layerColor(l);
        const options = { positiveOnly: true };
        const pre = mine.points(layerColumn('layerNormPre', layer), stepWindow, MAX_POINTS / 2, options);
        lines.push({ key: `${layer}-pre`, name: `${layer} before`, color, points: pre });
        if (run?.clip.mode !== 'none') {
          const post = mine.points(layerColumn('layerNormPost', layer), stepWindow, MAX_POINTS / 2, options);
          lines.push({ key: `${layer}-post`, name: `${layer} after`, color, dashed: true, points: post });
        }
      });
      clipped = clipActedSteps(mine.points('clipFraction', stepWindow, 600), 300);
    }
    // One domain for both runs' charts, so they compare at a glance.
    const all: number[] = [];
    for (const [, s] of series) {
      for (const layer of s.layout.layers)
        for (const name of [layerColumn('layerNormPre', layer), layerColumn('layerNormPost', layer)])
          all.push(...s.points(name, stepWindow, MAX_POINTS / 2, { positiveOnly: true }).map((p) => p.y));
    }
    return { lines, domain: logDomain(all), clipped };
  }, [series, run, side, stepWindow]);
  if (!run) return null;
  const clip = run.clip;
  const thresholds =
    clip.mode === 'norm' || clip.mode === 'global' || clip.mode === 'global-tf'
      ? [{ value: clip.threshold, label: `threshold c = ${clip.threshold}` }]
      : [];
  return (
    <ChartFrame
      id={`grad-norm-${side}`}
      title={`${runLabel(runs, side)} run: gradient norm per layer (weights and biases)`}
      help={
        <>
          <span style={{ color: SIDE_COLOR[side], fontWeight: 600 }}>{describeClip(clip)}.</span> Solid: each layer's
          gradient norm as computed, its weights and biases together; dashed: after clipping. Ticks along the top mark
          the steps where clipping changed the gradient. The tutorial's figure, the weight matrix alone after clipping,
          is the CSV's <code>fc1_weight_grad_norm_post</code> column (docs/METRICS.md).
          {clip.mode === 'value' &&
            ' Clipping by value bounds each element, not the norm: a layer of n weights can still have a norm of up to sqrt(n) x the bound.'}
        </>
      }
    >
      <StepChart
        lines={lines}
        xDomain={stepWindow}
        yDomain={domain}
        yLog
        yLabel="||g_layer||"
        thresholds={thresholds}
        divergences={divergenceMarkers(runs)}
        clipMarks={clip.mode === 'none' ? undefined : { color: '#f0a500', name: 'clipping acted', steps: clipped }}
      />
    </ChartFrame>
  );
}
