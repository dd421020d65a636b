/** Debian's Chromium through playwright-core (a test tool's own browser download does not work here). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results/screenshots');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // SwiftShader gives headless Chromium WebGL2, in workers too, with this flag; the network is closed.
    args: [
      '--no-sandbox',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors, to assert that nothing crashed. */
  errors: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1400, height: 1000 },
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport,
    acceptDownloads: true,
    permissions: ['clipboard-read', 'clipboard-write'],
    // Each fresh context would install the service worker and precache some 10 MB: offline.test.ts tests it.
    serviceWorkers: 'block',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // A Content-Security-Policy violation is an error too: the policy must allow all the app does, and no more.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      errors.push(`CSP: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    errors.push(`unexpected dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(url);
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // A full-page picture shows the charts scrolled out of view, which paint only when seen, or printed.
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.screenshot({ path: file, fullPage: true });
  // As after a real print: charts out of view go back to resting while training.
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  return file;
}

/** One Chromium per test file: launched before its tests, closed after them. */
export function useBrowser(): () => Browser {
  let browser: Browser | null = null;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium has not been launched yet');
    return browser;
  };
}

/** Waits until each run's worker has started a backend; returns the badges. */
export async function waitForBackends(page: Page, sides: string[] = ['baseline', 'clipped']): Promise<string[]> {
  const out: string[] = [];
  for (const side of sides) {
    const badge = page.getByTestId(`backend-${side}`);
    await expect.poll(async () => (await badge.textContent()) ?? '', { timeout: 60_000 }).not.toBe('...');
    out.push((await badge.textContent()) ?? '');
  }
  return out;
}

/** A run card's phase: starting, running, paused, finished, diverged, crashed. */
export async function phase(page: Page, side: string): Promise<string | null> {
  return page.locator(`[data-run=${side}]`).getAttribute('data-phase');
}
