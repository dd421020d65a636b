/**
 * Offline after one visit: the service worker (vite-plugin-pwa, Workbox) keeps the app shell, the workers, the
 * WASM binaries and, once an experiment has needed them, the MNIST chunks. One visit online (the dense pair, then
 * the MNIST LSTM lesson), then the browser context goes offline, the page reloads, and both train. Served from a
 * sub-path by a plain static server, so the service worker's scope is the sub-path's.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../scripts/staticServer.ts';
import { TOUR, lessonLink } from '../../src/experiment/tour.ts';
import { openPage, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
let server: StaticServer;

beforeAll(async () => {
  server = await serveStatic('dist', '/lab/');
});
afterAll(async () => {
  await server.close();
});

const stepOf = async (page: Page) => Number(await page.getByTestId('step-clipped').textContent());

/** The names of the files a cache of this page holds. */
async function cached(page: Page, name: string): Promise<string[]> {
  return page.evaluate(async (cacheName) => {
    const cache = await caches.open(cacheName);
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  }, name);
}

describe('offline after one visit', () => {
  it('trains the dense pair and the MNIST LSTM lesson with no network', async () => {
    const lesson = TOUR[4];
    if (!lesson) throw new Error('the tour has no lesson 5');
    const dense = `${server.url}#v=1&preset=dense-explode`;
    const { page, context, errors } = await openPage(browser(), dense);
    // The first visit: the service worker installs (precaching the shell) and takes the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
    await waitForBackends(page);
    // The lesson needs MNIST: fetched now, once, and kept.
    await page.goto(`${server.url}#${lessonLink(lesson)}`);
    await waitForBackends(page);
    const mnist = await cached(page, 'gradient-lab-mnist');
    expect(mnist).toContain('/lab/mnist/manifest.json');
    expect(mnist.filter((file) => file.endsWith('.bin')).length).toBeGreaterThan(0);

    await context.setOffline(true);
    // Play is pressed at once, before the workers have loaded tfjs: it is queued, and the pair trains.
    await page.goto(dense);
    await page.reload();
    await page.getByRole('toolbar', { name: 'Training' }).getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);
    expect(await page.getByTestId('backend-clipped').textContent()).not.toBe('...');

    await page.goto(`${server.url}#${lessonLink(lesson)}`);
    await page.reload();
    await waitForBackends(page);
    for (let n = 1; n <= 2; n++) {
      await page.getByRole('button', { name: 'One step' }).click();
      await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBe(n);
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});
