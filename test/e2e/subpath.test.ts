/**
 * Deploys anywhere: the built dist/, served as it is by a plain static server under a sub-path (`/gradient-lab/`,
 * as GitHub Pages serves a project), opens a shared link and trains it, trains an MNIST lesson, fills the sweep
 * page's map, registers its service worker for the sub-path, and every link the page writes starts with the
 * sub-path's address. The server answers 404 outside the prefix and records it, so one root-absolute URL in the
 * build (an asset, a worker, a WASM binary, the MNIST data, the manifest) fails a test here.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lessonLink, TOUR } from '../../src/experiment/tour.ts';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { openPage, phase, useBrowser } from './browser.ts';
import { serveStatic, type StaticSite } from '../../scripts/staticServer.ts';

const browser = useBrowser();
const PREFIX = '/gradient-lab/';
let site: StaticSite;

beforeAll(async () => {
  // globalSetup has built dist/ as `npm run build` does.
  site = await serveStatic('dist', PREFIX);
});
afterAll(async () => {
  await site.close();
});
/** The test's browser contexts, closed after it even when it fails, so no page of one test asks in the next. */
const contexts: BrowserContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
beforeEach(() => {
  // Each test answers for its own requests.
  site.outside.length = 0;
  site.missing.length = 0;
});

/** Requests that failed or were answered with an error status, as they happen. */
function watchRequests(page: Page): string[] {
  const failed: string[] = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.url()}: HTTP ${r.status()}`);
  });
  return failed;
}

/**
 * Waits until `done()` holds, failing at once when the server has refused a request (outside the sub-path or not
 * in the build): a stray root-absolute URL fails in a second, not after a timeout.
 */
async function until(what: string, done: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (site.outside.length > 0 || site.missing.length > 0)
      throw new Error(
        `while waiting for ${what}: asked outside ${PREFIX}: [${site.outside.join(', ')}]; not in the build: [${site.missing.join(', ')}]`,
      );
    if (await done()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function backendsReady(page: Page): Promise<void> {
  for (const side of ['baseline', 'clipped']) {
    const badge = page.getByTestId(`backend-${side}`);
    await until(`the ${side} run's backend`, async () => ((await badge.textContent()) ?? '...') !== '...');
  }
}

async function stepOf(page: Page, side: string): Promise<number> {
  return Number(await page.getByTestId(`step-${side}`).textContent());
}

describe('the build served under a sub-path by a plain static server', () => {
  it('a shared link trains there, and Copy link, the student link and the embed code keep the sub-path', async () => {
    const shared = 'v=1&preset=dense-explode&steps=40';
    const { page, context, errors } = await openPage(browser(), `${site.url}#${shared}`);
    contexts.push(context);
    const failed = watchRequests(page);
    await backendsReady(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await until('the clipped run to finish', async () => (await phase(page, 'clipped')) === 'finished');
    expect(await phase(page, 'baseline')).toBe('diverged');
    expect(await stepOf(page, 'clipped')).toBe(40);

    await page.getByRole('button', { name: 'Copy link' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(`${site.url}#${shared}`);
    // The panels build their links when opened (widgets/OpenedDetails.tsx), as a teacher opens them.
    await page.getByText('Link for students', { exact: true }).click();
    await page.getByText('Embed', { exact: true }).click();
    const student = await page.getByTestId('student-link').evaluate((e) => (e as HTMLInputElement).value);
    expect(student.startsWith(`${site.url}#v=1&preset=dense-explode`), student).toBe(true);
    expect(decodeExperiment(student).view.locked.length).toBeGreaterThan(0);
    const embed = await page.getByTestId('embed-code').evaluate((e) => (e as HTMLTextAreaElement).value);
    expect(embed).toContain(`src="${site.url}#v=1&amp;preset=dense-explode`);

    // The page's own references: the icon and the manifest resolve under the sub-path.
    const hrefs = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLLinkElement>('link[rel=icon], link[rel=manifest]')].map((l) => l.href),
    );
    expect(hrefs).toEqual([`${site.url}icons/icon.svg`, `${site.url}manifest.webmanifest`]);
    expect(await page.evaluate(async (u) => (await fetch(u)).status, `${site.url}manifest.webmanifest`)).toBe(200);

    expect(site.outside).toEqual([]);
    expect(site.missing).toEqual([]);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a tour lesson on MNIST fetches its digits from the sub-path and trains', async () => {
    const lesson = TOUR.find((l) => l.n === 4);
    if (!lesson) throw new Error('no lesson 4');
    const { page, context, errors } = await openPage(browser(), `${site.url}#${lessonLink(lesson)}`);
    contexts.push(context);
    const failed = watchRequests(page);
    await backendsReady(page);
    await page.getByRole('button', { name: 'Play' }).click();
    for (const side of ['baseline', 'clipped'])
      await until(`3 steps of the ${side} run`, async () => (await stepOf(page, side)) >= 3);
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(site.served).toEqual(expect.arrayContaining(['mnist/manifest.json', 'mnist/train-00.bin']));
    expect(page.url().startsWith(`${site.url}#v=1&preset=rnn-scale`), page.url()).toBe(true);
    expect(await page.locator('.run-error, [role=alert]').allTextContents()).toEqual([]);
    expect(site.outside).toEqual([]);
    expect(site.missing).toEqual([]);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the sweep page fills its map there, and a cell opens its pair at the same address', async () => {
    const sweep = 'v=1&preset=dense-explode&page=sweep&sweepLr=0.01:0.1:3&sweepClip=0.5:5:3&sweepSteps=60';
    const { page, context, errors } = await openPage(browser(), `${site.url}#${sweep}`, { width: 1366, height: 768 });
    contexts.push(context);
    const failed = watchRequests(page);
    await until('the sweep page', () => page.getByTestId('sweep-run').isVisible());
    await page.getByTestId('sweep-run').click();
    const status = page.getByTestId('sweep-status');
    await until('the sweep to finish', async () => (await status.getAttribute('data-phase')) === 'finished');
    const states = await page.getByTestId('sweep-cell').evaluateAll((cells) => cells.map((c) => c.dataset.state));
    expect(states).toHaveLength(12);
    expect(states.every((s) => s === 'finished' || s === 'diverged')).toBe(true);
    await page.getByTestId('sweep-map').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).not.toContain('page=sweep');
    expect(page.url().startsWith(`${site.url}#v=1&preset=dense-explode`), page.url()).toBe(true);
    expect(site.outside).toEqual([]);
    expect(site.missing).toEqual([]);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the service worker registers for the sub-path and controls the page after a reload', async () => {
    const context = await browser().newContext();
    contexts.push(context);
    const page = await context.newPage();
    const failed = watchRequests(page);
    await page.goto(`${site.url}#v=1&preset=dense-explode`);
    await until('the service worker to be active', () =>
      page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)),
    );
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)).toBe(site.url);
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${site.url}sw.js`);
    expect(site.outside).toEqual([]);
    expect(site.missing).toEqual([]);
    expect(failed).toEqual([]);
  });
});
