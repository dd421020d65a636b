import { describe, expect, it } from 'vitest';
import { fittedChartPx, presentChartPx } from './presentLayout.ts';

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
  ])('first guess: a %i px window with %i row(s) of charts: %i px', (windowPx, rows, px) => {
    expect(presentChartPx(windowPx, rows)).toBe(px);
  });

  it('first guess: rounds, and treats no rows as one', () => {
    // (1000 - 220) / 3 - 130 = 130, floored to 200; (1221 - 220) / 2 - 130 = 370.5 -> 371.
    expect(presentChartPx(1000, 3)).toBe(200);
    expect(presentChartPx(1221, 2)).toBe(371);
    expect(presentChartPx(900, 0)).toBe(presentChartPx(900, 1));
  });

  it('fitted: the rows share what is missing or to spare, within 200..520', () => {
    // 418 px charts whose grid ends at 989 in a 768 px window: 768 - 8 - 989 = -229 -> 418 - 229 = 189 -> 200.
    expect(fittedChartPx(418, 989, 768, 1)).toBe(200);
    // 300 px charts in two rows ending at 1305 in 1080: (1080 - 8 - 1305) / 2 = -116.5 -> 183.5 -> 200.
    expect(fittedChartPx(300, 1305, 1080, 2)).toBe(200);
    // 370 px ending at 700 in 720: 12 to spare -> 382.
    expect(fittedChartPx(370, 700, 720, 1)).toBe(382);
    // Already fitted: 520 px ending at 1072 in 1080 stays.
    expect(fittedChartPx(520, 1072, 1080, 1)).toBe(520);
    // Room to spare beyond the cap: 1000 px spare, still 520.
    expect(fittedChartPx(300, 72, 1080, 1)).toBe(520);
  });
});
