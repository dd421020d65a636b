/**
 * The narrator on the page: the RNN lesson where clipping hurts says so in words, numbers its events on the
 * charts, and shows the two diagnostics that explain it (||W_hh|| with its line at 1, and saturation).
 */
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

describe('the narrator', () => {
  it('tells the RNN lesson in words: the clipped run learned less, and why, with the diagnostics charted', async () => {
    const link = `${base()}#v=1&preset=rnn-scale&steps=60&hiddenGradEvery=5&trainSize=2000&testSize=200&evalEvery=30&tour=4`;
    const { page, context, errors } = await openPage(browser(), link, { width: 1366, height: 768 });
    await waitForBackends(page, ['baseline', 'clipped']);
    await page.getByRole('button', { name: 'Play' }).click();
    for (const side of ['baseline', 'clipped']) {
      await expect.poll(() => phase(page, side), { timeout: 180_000 }).toBe('finished');
    }
    const narration = page.getByTestId('narration');
    await expect
      .poll(() => narration.textContent(), { timeout: 30_000 })
      .toMatch(/The clipped run learned less: its steps were on average [\d.]+x shorter than the gradient asked for/);
    const text = (await narration.textContent()) ?? '';
    expect(text).toContain('clipping acted for the first time');
    expect(text).toContain('the gradient explodes through time');
    // The events are numbered on the loss chart as in the list.
    expect(await page.locator('[data-chart=loss] .plot-reference-line').count()).toBeGreaterThan(0);
    // The two charts that explain it.
    expect(await page.locator('[data-chart=spectral-norm]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-chart=saturation]').count()).toBeGreaterThan(0);
    await narration.scrollIntoViewIfNeeded();
    await screenshot(page, 'narrator-rnn-lesson');
    await page.locator('[data-chart=spectral-norm]').scrollIntoViewIfNeeded();
    await screenshot(page, 'narrator-rnn-diagnostics');
    expect(errors).toEqual([]);
    await context.close();
  });
});
