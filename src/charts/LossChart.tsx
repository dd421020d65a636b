import { useCallback } from 'react';
import { ADDING_BASELINE_MSE, isRecurrent } from '../experiment/config.ts';
import { formatNumber } from '../present/describe.ts';
import { useLab } from '../store/labStore.ts';
import { ChartFrame } from './ChartFrame.tsx';
import type { SeriesList } from './live.ts';
import { breakNote } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { useLogLines } from './useLogLines.ts';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

/** The adding problem's yardstick: a net that always answers 1 (the mean target) scores this; learning is going below. */
export const ADDING_REFERENCE = [
  { value: ADDING_BASELINE_MSE, label: `always answering 1: MSE ${formatNumber(ADDING_BASELINE_MSE)}` },
];

export function LossChart() {
  const runs = useChartRuns();
  const adding = useLab((s) => isRecurrent(s.config.model) && s.config.task === 'adding');
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
      summary={
        adding
          ? 'How far each answer is from the true sum (mean squared error), step by step: lower is better. Below the dashed line the net has learned which values are marked.'
          : 'How wrong each run is, step by step: lower is better. A line that shoots up is a run exploding.'
      }
      note={breakNote(view.y.axis, runs)}
      description={description}
      help={`${
        Object.keys(runs).length > 1
          ? 'The training loss of each run on its batch. The runs of a pair start from the same weights and see the same batches, so any gap between them comes from clipping alone. Each grid line is ten times the one below it.'
          : 'The training loss of the run on each batch. Each grid line is ten times the one below it.'
      }${
        adding
          ? ' The dashed line is what a net that ignores the markers and always answers 1, the average sum, would score: 1/6, about 0.167.'
          : ''
      }`}
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="loss"
        divergences={view.divergences}
        events={events}
        {...(adding ? { thresholds: ADDING_REFERENCE } : {})}
        live={live}
      />
    </ChartFrame>
  );
}
