/**
 * How much taller than one row a chart's legend is, so the chart can grow by it and keep its plot's height:
 * seven entries wrap to four rows on a phone, and inside a fixed height they would squeeze the plot until its
 * y labels pile up. Measured on the legend recharts draws (the per-time-step chart; a step chart's legend is under
 * its plot in the page's flow), again when it wraps anew (a new width or new entries).
 */
import { useLayoutEffect, useState, type RefObject } from 'react';

/** The height of a legend of one row (11-12 px text and recharts' padding). */
export const ONE_LEGEND_ROW_PX = 26;

/** `entries`: the legend's names joined, so a change of entries measures again. */
export function useLegendGrowth(wrapper: RefObject<HTMLElement | null>, entries: string): number {
  const [extra, setExtra] = useState(0);
  useLayoutEffect(() => {
    const element = wrapper.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    let legend: Element | null = null;
    let frame = 0;
    let tries = 0;
    const observer = new ResizeObserver(() => measure());
    // recharts draws the legend a frame or two after the chart first knows its width: look for it until then.
    const measure = () => {
      if (!legend) {
        legend = element.querySelector('.recharts-legend-wrapper');
        if (!legend) {
          if (tries++ < 30) frame = requestAnimationFrame(measure);
          return;
        }
        observer.observe(legend);
      }
      const now = Math.max(0, Math.round(legend.getBoundingClientRect().height) - ONE_LEGEND_ROW_PX);
      setExtra((previous) => (Math.abs(now - previous) > 1 ? now : previous));
    };
    measure();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [wrapper, entries]);
  return extra;
}
