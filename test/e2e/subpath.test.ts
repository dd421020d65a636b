/**
 * The build served from a sub-path by a plain static server (scripts/staticServer.ts mounts dist/ at
 * /gradient-lab/, as a school's web server or GitHub Pages would): a shared link, a lesson that needs MNIST and
 * the sweep page work there, and every link the page writes stays under the sub-path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../scripts/staticServer.ts';
import { TOUR, lessonLink } from '../../src/experiment/tour.ts';
import { openPage, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
let server: StaticServer;

beforeAll(async () => {
  // globalSetup has built dist/.
  server = await serveStatic('dist', '/gradient-lab/');
});
afterAll(async () => {
  await server.close();
});

describe('the build under a sub-path (/gradient-lab/)', () => {
  it('opens a shared link, trains it, and writes links under the sub-path', async () => {
    expect(server.url).toMatch(/\/gradient-lab\/$/);
    const { page, context, errors } = await openPage(browser(), `${server.url}#v=1&preset=dense-explode&seed=7`);
    await waitForBackends(page);
    // The dense net's data (public/data) comes from the sub-path too: one step trains.
    await page.getByRole('button', { name: 'One step' }).click();
    await expect.poll(() => page.getByTestId('step-clipped').textContent(), { timeout: 60_000 }).toBe('1');
    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link.startsWith(`${server.url}#v=1&`), link).toBe(true);
    expect(link).toContain('seed=7');
    // The link opens in a fresh page, there.
    const second = await openPage(browser(), link);
    await waitForBackends(second.page);
    expect(await second.page.getByLabel('Seed').inputValue()).toBe('7');
    expect([...errors, ...second.errors]).toEqual([]);
    await second.context.close();
    await context.close();
  });

  it('opens the MNIST LSTM lesson (its data fetched from the sub-path) and trains a step', async () => {
    const lesson = TOUR[4];
    if (!lesson) throw new Error('the tour has no lesson 5');
    const { page, context, errors } = await openPage(browser(), `${server.url}#${lessonLink(lesson)}`);
    await waitForBackends(page);
    await page.getByRole('button', { name: 'One step' }).click();
    await expect.poll(() => page.getByTestId('step-clipped').textContent(), { timeout: 120_000 }).toBe('1');
    expect(new URL(page.url()).pathname).toBe('/gradient-lab/');
    expect(page.url()).toContain('tour=5');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs a sweep there and opens a cell under the sub-path', async () => {
    const small = 'v=1&preset=dense-explode&page=sweep&sweepLr=0.01:0.1:2&sweepClip=0.5:5:2&sweepSteps=20';
    const { page, context, errors } = await openPage(browser(), `${server.url}#${small}`);
    await page.getByTestId('sweep-run').click();
    await expect
      .poll(() => page.getByTestId('sweep-status').getAttribute('data-phase'), { timeout: 90_000 })
      .toBe('finished');
    await page.getByTestId('sweep-map').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).not.toContain('page=sweep');
    expect(new URL(page.url()).pathname).toBe('/gradient-lab/');
    await waitForBackends(page);
    expect(errors).toEqual([]);
    await context.close();
  });
});
