/**
 * A dense pair over five seeds: each run's loss is drawn as the median across its seeds with a translucent band
 * from the lowest to the highest seed, and once every seed has finished or diverged the narrator counts them.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

/** Pixels of the chart's line canvas painted at the band's opacity (BAND_ALPHA 0.18: alpha about 46 of 255). */
async function bandPixels(page: Page, chart: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-chart="${id}"] canvas.chart-lines`);
    const context = canvas?.getContext('2d');
    if (!canvas || !context || canvas.width === 0) return -1;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) >= 40 && (data[i] ?? 0) <= 52) n += 1;
    return n;
  }, chart);
}

describe('a pair over several seeds', () => {
  it('draws the median and band of five seeds, and the narrator counts the seeds', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&seeds=5&steps=30`, {
      width: 1366,
      height: 900,
    });
    await waitForBackends(page, ['baseline', 'clipped']);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 60_000 }).toBe('finished');
    // Every unclipped seed overflows (the tutorial's run, from five seeds' weights): the run diverged as a whole.
    expect(await phase(page, 'baseline')).toBe('diverged');
    const story = page.getByTestId('seeds-story');
    await expect
      .poll(() => story.textContent(), { timeout: 10_000 })
      .toMatch(
        /^The unclipped run diverged in 5 of 5 seeds, (by step \d+ in all|at steps \d+ to \d+); clipped, it learned in [0-5] of 5 seeds\.$/,
      );
    // The legend says what the line is; the canvas holds a band's worth of translucent pixels.
    await expect.poll(() => page.locator('[data-chart="loss"]').textContent()).toContain('median of 5 seeds');
    await expect.poll(() => bandPixels(page, 'loss'), { timeout: 5_000 }).toBeGreaterThan(300);
    await screenshot(page, 'seeds-five-band');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a lesson offers another seed and ten seeds: each changes the link and starts the runs', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=8&tour=2`);
    await page.getByRole('button', { name: 'Try another seed' }).click();
    await expect.poll(() => decodeExperiment(new URL(page.url()).hash).config.seed).toBe(1);
    await expect.poll(() => phase(page, 'clipped'), { timeout: 30_000 }).toMatch(/running|finished/);
    await page.getByRole('button', { name: 'Run 10 seeds' }).click();
    await expect.poll(() => decodeExperiment(new URL(page.url()).hash).config.seeds).toBe(10);
    const opened = decodeExperiment(new URL(page.url()).hash);
    expect(opened.view.tour).toBe(2);
    expect(opened.config.seed).toBe(1);
    // The ten seeds train: the loss chart's legend names them.
    await expect
      .poll(() => page.locator('[data-chart="loss"]').textContent(), { timeout: 30_000 })
      .toContain('median of 10 seeds');
    expect(errors).toEqual([]);
    await context.close();
  });
});
