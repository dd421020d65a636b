/**
 * WCAG 2.1 A and AA, text contrast included, checked by axe-core on the built page: the race after Play (all four
 * run colours as text: card titles, the narrator's names, each chart's clipping words), the adding problem's lesson
 * (a recurrent pair's charts), the cliff and the sweep page. The page's Content-Security-Policy forbids injected scripts, so the context
 * bypasses it for axe alone; everything else the page does is as a student gets it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { phase, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeNode {
  target: string[];
  failureSummary?: string;
}
interface AxeResult {
  violations: { id: string; help: string; nodes: AxeNode[] }[];
}

/** axe's WCAG 2.1 A and AA violations on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (root: Document, options: object) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  )) as AxeResult;
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.help}): ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
  );
}

async function open(hash: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser().newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base()}#${hash}`);
  return { page, close: () => context.close() };
}

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  it.each([
    ['the race of lesson 3', 'v=1&preset=dense-explode&run3=norm:1&run4=global:1&steps=60&tour=3'],
    ['the adding problem of lesson 8', 'v=1&preset=adding&steps=40&tour=8'],
  ])('%s, trained: no violation', async (name, hash) => {
    const { page, close } = await open(hash);
    await page.getByRole('toolbar', { name: 'Training' }).getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 90_000 }).toBe('finished');
    // The narrator's summary and the cards' figures are on the page by now.
    await page.getByTestId('narration').waitFor();
    expect(await violations(page), name).toEqual([]);
    await screenshot(page, `axe-${name.replace(/\W+/g, '-')}`);
    await close();
  });

  it.each([
    ['the cliff', 'v=1&page=cliff&tour=6'],
    ['the sweep page', 'v=1&page=sweep'],
  ])('%s: no violation', async (name, hash) => {
    const { page, close } = await open(hash);
    await page.locator('h1').first().waitFor();
    await page.waitForTimeout(1000);
    expect(await violations(page), name).toEqual([]);
    await close();
  });
});
