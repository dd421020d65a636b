import { useCallback } from 'react';
import { isRecurrent } from '../experiment/config.ts';
import { addingReferenceLine, lossChartWords } from '../present/chartWords.ts';
import { formatNumber } from '../present/describe.ts';
import { useLab } from '../store/labStore.ts';
import { ChartFrame } from './ChartFrame.tsx';
import type { SeriesList } from './live.ts';
import { breakNote } from './markers.ts';
import { runLabel, runStyle } from './palette.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { useLogLines } from './useLogLines.ts';
import { bandedLine, seedsSuffix } from './seedLines.ts';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

/** The adding problem's yardstick: a net that always answers 1 (the mean target) scores this; learning is going below. */
export const ADDING_REFERENCE = [addingReferenceLine()];

export function LossChart() {
  const runs = useChartRuns();
  const seeds = useLab((s) => s.config.seeds);
  const adding = useLab((s) => isRecurrent(s.config.model) && s.config.task === 'adding');
  const stepWindow = useStepWindow();
  const makeLines = useCallback(
    (series: SeriesList) => {
      const lines: LineSpec[] = series.map(([side, s]) => {
        const { points, band } = bandedLine(s, 'loss', 'loss', stepWindow, MAX_POINTS, { positiveOnly: true });
        const last = points[points.length - 1];
        return {
          key: side,
          side,
          name: `${runLabel(runs, side)} loss${seedsSuffix(s, seeds)}`,
          ...runStyle(runs, side),
          points,
          ...(band ? { band } : {}),
          // Over several seeds the median goes on while any seed trains: its last point is a divergence only
          // when every seed diverged.
          ...(runs[side]?.divergence && last && (!s.bands || runs[side]?.phase === 'diverged')
            ? { lastLabel: `last finite: ${formatNumber(last.y)}` }
            : {}),
        };
      });
      return lines;
    },
    [runs, stepWindow, seeds],
  );
  // React renders the chart again only when the legend, the axis or the markers change; the canvas follows the rest.
  const { live, view, description, events } = useLogLines(runs, makeLines);
  const words = lossChartWords(adding, Object.keys(runs).length);
  return (
    <ChartFrame
      id="loss"
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
        yLabel="loss"
        divergences={view.divergences}
        events={events}
        {...(adding ? { thresholds: ADDING_REFERENCE } : {})}
        live={live}
      />
    </ChartFrame>
  );
}
