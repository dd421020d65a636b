import { useCallback } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import type { SeriesList } from './live.ts';
import { breakNote } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { useLogLines } from './useLogLines.ts';
import { MAX_POINTS, useChartRuns, useStepWindow } from './useSeries.ts';

export function GlobalNormChart() {
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const makeLines = useCallback(
    (series: SeriesList) => {
      const lines: LineSpec[] = [];
      for (const [side, s] of series) {
        lines.push({
          key: `${side}-pre`,
          side,
          ...(runs[side]?.divergence ? { lastLabel: '' } : {}),
          name: `${runLabel(runs, side)}: before clipping`,
          color: SIDE_COLOR[side],
          points: s.points('globalNormPre', stepWindow, MAX_POINTS, { positiveOnly: true }),
        });
        if (runs[side]?.clip.mode !== 'none') {
          lines.push({
            key: `${side}-post`,
            side,
            name: `${runLabel(runs, side)}: after clipping`,
            color: SIDE_COLOR[side],
            dashed: true,
            points: s.points('globalNormPost', stepWindow, MAX_POINTS, { positiveOnly: true }),
          });
        }
      }
      return lines;
    },
    [runs, stepWindow],
  );
  // React renders the chart again only when the legend, the axis or the markers change; the canvas follows the rest.
  const { live, view, description, events } = useLogLines(runs, makeLines);
  return (
    <ChartFrame
      id="global-norm"
      title="Global gradient norm (log scale)"
      summary="The size of the whole gradient: solid as computed, dashed after clipping."
      note={breakNote(view.y.axis, runs)}
      description={description}
      help="The length of the whole gradient, ||g|| = sqrt of the sum of every squared partial derivative. Solid: as backpropagation computed it. Dashed: what the optimiser actually applied after clipping."
    >
      <StepChart
        lines={view.lines}
        xDomain={stepWindow}
        y={view.y}
        yLabel="||g||"
        divergences={view.divergences}
        events={events}
        live={live}
      />
    </ChartFrame>
  );
}
