/**
 * A chart of values against the training step: min-max downsampled lines,
 * log or linear y, and markers for divergence and clipping. It only draws
 * what it is given; every chart of the lab is one of these or the
 * per-time-step chart.
 */
import { memo } from 'react';
import type { Point } from '../store/downsample.ts';
import { useChartHeight } from './chartHeight.ts';
import { DeferredPlot, fetchPlotCode } from './DeferredPlot.tsx';
import type { LiveSource } from './live.ts';
import type { LineMarker } from './palette.ts';
import type { LogAxis } from './scales.ts';
import type { RunSide } from '../experiment/config.ts';
import type { StepChartPlot } from './StepChartPlot.tsx';

export interface LineSpec {
  key: string;
  name: string;
  color: string;
  dashed?: boolean;
  /** Whose run it is, besides its colour (palette.ts's runStyle): drawn along the line and in its legend entry. */
  marker?: LineMarker | undefined;
  points: Point[];
  /** Whose line it is: a diverged run's lines may go above an axis break. */
  side?: RunSide;
  /** A run that diverged: its few finite points stay visible as dots, its last one labelled with this. */
  lastLabel?: string;
  /** A run over several seeds: `points` is the median, and this the lowest and highest seed (a shaded band). */
  band?: { lo: Point[]; hi: Point[] };
}

export interface StepMarker {
  step: number;
  label: string;
  /** A knob turned while the run trained: drawn grey and dotted, so red keeps meaning "diverged". */
  kind?: 'knob';
}

/** The y axis: linear over a domain, or log (decade ticks, perhaps a break) as scales.ts's logAxis made it. */
export type YAxisSpec =
  | {
      kind: 'linear';
      domain: [number, number];
      /** Where to label it (else round values, scales.ts niceTicks). */ ticks?: number[];
    }
  | { kind: 'log'; axis: LogAxis };

/** About how many pixels tall the plotting area of a 220 px step chart is (legend and x axis taken off). */
export const PLOT_PX = 140;

export interface StepChartProps {
  lines: LineSpec[];
  xDomain: [number, number];
  /** The y axis; without it, `yDomain` and `yLog` (the older form, still used by the cliff lesson). */
  y?: YAxisSpec;
  yDomain?: [number, number];
  yLog?: boolean;
  yLabel: string;
  /** Where runs diverged (a thin red dashed line at the first step that was not finite) and knobs turned (grey). */
  divergences?: StepMarker[];
  /** Narrated events: a faint line in the run's colour with the event's number, told in "What happened". */
  events?: (StepMarker & { color: string })[];
  /** Horizontal threshold lines (e.g. the clip norm). */
  thresholds?: { value: number; label: string }[];
  /** Steps at which clipping acted, drawn as ticks along the top. */
  clipMarks?: { color: string; name: string; steps: number[] } | undefined;
  height?: number;
  /**
   * The lines as they are now, changing outside React: the canvas repaints from this on every change,
   * without a render. `lines` then only has to change when the legend or the markers do.
   */
  live?: LiveSource<LiveLines> | undefined;
  /** The chart's width when it first draws, if known (DeferredPlot.tsx); else the plot measures it. */
  initialWidth?: number;
}

/** What the line canvas paints, when it follows the series outside React: the lines and their axis now. */
export interface LiveLines {
  lines: LineSpec[];
  y: YAxisSpec;
  /** Steps where clipping acted (see `clipMarks`). */
  clipSteps?: number[];
}

/**
 * The plot comes in its own chunk, asked for with the page (this module), while the page's own code
 * runs and draws; each chart draws once it is here (DeferredPlot.tsx).
 */
let Plot: typeof StepChartPlot | null = null;
const plotCode = fetchPlotCode(() =>
  import('./StepChartPlot.tsx').then((m) => {
    Plot = m.StepChartPlot;
  }),
);

/**
 * Memoised: a chart whose inputs kept their identity is not rendered again (its canvas follows `live`). Until its
 * plot is drawn, an empty box of the chart's height holds its place.
 */
export const StepChart = memo(function StepChart(props: Omit<StepChartProps, 'initialWidth'>) {
  const height = useChartHeight(props.height ?? 220);
  return (
    <DeferredPlot height={height} code={plotCode} draw={(width) => Plot && <Plot {...props} initialWidth={width} />} />
  );
});
