/**
 * MNIST is fetched only when an experiment trains on it, with a progress bar: the dense net, the broadcast-loss
 * bug and the adding problem ask for no MNIST file; an MNIST lesson on a first visit (served slowly, as on a school
 * network) shows "Loading MNIST digits: x of 1.6 MB" over a <progress> of the bytes received, gone once the runs are
 * ready; a chunk the host fails to send stops the run with a sentence that names it. Served by the plain static
 * server under a sub-path, as deployed.
 */
import { statSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lessonLink, TOUR } from '../../src/experiment/tour.ts';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';
import { serveStatic, type StaticSite } from '../../scripts/staticServer.ts';

const browser = useBrowser();
let site: StaticSite;
const contexts: BrowserContext[] = [];
const LESSON_4 = TOUR.find((l) => l.n === 4);
/** Where the screenshots of the bar go besides test-results/ (for a reviewer's eyes). */
const SHOTS = process.env.SHOTS_DIR;

beforeAll(async () => {
  site = await serveStatic('dist', '/gradient-lab/');
});
afterAll(async () => {
  await site.close();
});
beforeEach(() => {
  site.served.length = 0;
  site.throttle = null;
  site.failing.clear();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

async function open(
  hash: string,
  viewport = { width: 1366, height: 768 },
): Promise<Awaited<ReturnType<typeof openPage>>> {
  const opened = await openPage(browser(), `${site.url}#${hash}`, viewport);
  contexts.push(opened.context);
  return opened;
}

/** The whole page into test-results/, and the first screen into SHOTS_DIR if set (for a reviewer's eyes). */
async function shoot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

async function stepOf(page: Page, side: string): Promise<number> {
  return Number(await page.getByTestId(`step-${side}`).textContent());
}

describe('the MNIST download', () => {
  it('is never asked for by an experiment that does not train on MNIST', async () => {
    const { page, errors } = await open('v=1&preset=dense-explode&steps=20');
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 60_000 }).toBe('finished');
    for (const preset of ['literal-loss', 'adding']) {
      await page.goto(`${site.url}#v=1&preset=${preset}`);
      await page.reload();
      await waitForBackends(page);
      for (const side of ['baseline', 'clipped']) await expect.poll(() => phase(page, side)).toBe('ready');
    }
    expect(site.served.filter((p) => p.startsWith('mnist/'))).toEqual([]);
    expect(site.served).toContain('data/make_regression_rs1.csv');
    expect(errors).toEqual([]);
  });

  it('shows a progress bar of the bytes received on a first visit, gone once the runs are ready', async () => {
    if (!LESSON_4) throw new Error('no lesson 4');
    // Lesson 4 trains on 2000 digits and tests on 200: one chunk of each split.
    const totalBytes = statSync('dist/mnist/train-00.bin').size + statSync('dist/mnist/test-00.bin').size;
    site.throttle = { pattern: /^mnist\/.*\.bin$/, bytesPerSecond: 100_000 };
    const { page, errors } = await open(lessonLink(LESSON_4));
    const bar = page.getByRole('progressbar', { name: /^Loading MNIST digits: / });
    await expect.poll(() => bar.count(), { timeout: 30_000 }).toBe(1);
    expect(await bar.getAttribute('max')).toBe(String(totalBytes));
    expect(await page.getByTestId('data-load').textContent()).toMatch(/^Loading MNIST digits: \d\.\d of 1\.6 MB$/);

    // The value is the bytes received: it grows, part of the way, before it is done.
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          const value = Number((await bar.getAttribute('value').catch(() => null)) ?? NaN);
          if (Number.isFinite(value)) seen.push(value);
          return seen.some((v) => v > totalBytes * 0.3 && v < totalBytes * 0.9);
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(true);
    expect(
      seen.every((v, k) => k === 0 || v >= (seen[k - 1] ?? 0)),
      `values ${seen.join(', ')}`,
    ).toBe(true);
    expect(await page.getByTestId('data-load').textContent()).not.toMatch(/: 0\.0 of/);
    await shoot(page, 'mnist-progress-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    // The bar stays in the first screen of a phone.
    const box = await bar.boundingBox();
    expect(box && box.y + box.height <= 844 && box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box)).toBe(true);
    await shoot(page, 'mnist-progress-390');
    await page.setViewportSize({ width: 1366, height: 768 });

    // Done: the bar goes when the runs are ready, and stays gone while they train.
    await waitForBackends(page);
    for (const side of ['baseline', 'clipped'])
      await expect.poll(() => phase(page, side), { timeout: 60_000 }).toBe('ready');
    expect(await page.getByTestId('data-load').count()).toBe(0);
    await page.getByRole('button', { name: 'Play' }).click();
    for (const side of ['baseline', 'clipped'])
      await expect.poll(() => stepOf(page, side), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('data-load').count()).toBe(0);
    expect(site.served.filter((p) => p.startsWith('mnist/')).sort()).toEqual(
      expect.arrayContaining(['mnist/manifest.json', 'mnist/test-00.bin', 'mnist/train-00.bin']),
    );
    // Only the chunks lesson 4 needs.
    expect(site.served.filter((p) => /^mnist\/(train-0[1-9]|train-1|test-01)/.test(p))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows the bar in a frame of another page too (embed=1), over its charts', async () => {
    if (!LESSON_4) throw new Error('no lesson 4');
    site.throttle = { pattern: /^mnist\/.*\.bin$/, bytesPerSecond: 400_000 };
    const { page, errors } = await open(`${lessonLink(LESSON_4)}&embed=1`, { width: 640, height: 480 });
    const bar = page.getByRole('progressbar', { name: /^Loading MNIST digits: / });
    await expect.poll(() => bar.count(), { timeout: 30_000 }).toBe(1);
    // Inside the frame's first screen, over its charts.
    const box = await bar.boundingBox();
    const charts = await page.locator('.embed-charts').boundingBox();
    expect(box && box.y + box.height <= 480 && box.x >= 0 && box.x + box.width <= 640, JSON.stringify(box)).toBe(true);
    expect(box && charts && box.y >= charts.y && box.y < charts.y + charts.height).toBe(true);
    await shoot(page, 'mnist-progress-embed-640x480');
    await expect.poll(() => page.getByTestId('data-load').count(), { timeout: 60_000 }).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows the bar on the sweep page while its workers fetch MNIST, gone once they train', async () => {
    // Lesson 4's recurrent net on 2000 digits, swept over two learning rates for a few steps.
    const sweep = `v=1&preset=rnn-scale&trainSize=2000&testSize=200&page=sweep&sweepLr=0.01:0.1:2&sweepClip=1:1:1&sweepSteps=3`;
    site.throttle = { pattern: /^mnist\/.*\.bin$/, bytesPerSecond: 400_000 };
    const { page, errors } = await open(sweep);
    await page.getByTestId('sweep-run').click();
    const bar = page.getByRole('progressbar', { name: /^Loading MNIST digits: / });
    await expect.poll(() => bar.count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('data-load').textContent()).toMatch(/^Loading MNIST digits: \d\.\d of 1\.6 MB$/);
    await shoot(page, 'mnist-progress-sweep-1366');
    // Kept as it runs, and listed as running, not as a closed page's interrupted sweep.
    const kept = page.getByTestId('sweep-history-item');
    await expect.poll(() => kept.first().textContent(), { timeout: 10_000 }).toMatch(/cells \(running\)/);
    expect(await kept.first().textContent()).not.toContain('interrupted');
    const status = page.getByTestId('sweep-status');
    await expect.poll(() => status.getAttribute('data-phase'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('data-load').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a chunk the host fails to send stops the run with a sentence that names it, and the bar goes', async () => {
    if (!LESSON_4) throw new Error('no lesson 4');
    site.failing.add('mnist/train-00.bin');
    const { page, errors } = await open(lessonLink(LESSON_4));
    for (const side of ['baseline', 'clipped']) {
      await expect.poll(() => phase(page, side), { timeout: 60_000 }).toBe('crashed');
      expect(await page.getByTestId(`error-${side}`).textContent()).toMatch(
        /^The run stopped at step 0: the run could not start: could not download the MNIST digits \(train-00\.bin\): the host answered HTTP 503 for http:\/\/127\.0\.0\.1:\d+\/gradient-lab\/mnist\/train-00\.bin\./,
      );
    }
    expect(await page.getByTestId('data-load').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a network that fails says so, and how to try again', async () => {
    if (!LESSON_4) throw new Error('no lesson 4');
    const { page, context, errors } = await open('v=1&preset=dense-explode');
    await waitForBackends(page);
    await context.route('**/mnist/**', (route) => route.abort('internetdisconnected'));
    await page.evaluate((hash) => (window.location.hash = hash), lessonLink(LESSON_4));
    await expect.poll(() => phase(page, 'baseline'), { timeout: 60_000 }).toBe('crashed');
    expect(await page.getByTestId('error-baseline').textContent()).toContain(
      'could not download the list of MNIST digits: the network failed; connect and press Reset to try again.',
    );
    expect(errors).toEqual([]);
  });
});
