import { describe, expect, it } from 'vitest';
import { presentChartPx } from './presentLayout.ts';

describe("presenter mode's chart height", () => {
  it.each([
    // (1080 - 220) / 1 - 130 = 730, capped at 520.
    [1080, 1, 520],
    // (1080 - 220) / 2 - 130 = 300: a race's two rows.
    [1080, 2, 300],
    // 1366 x 768: (768 - 220) - 130 = 418.
    [768, 1, 418],
    // 1920 x 1080 at 150% zoom is a 720 px tall window: 500 - 130 = 370.
    [720, 1, 370],
    // (768 - 220) / 2 - 130 = 144, raised to the floor of 200 (the race then scrolls a little).
    [768, 2, 200],
  ])('a %i px window with %i row(s) of charts: %i px', (windowPx, rows, px) => {
    expect(presentChartPx(windowPx, rows)).toBe(px);
  });

  it('rounds, and treats no rows as one', () => {
    // (1000 - 220) / 3 - 130 = 130, floored to 200; (1221 - 220) / 2 - 130 = 370.5 -> 371.
    expect(presentChartPx(1000, 3)).toBe(200);
    expect(presentChartPx(1221, 2)).toBe(371);
    expect(presentChartPx(900, 0)).toBe(presentChartPx(900, 1));
  });
});
