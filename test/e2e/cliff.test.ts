/**
 * The cliff lesson and the guided tour in a real browser: the page sketches the
 * surface at once and the worker sharpens it, a click starts both descents, a copied link reopens the same
 * picture and trajectories, and every tour lesson opens with its settings.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_CLIFF } from '../../src/experiment/cliff.ts';
import { PRESETS } from '../../src/experiment/presets.ts';
import { TOUR, lessonLink } from '../../src/experiment/tour.ts';
import { sameExperiment } from '../../src/present/experiment.ts';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { openPage, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

async function waitForFullSurface(page: Page): Promise<string> {
  const status = page.getByTestId('cliff-status');
  await expect
    .poll(async () => (await status.textContent()) ?? '', { timeout: 90_000 })
    .toMatch(/^Surface 256 x 256 computed in .* ms on [A-Z]+$/);
  return (await status.textContent()) ?? '';
}

/** Distinct colours and the share of cells that differ from the empty background, read off the canvas. */
async function canvasStats(page: Page): Promise<{ colours: number; painted: number }> {
  return page.getByTestId('cliff-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (!context) return { colours: 0, painted: 0 };
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    let painted = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
      const [r = 0, g = 0, b = 0] = data.subarray(i, i + 3);
      colours.add((r << 16) | (g << 8) | b);
      if (!(r === 0x20 && g === 0x23 && b === 0x2a)) painted++;
    }
    return { colours: colours.size, painted: painted / (data.length / (4 * 7)) };
  });
}

/** Both descents drawn to their last step; returns the final losses shown. */
async function finishDescents(page: Page): Promise<{ unclipped: string; clipped: string; step: string }> {
  const all = page.getByRole('button', { name: 'Show all steps' });
  await expect.poll(async () => all.isEnabled(), { timeout: 60_000 }).toBe(true);
  await all.click();
  return {
    unclipped: (await page.getByTestId('cliff-loss-unclipped').textContent()) ?? '',
    clipped: (await page.getByTestId('cliff-loss-clipped').textContent()) ?? '',
    step: (await page.getByTestId('cliff-step').textContent()) ?? '',
  };
}

