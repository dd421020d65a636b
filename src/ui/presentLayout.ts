/** Presenter mode's layout arithmetic, apart from React so it can be tested with numbers worked by hand. */

/** The header and toolbar above the charts, at presenter mode's larger text (18 px root). */
export const PRESENT_ABOVE_CHARTS_PX = 220;
/** Each chart's own title, sentence and padding around the plot, at 20-22 px text. */
export const PRESENT_CHART_CHROME_PX = 130;
/** The tallest chart: taller is mostly empty axis. */
export const PRESENT_MAX_CHART_PX = 520;
/** The shortest: below it the decade labels crowd at 20 px. */
export const PRESENT_MIN_CHART_PX = 200;

/**
 * Presenter mode's chart height: the window's height, less what is above the charts and each chart's title and
 * sentence, shared by the rows of charts (one for a pair, two for a race), so every chart is in the first screen,
 * however far the page is zoomed. At 1920 x 1080 a pair's charts are 520 px tall, a race's 300 px.
 */
export function presentChartPx(windowPx: number, rows: number): number {
  const share = (windowPx - PRESENT_ABOVE_CHARTS_PX) / Math.max(1, rows) - PRESENT_CHART_CHROME_PX;
  return Math.round(Math.min(PRESENT_MAX_CHART_PX, Math.max(PRESENT_MIN_CHART_PX, share)));
}
