import { useCallback } from 'react';
import { formatNumber } from '../present/describe.ts';
import { ChartFrame } from './ChartFrame.tsx';
import type { SeriesList } from './live.ts';
import { breakNote } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { useLogLines } from './useLogLines.ts';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

export function LossChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const makeLines = useCallback(
    (series: SeriesList) => {
      const lines: LineSpec[] = series.map(([side, s]) => {
        const points = s.points('loss', stepWindow, MAX_POINTS, { positiveOnly: true });
        const last = points[points.length - 1];
        return {
          key: side,
          side,
          name: `${runLabel(runs, side)} loss`,
          color: SIDE_COLOR[side],
          points,
          ...(runs[side]?.divergence && last ? { lastLabel: `last finite: ${formatNumber(last.y)}` } : {}),
        };
      });
      return lines;
    },
    [runs, stepWindow],
  );
  // React renders the chart again only when the legend, the axis or the markers change; the canvas follows the rest.
  const { live, view, description, events } = useLogLines(runs, makeLines);
  return (
    <ChartFrame
      id="loss"
      title="Loss (log scale)"
      summary="How wrong each run is, step by step: lower is better. A line that shoots up is a run exploding."
      note={breakNote(view.y.axis, runs)}
      description={description}
      help={
        Object.keys(runs).length > 1
          ? 'The training loss of each run on its batch. The runs of a pair start from the same weights and see the same batches, so any gap between them comes from clipping alone. Each grid line is ten times the one below it.'
          : 'The training loss of the run on each batch. Each grid line is ten times the one below it.'
      }
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="loss"
        divergences={view.divergences}
        events={events}
        live={live}
      />
    </ChartFrame>
  );
}
