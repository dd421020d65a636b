import { useCallback, useMemo } from 'react';
import type { RunSide } from '../experiment/config.ts';
import { globalNormChartWords, globalNormLine } from '../present/chartWords.ts';
import { useLab, type RunView } from '../store/labStore.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { useStable, type SeriesList } from './live.ts';
import { breakNote } from './markers.ts';
import { runLabel, runStyle } from './palette.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { useLogLines } from './useLogLines.ts';
import { bandedLine, seedsSuffix } from './seedLines.ts';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

export function GlobalNormChart() {
  const runs = useChartRuns();
  const seeds = useLab((s) => s.config.seeds);
  const stepWindow = useStepWindow();
  const makeLines = useCallback(
    (series: SeriesList) => {
      const lines: LineSpec[] = [];
      for (const [side, s] of series) {
        const { points, band } = bandedLine(s, 'globalNorm', 'globalNormPre', stepWindow, MAX_POINTS, {
          positiveOnly: true,
        });
        lines.push({
          key: `${side}-pre`,
          side,
          ...(runs[side]?.divergence ? { lastLabel: '' } : {}),
          name: `${runLabel(runs, side)}${seedsSuffix(s, seeds)}`,
          ...runStyle(runs, side),
          points,
          ...(band ? { band } : {}),
        });
        // Over several seeds the clipped norm is not banded: one seed's dashed line beside a median would mislead.
        if (runs[side]?.clip.mode !== 'none' && !s.bands) {
          lines.push({
            key: `${side}-post`,
            side,
            name: `${runLabel(runs, side)}, clipped`,
            ...runStyle(runs, side),
            dashed: true,
            points: s.points('globalNormPost', stepWindow, MAX_POINTS, { positiveOnly: true }),
          });
        }
      }
      return lines;
    },
    [runs, stepWindow, seeds],
  );
  // The threshold c of each run clipped by its global L2 norm: it bounds what this chart draws.
  const entries = Object.entries(runs) as [RunSide, RunView][];
  const lines = entries.flatMap(([side, r]) => globalNormLine(r.clip, runLabel(runs, side)) ?? []);
  const thresholds = useStable(lines, JSON.stringify(lines));
  const marks = useMemo(() => thresholds.map((t) => t.value), [thresholds]);
  const words = globalNormChartWords(entries.map(([, r]) => r.clip));
  // React renders the chart again only when the legend, the axis or the markers change; the canvas follows the rest.
  const { live, view, description, events } = useLogLines(runs, makeLines, marks);
  return (
    <ChartFrame
      id="global-norm"
      title={words.title}
      summary={words.summary}
      note={breakNote(view.y.axis, runs)}
      description={description}
      help={words.help}
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="||g||"
        thresholds={thresholds}
        divergences={view.divergences}
        events={events}
        live={live}
      />
    </ChartFrame>
  );
}
