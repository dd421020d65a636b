import { useMemo } from 'react';
import { formatNumber } from '../present/describe.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { breakNote, divergenceMarkers, eventMarkers, focusValues, latestInWords } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX, StepChart, type LineSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useSeries, useStepWindow } from './useSeries.ts';

export function LossChart() {
  const { series } = useSeries();
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const { lines, axis, divergences, events } = useMemo(() => {
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
    const axis = logAxis(
      lines.flatMap((l) => l.points.map((p) => p.y)),
      PLOT_PX,
      focusValues(lines, runs),
    );
    return { lines, axis, divergences: divergenceMarkers(runs), events: eventMarkers(runs) };
  }, [series, runs, stepWindow]);
  return (
    <ChartFrame
      id="loss"
      title="Loss (log scale)"
      summary="How wrong each run is, step by step: lower is better. A line that shoots up is a run exploding."
      note={breakNote(axis, runs)}
      description={latestInWords(lines, divergences)}
      help={
        Object.keys(runs).length > 1
          ? 'The training loss of each run on its batch. The runs of a pair start from the same weights and see the same batches, so any gap between them comes from clipping alone. Each grid line is ten times the one below it.'
          : 'The training loss of the run on each batch. Each grid line is ten times the one below it.'
      }
    >
      <StepChart
        lines={lines}
        xDomain={stepWindow}
        y={{ kind: 'log', axis }}
        yLabel="loss"
        divergences={divergences}
        events={events}
      />
    </ChartFrame>
  );
}
