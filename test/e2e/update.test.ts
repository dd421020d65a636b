/**
 * A new version: after a first visit, the host serves a changed service worker (one byte more, as a new build
 * would). The page announces it ("A new version of Gradient Lab is ready.") and does not take it by itself; while a
 * run trains its Reload is refused and says why, and the run goes on; once paused, Reload activates the waiting
 * version and reloads the page, which the new version then controls. Served by the plain static server under a
 * sub-path, with service workers on (openPage blocks them for the other tests).
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phase, useBrowser } from './browser.ts';
import { serveStatic, type StaticSite } from '../../scripts/staticServer.ts';

const browser = useBrowser();
let site: StaticSite;
let context: BrowserContext | null = null;

beforeAll(async () => {
  site = await serveStatic('dist', '/gradient-lab/');
});
afterAll(async () => {
  await context?.close();
  await site.close();
});

/** The registration's workers, by state: which script is active, and whether one waits or installs. */
function workers(page: Page): Promise<{ active: boolean; waiting: boolean; installing: boolean; controlled: boolean }> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return {
      active: Boolean(registration?.active),
      waiting: Boolean(registration?.waiting),
      installing: Boolean(registration?.installing),
      controlled: Boolean(navigator.serviceWorker.controller),
    };
  });
}

/** Appended to the built sw.js: the new version, which says so when asked (the old one does not answer). */
const ANSWERS_NEW = `self.addEventListener('message', (event) => {
  if (event.data === 'which version?') event.source?.postMessage('the new one');
});`;

/** What the worker controlling the page answers to 'which version?' within 2 s (null: no answer). */
function controllerVersion(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      new Promise<string | null>((resolve) => {
        const controller = navigator.serviceWorker.controller;
        if (!controller) return resolve(null);
        navigator.serviceWorker.addEventListener('message', (event) => resolve(String(event.data)), { once: true });
        controller.postMessage('which version?');
        setTimeout(() => resolve(null), 2000);
      }),
  );
}

async function stepOf(page: Page, side: string): Promise<number> {
  return Number(await page.getByTestId(`step-${side}`).textContent());
}

describe('a new version of the lab', () => {
  it('is announced, refused while a run trains, and taken by Reload once the run is paused', async () => {
    context = await browser().newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // The first visit installs the service worker; a reload puts the page under it.
    await page.goto(`${site.url}#v=1&preset=dense-explode&steps=100000`);
    await expect.poll(async () => (await workers(page)).active, { timeout: 60_000 }).toBe(true);
    await page.reload();
    expect(await workers(page)).toEqual({ active: true, waiting: false, installing: false, controlled: true });
    const banner = page.getByText('A new version of Gradient Lab is ready.');
    expect(await banner.count()).toBe(0);

    // A new build: the same worker with one more line. The page asks the host for it, as it would on its own.
    site.overrides.set('sw.js', `${readFileSync('dist/sw.js', 'utf8')}\n${ANSWERS_NEW}\n`);
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await expect.poll(async () => (await workers(page)).waiting, { timeout: 60_000 }).toBe(true);
    await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(1);
    const reload = page.getByRole('button', { name: 'Reload to use it' });
    expect(await reload.isEnabled()).toBe(true);

    // While the runs train, Reload is refused and says why; nothing reloads by itself and the run goes on.
    await page.evaluate(() => {
      (window as unknown as { samePage: boolean }).samePage = true;
    });
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => stepOf(page, 'clipped'), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await reload.isDisabled()).toBe(true);
    expect(await page.getByText('Pause or let the run finish first.').count()).toBe(1);
    const before = await stepOf(page, 'clipped');
    await page.waitForTimeout(1500);
    expect(await stepOf(page, 'clipped')).toBeGreaterThan(before);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
    expect((await workers(page)).waiting).toBe(true);
    expect(await controllerVersion(page)).toBeNull();

    // Paused: Reload takes the waiting version, and the page reloads under it.
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => phase(page, 'clipped')).toBe('paused');
    expect(await reload.isEnabled()).toBe(true);
    await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), reload.click()]);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBeUndefined();
    await expect
      .poll(() => workers(page), { timeout: 30_000 })
      .toEqual({ active: true, waiting: false, installing: false, controlled: true });
    expect(await controllerVersion(page)).toBe('the new one');
    expect(await banner.count()).toBe(0);
    // The same experiment, from its link.
    expect(page.url()).toBe(`${site.url}#v=1&preset=dense-explode&steps=100000`);
    expect(site.outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
