/**
 * Offline after one visit: the service worker (vite.config.ts `offline`) serves the app shell, the WASM binaries,
 * the dense net's CSV and the MNIST chunks an experiment fetched, so with the network gone a reload still opens
 * the lab and trains the dense pair and the MNIST LSTM lesson. The page is installable: a manifest with icons and
 * a theme colour.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { lessonLink, TOUR } from '../../src/experiment/tour.ts';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { phase, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');
const LSTM_LESSON = TOUR.find((l) => l.n === 5);

async function stepOf(page: Page, side: string): Promise<number> {
  return Number(await page.getByTestId(`step-${side}`).textContent());
}

/**
 * Opens `hash` by a reload (a hash change alone keeps the experiment), and plays until both runs took 3 steps;
 * returns the runs' backend badges.
 */
async function openAndPlay(page: Page, hash: string): Promise<string[]> {
  await page.goto(`${base()}${hash}`);
  await page.reload();
  // The experiment the link names, not the one before it (ui/linkSync.test.ts: a reload in the moment the address
  // held the old experiment opened that one, and this test then trained the dense net and kept no MNIST).
  expect(decodeExperiment(new URL(page.url()).hash).preset).toBe(decodeExperiment(hash).preset);
  const badges = await waitForBackends(page);
  await page.getByRole('button', { name: 'Play' }).click();
  for (const side of ['baseline', 'clipped'])
    await expect.poll(() => stepOf(page, side), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
  await page.getByRole('button', { name: 'Pause' }).click();
  return badges;
}

describe('offline after one visit', () => {
  it('with the network gone, a reload opens the lab, and the dense pair and the MNIST LSTM lesson train', async () => {
    if (!LSTM_LESSON) throw new Error('no lesson 5');
    const context = await browser().newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
    });

    // The first visit, online: the worker installs and precaches; the MNIST lesson's chunks are kept as fetched.
    await page.goto(`${base()}#v=1&preset=dense-explode`);
    // Not while the page starts: the worker registers once the page is quiet (store/quiet.ts QUIET_MS) after the first paint (no run plays), which comes
    // after the load event goto waits for.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()) === undefined)).toBe(true);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const online = await openAndPlay(page, `#${lessonLink(LSTM_LESSON)}`);
    expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    // The service worker puts each chunk in its cache after answering with it: on a busy machine that lands a
    // moment after the run has started training.
    const kept = () =>
      page.evaluate(async () => {
        const cache = await caches.open('gradient-lab-mnist');
        return (await cache.keys()).map((r) => new URL(r.url).pathname.split('/').pop());
      });
    await expect.poll(async () => (await kept()).length, { timeout: 20_000 }).toBeGreaterThan(0);

    // Installable: the manifest names the lab, with a 192 and a 512 px icon and a theme colour.
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]');
      return link ? ((await (await fetch(link.href)).json()) as { name: string; icons: { sizes: string }[] }) : null;
    });
    expect(manifest?.name).toBe('Gradient Lab');
    expect(manifest?.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(await page.locator('meta[name=theme-color]').getAttribute('content')).toMatch(/^#[0-9a-f]{6}$/i);

    // No network: the dense pair trains to its end (the unclipped run diverges, as online) ...
    await context.setOffline(true);
    await page.goto(`${base()}#v=1&preset=dense-explode&steps=60`);
    await page.reload();
    // The same backends as online: the WASM binaries come from the cache too (no quiet fall back to the CPU).
    expect(await waitForBackends(page)).toEqual(online);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 90_000 }).toBe('finished');
    expect(await phase(page, 'baseline'), await page.locator('[data-run=baseline]').innerText()).toBe('diverged');
    // ... and so does the MNIST LSTM lesson, from the chunks kept on the first visit.
    expect(await openAndPlay(page, `#${lessonLink(LSTM_LESSON)}`)).toEqual(online);
    expect(await page.locator('.run-error, [role=alert]').allTextContents()).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
