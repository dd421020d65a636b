/** Presenter mode's layout arithmetic, apart from React so it can be tested with numbers worked by hand. */

/** The header and toolbar above the charts, at presenter mode's larger text (18 px root): a first guess. */
export const PRESENT_ABOVE_CHARTS_PX = 220;
/** Each chart's own title, sentence and padding around the plot, at 20-22 px text: a first guess. */
export const PRESENT_CHART_CHROME_PX = 130;
/** The tallest chart: taller is mostly empty axis. */
export const PRESENT_MAX_CHART_PX = 520;
/** The shortest: below it the decade labels crowd at 20 px. */
export const PRESENT_MIN_CHART_PX = 200;
/** Room left under the last row of charts, so its frame's border shows. */
export const PRESENT_BOTTOM_GAP_PX = 8;

function clamp(px: number): number {
  return Math.round(Math.min(PRESENT_MAX_CHART_PX, Math.max(PRESENT_MIN_CHART_PX, px)));
}

/**
 * Presenter mode's first guess at the chart height, before anything is measured: the window's height, less what is
 * above the charts and each chart's title and sentence, shared by the rows of charts (one for a pair, two for a
 * race). At 1920 x 1080 a pair's charts are 520 px tall, a race's 300 px.
 */
export function presentChartPx(windowPx: number, rows: number): number {
  return clamp((windowPx - PRESENT_ABOVE_CHARTS_PX) / Math.max(1, rows) - PRESENT_CHART_CHROME_PX);
}

/**
 * The chart height that brings the grid's bottom to the window's (less PRESENT_BOTTOM_GAP_PX), from the height the
 * charts have now and where the grid ends with it: what is missing or to spare, shared by the rows. Measured
 * again whenever the grid or the window changes size, so a header that wraps or a long sentence is allowed for.
 */
export function fittedChartPx(nowPx: number, gridBottomPx: number, windowPx: number, rows: number): number {
  return clamp(nowPx + (windowPx - PRESENT_BOTTOM_GAP_PX - gridBottomPx) / Math.max(1, rows));
}