describe('the cliff lesson in Chromium', () => {
  it('draws a non-empty heatmap, and the two descents part at the wall', async () => {
    const { page, errors, context } = await openPage(browser(), `${base()}#v=1&page=cliff`);
    const status = await waitForFullSurface(page);
    const stats = await canvasStats(page);
    // A real picture: the whole canvas painted, in many colours (the log scale spans five decades).
    expect(stats.painted).toBeGreaterThan(0.99);
    expect(stats.colours).toBeGreaterThan(50);
    expect(await page.locator('path[data-level]').count()).toBeGreaterThan(2);
    const end = await finishDescents(page);
    expect(end.step).toBe(`${DEFAULT_CLIFF.descentSteps} / ${DEFAULT_CLIFF.descentSteps}`);
    // Unclipped: catapulted off the picture onto the plateau; clipped: near the valley, far lower.
    await expect.poll(async () => page.locator('[data-path=unclipped] .off-window').count()).toBe(1);
    expect(await page.locator('[data-path=clipped] .off-window').count()).toBe(0);
    expect(Number(end.unclipped)).toBeGreaterThan(10 * Number(end.clipped));
    expect(await page.locator('[data-path=unclipped] [data-capped]').count()).toBeGreaterThan(0);
    const file = await screenshot(page, 'cliff-both-trajectories');
    console.log(
      `cliff: ${status}; final loss unclipped ${end.unclipped}, clipped ${end.clipped}; ${stats.colours} colours; screenshot ${file}`,
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('starts drawn: the page sketches the surface and answers a click while the worker has not even loaded', async () => {
    const context = await browser().newContext({ viewport: { width: 1366, height: 768 } });
    // Hold the cliff worker's code: whatever the page shows until then, it drew without the worker.
    const held: string[] = [];
    await context.route(/cliffRole/, (route) => {
      held.push(route.request().url());
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base()}#v=1&page=cliff&tour=6`);
    await page.getByTestId('cliff-canvas').waitFor();
    await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('cliff-status').textContent()).toMatch(
      /^Surface 64 x 64 sketched on the page in .* ms, sharpening\.\.\.$/,
    );
    const stats = await canvasStats(page);
    expect(stats.painted).toBeGreaterThan(0.99);
    expect(stats.colours).toBeGreaterThan(20);
    // Both descents are drawn, and a click starts them anew where it lands.
    const all = page.getByRole('button', { name: 'Show all steps' });
    await expect.poll(() => all.isEnabled(), { timeout: 5_000 }).toBe(true);
    await all.click();
    const before = await page.getByTestId('cliff-loss-unclipped').textContent();
    // "Show all steps" is below the plane and scrolled it up: the locator's click brings the plane back into view.
    const plane = page.locator('svg.cliff-overlay');
    const box = await plane.boundingBox();
    if (!box) throw new Error('the cliff plane is not on the page');
    await plane.click({ position: { x: box.width * 0.2, y: box.height * 0.2 } });
    await expect.poll(() => page.url()).toContain('cliffW=');
    await expect.poll(() => all.isEnabled(), { timeout: 5_000 }).toBe(true);
    await all.click();
    expect(await page.getByTestId('cliff-loss-unclipped').textContent()).not.toBe(before);
    // Still without the worker.
    expect(await page.getByTestId('cliff-status').textContent()).toContain('sketched on the page');
    await screenshot(page, 'cliff-before-the-worker');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a click starts both descents there, and a copied link reopens the same picture and trajectories', async () => {
    const first = await openPage(browser(), `${base()}#v=1&page=cliff&cliffSteps=30`);
    const { page } = first;
    await waitForFullSurface(page);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await waitForFullSurface(page);
    // Click a fifth of the way across and down: the upper left, far from the wall.
    const box = await page.locator('svg.cliff-overlay').boundingBox();
    if (!box) throw new Error('the cliff plane is not on the page');
    await page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await expect.poll(() => page.url()).toContain('cliffW=');
    const url = new URL(page.url());
    const decoded = decodeExperiment(url.hash);
    expect(decoded.issues).toEqual([]);
    expect(decoded.cliff.w0).not.toBe(DEFAULT_CLIFF.w0);
    expect(decoded.cliff.wMax - decoded.cliff.wMin).toBeLessThan(DEFAULT_CLIFF.wMax - DEFAULT_CLIFF.wMin);
    const a = await finishDescents(page);
    // Far from the wall clipping never acts: one path, one loss.
    expect(a.unclipped).toBe(a.clipped);

    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    const second = await openPage(browser(), link);
    await waitForFullSurface(second.page);
    const b = await finishDescents(second.page);
    expect(b).toEqual(a);
    expect(decodeExperiment(new URL(second.page.url()).hash).cliff).toEqual(decoded.cliff);
    expect(await second.page.getByLabel('Start w').inputValue()).toBe(String(decoded.cliff.w0));
    await screenshot(second.page, 'cliff-from-link');
    console.log(`cliff link ${link}: final losses ${a.unclipped} / ${a.clipped} in both pages`);
    expect([...first.errors, ...second.errors]).toEqual([]);
    await first.context.close();
    await second.context.close();
  });

  it('every tour lesson opens with its settings and says what to look for', async () => {
    const { page, errors, context } = await openPage(browser(), `${base()}#v=1&tour=1`);
    for (const lesson of TOUR) {
      await page.getByRole('button', { name: `${lesson.n}. ${lesson.title}` }).click();
      await expect
        .poll(async () => page.getByTestId('tour-lesson').locator('h2').textContent())
        .toBe(`Lesson ${lesson.n} of ${TOUR.length}: ${lesson.title}`);
      const opened = decodeExperiment(new URL(page.url()).hash);
      const expected = decodeExperiment(lessonLink(lesson));
      expect({ config: opened.config, cliff: opened.cliff, view: opened.view }).toEqual({
        config: expected.config,
        cliff: expected.cliff,
        view: expected.view,
      });
      if (expected.view.page === 'cliff') {
        await waitForFullSurface(page);
      } else {
        // A lesson that changes its preset's settings is shown as "custom, from" that preset.
        const custom = !sameExperiment(expected.config, PRESETS[expected.preset].config);
        expect(await page.getByLabel('Preset', { exact: true }).inputValue()).toBe(custom ? 'custom' : expected.preset);
        expect(await page.getByLabel('Steps', { exact: true }).inputValue()).toBe(String(expected.config.steps));
      }
      await screenshot(page, `tour-lesson-${lesson.n}`);
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});
