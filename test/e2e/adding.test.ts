/**
 * The adding problem in the built lab: its link opens the pair, and the loss and test-MSE charts mark the
 * 0.167 a net that always answers 1 would score.
 */
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();

describe('the adding problem in Chromium', () => {
  it('opens from `#v=1&preset=adding`, trains, and marks MSE 0.167 on the loss chart', async () => {
    const { page, errors, context } = await openPage(
      browser(),
      `${inject('baseUrl')}#v=1&preset=adding&steps=60&evalEvery=30`,
    );
    await waitForBackends(page);
    const lossChart = page.locator('[data-chart=loss]');
    await expect
      .poll(async () => (await lossChart.textContent()) ?? '', { timeout: 60_000 })
      .toContain('always answering 1: MSE 0.167');
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    // The unclipped run blows up well before step 60 with this learning rate (seed 0: step 54).
    expect(await phase(page, 'baseline')).toBe('diverged');
    expect(await lossChart.textContent()).toContain('always answering 1: MSE 0.167');
    // The held-out figure is the test MSE (the worker evaluates the adding problem too), with the same line.
    const testMse = Number(await page.getByTestId('test-mse-clipped').textContent({ timeout: 10_000 }));
    expect(
      testMse,
      'the clipped run has not learned yet after 60 steps: about the 0.167 of answering 1',
    ).toBeGreaterThan(0.1);
    expect(testMse).toBeLessThan(0.3);
    expect(await page.getByTestId('test-accuracy-clipped').count()).toBe(0);
    const testChart = page.locator('[data-chart=accuracy]');
    expect(await testChart.textContent()).toContain('Test MSE');
    expect(await testChart.textContent()).toContain('always answering 1: MSE 0.167');
    expect(await testChart.textContent()).not.toContain('Chance is 10%');
    await screenshot(page, 'adding-pair');
    expect(errors).toEqual([]);
    await context.close();
  });
});
