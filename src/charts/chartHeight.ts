/**
 * How tall every step chart below draws, where a layout decides (the embedded view fits its charts to the frame);
 * null: each chart's own height (220 px). The log axes space their decade labels by the plot's height in pixels.
 */
import { createContext, useContext } from 'react';

export const ChartHeightContext = createContext<number | null>(null);

/** A chart's height around its plot: the top margin, the step axis and one row of legend. */
const AROUND_PLOT_PX = 80;

/** The plot's height for a chart this tall, or `fallbackPx` where no layout set a height. */
export function usePlotPx(fallbackPx: number): number {
  const heightPx = useContext(ChartHeightContext);
  return heightPx === null ? fallbackPx : Math.max(40, heightPx - AROUND_PLOT_PX);
}

/** The chart height a layout set, or `ownPx`. */
export function useChartHeight(ownPx: number): number {
  return useContext(ChartHeightContext) ?? ownPx;
}
