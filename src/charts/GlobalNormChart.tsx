import { useMemo } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import { breakNote, divergenceMarkers, eventMarkers, focusValues, latestInWords } from './markers.ts';
import { SIDE_COLOR, runLabel } from './palette.ts';
import { logAxis } from './scales.ts';
import { PLOT_PX, StepChart, type LineSpec } from './StepChart.tsx';
import { MAX_POINTS, useChartRuns, useSeries, useStepWindow } from './useSeries.ts';

export function GlobalNormChart() {
  const { series } = useSeries();
  const runs = useChartRuns();
  const stepWindow = useStepWindow();
  const { lines, axis, divergences, events } = useMemo(() => {
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
    const axis = logAxis(
      lines.flatMap((l) => l.points.map((p) => p.y)),
      PLOT_PX,
      focusValues(lines, runs),
    );
    return { lines, axis, divergences: divergenceMarkers(runs), events: eventMarkers(runs) };
  }, [series, runs, stepWindow]);
  return (
    <ChartFrame
      id="global-norm"
      title="Global gradient norm (log scale)"
      summary="The size of the whole gradient: solid as computed, dashed after clipping."
      note={breakNote(axis, runs)}
      description={latestInWords(lines, divergences)}
      help="The length of the whole gradient, ||g|| = sqrt of the sum of every squared partial derivative. Solid: as backpropagation computed it. Dashed: what the optimiser actually applied after clipping."
    >
      <StepChart
        lines={lines}
        xDomain={stepWindow}
        y={{ kind: 'log', axis }}
        yLabel="||g||"
        divergences={divergences}
        events={events}
      />
    </ChartFrame>
  );
}
