/**
 * The race on the page: four runs from one link, each named by its clipping and drawn in its own colour on
 * every chart, compared in words, kept together in the history, and laid out at every screen size.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();

/** The runs the loss chart's legend names, in the legend's order (the runs' own, whichever worker was first). */
async function legendNames(page: Page): Promise<string[]> {
  const entries = await page.locator('[data-chart=loss] .plot-legend .legend-item-text').allTextContents();
  return entries.flatMap((entry) => NAMES.filter((name) => entry.startsWith(`${name} `)));
}
const base = () => inject('baseUrl');
const SIDES = ['baseline', 'clipped', 'third', 'fourth'];
const NAMES = ['No clipping', 'Value ±1', 'Per-tensor norm 1', 'Global norm 1'];
/** Lesson 3 of the tour: the race, 400 steps. */
const LESSON = '#v=1&preset=dense-explode&run3=norm:1&run4=global:1&tour=3';
const LINK = '#v=1&preset=dense-explode&run3=norm:1&run4=global:1&steps=150';

describe('a race of four clipping modes', () => {
  it('trains four runs from one link, names each by its clipping, and compares them in words', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}${LESSON}`, { width: 1366, height: 768 });
    await waitForBackends(page, SIDES);
    const titles = await page.locator('.run-card h2').allTextContents();
    expect(titles.map((t) => t.split(':')[0])).toEqual([
      'No clipping',
      'Value ±1',
      'Per-tensor norm 1',
      'Global norm 1',
    ]);
    // One per-layer gradient chart per run, beside the shared loss chart.
    expect(await page.locator('[data-chart=loss]').count()).toBe(1);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'baseline'), { timeout: 60_000 }).toBe('diverged');
    for (const side of SIDES.slice(1))
      await expect.poll(() => phase(page, side), { timeout: 120_000 }).toBe('finished');
    const narration = page.getByTestId('narration');
    await expect.poll(() => narration.textContent(), { timeout: 30_000 }).toMatch(/No clipping diverged at step 5\./);
    const text = (await narration.textContent()) ?? '';
    expect(text).toMatch(
      /Lowest loss over the last tenth of the steps: global norm 1 \(about [\d.]+\), then per-tensor norm 1/,
    );
    expect(text).toMatch(
      /The direction of the step: value ±1 turned it by \d+° and per-tensor norm 1 by \d+° on average; global norm 1 kept it exactly\./,
    );
    await expect.poll(() => page.locator('[data-chart=direction]').count(), { timeout: 10_000 }).toBe(1);
    // The loss chart's legend names all four runs (its re-render is deferred: it may follow a moment later).
    await expect.poll(() => legendNames(page), { timeout: 10_000 }).toEqual(NAMES);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'race-1366x768');
    await narration.scrollIntoViewIfNeeded();
    await screenshot(page, 'race-narration-1366x768');
    // The angle chart: its canvas paints once the chart is on screen.
    const direction = page.locator('[data-chart=direction]');
    await direction.scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await direction.screenshot({ path: 'test-results/screenshots/race-direction.png' });
    // The history keeps the race as one session of four runs, reopened together.
    await expect.poll(() => page.locator('[data-testid=history] tbody tr').count(), { timeout: 20_000 }).toBe(4);
    expect(await page.locator('[data-testid=history]').textContent()).toContain('race of 4');
    expect(errors).toEqual([]);
    await context.close();
  });

  it.each([
    [768, 1024],
    [390, 844],
  ])('lays the race out at %ix%i without sideways scrolling', async (width, height) => {
    const { page, context, errors } = await openPage(browser(), `${base()}${LINK}`, { width, height });
    await waitForBackends(page, SIDES);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'fourth'), { timeout: 120_000 }).toBe('finished');
    // The charts' axes and legends follow the runs a moment after they end (their re-render is deferred).
    await expect.poll(() => legendNames(page), { timeout: 10_000 }).toEqual(NAMES);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, `race-${width}x${height}`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
