import { useMemo } from 'react';
import { useLab } from '../store/labStore.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { downsampleMinMax } from './downsample.ts';
import { divergenceMarkers } from './markers.ts';
import { SIDE_COLOR, SIDE_LABEL } from './palette.ts';
import { logDomain } from './scales.ts';
import { StepChart, type LineSpec } from './StepChart.tsx';
import { MAX_POINTS, useSeries, useStepWindow } from './useSeries.ts';
import { sliceSteps } from './zoom.ts';

export function LossChart() {
  const { version, series } = useSeries();
  const runs = useLab((s) => s.runs);
  const stepWindow = useStepWindow();
  const { lines, domain } = useMemo(() => {
    const lines: LineSpec[] = series.map(([side, s]) => ({
      key: side,
      name: `${SIDE_LABEL[side]} loss`,
      color: SIDE_COLOR[side],
      points: downsampleMinMax(sliceSteps(s.values('step'), stepWindow), sliceSteps(s.values('loss'), stepWindow), MAX_POINTS, { positiveOnly: true }),
    }));
    return { lines, domain: logDomain(series.flatMap(([, s]) => Array.from(sliceSteps(s.values('loss'), stepWindow)))) };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, stepWindow[0], stepWindow[1]]);
  return (
    <ChartFrame id="loss" title="Loss (log scale)" help="The training loss of each run on its batch. Both runs start from the same weights and see the same batches, so any gap between them comes from clipping alone.">
      <StepChart lines={lines} xDomain={stepWindow} yDomain={domain} yLog yLabel="loss" divergences={divergenceMarkers(runs)} />
    </ChartFrame>
  );
}
