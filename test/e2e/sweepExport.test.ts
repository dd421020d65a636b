/**
 * A sweep's Download JSON in Chromium: a tiny sweep trains, its file imports back in a fresh browser (no stored sweep)
 * through the run history's Import, which opens it on the sweep page with the same cells and keeps it; a broken file
 * imported on the sweep page gets one sentence and changes nothing.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { openPage, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

// 2 learning rates x 1 threshold + the unclipped column: lr 0.1 without clipping diverges within the 20 steps.
const TINY = 'v=1&preset=dense-explode&page=sweep&sweepLr=0.01:0.1:2&sweepClip=0.5:0.5:1&sweepSteps=20';
const LAPTOP = { width: 1366, height: 768 };

/** Every cell's figures as the map writes them. */
async function pageCells(page: Page): Promise<Record<string, string | null>[]> {
  return page
    .getByTestId('sweep-cell')
    .evaluateAll((nodes) =>
      nodes.map((n) =>
        Object.fromEntries(
          ['data-lr', 'data-clip', 'data-state', 'data-diverged-at', 'data-final-loss', 'data-min-loss'].map((a) => [
            a,
            n.getAttribute(a),
          ]),
        ),
      ),
    );
}

describe("a sweep's JSON in Chromium", () => {
  it('imports back in a fresh browser through the history, opens on the sweep page with the same cells', async () => {
    const trained = await openPage(browser(), `${base()}#${TINY}`, LAPTOP);
    await trained.page.getByTestId('sweep-run').click();
    await expect
      .poll(() => trained.page.getByTestId('sweep-status').getAttribute('data-phase'), { timeout: 60_000 })
      .toBe('finished');
    const cells = await pageCells(trained.page);
    expect(cells).toHaveLength(4);
    expect(cells[3]?.['data-state']).toBe('diverged');
    expect(cells[0]?.['data-final-loss']).not.toBe('');
    const [download] = await Promise.all([
      trained.page.waitForEvent('download'),
      trained.page.getByTestId('sweep-json').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^sweep-[\w-]+\.json$/);
    // Read before the context closes (its downloads go with it).
    const text = await readFile((await download.path()) as string, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: 'gradient-lab-sweep', version: 1 });
    const status = await trained.page.getByTestId('sweep-status').textContent();
    expect(trained.errors).toEqual([]);
    await trained.context.close();

    // A fresh context has no stored sweep: the training page's Import opens the file on the sweep page.
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode`, LAPTOP);
    const file = { name: download.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(text) };
    await page.getByTestId('history-import').setInputFiles(file);
    await expect.poll(() => page.url()).toContain('page=sweep');
    // The sweep page's code comes when it is first opened (ui/App.tsx): its map a moment after the address.
    await expect.poll(() => pageCells(page), { timeout: 10_000 }).toEqual(cells);
    // "Finished: 4 of 4 cells in 2 s" (the backend is not kept with a sweep, stored or exported).
    const shown = (await page.getByTestId('sweep-status').textContent()) ?? '';
    expect(shown.split(' · ')[0]).toBe(status?.split(' · ')[0]);
    expect(await page.getByTestId('sweep-status').getAttribute('data-phase')).toBe('finished');
    // Kept: listed among past sweeps, as the one shown.
    const item = page.getByTestId('sweep-history-item');
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(1);
    expect(await item.getByRole('button', { name: 'Shown' }).isDisabled()).toBe(true);

    // A file cut short, imported on the sweep page: one sentence, and the sweep stays as it was.
    await page.getByTestId('sweep-import').setInputFiles({ ...file, buffer: Buffer.from(text.slice(0, 200)) });
    await expect
      .poll(() => page.getByTestId('sweep-import-message').textContent())
      .toMatch(
        /^The file could not be imported: the file is not JSON, or not all of it \([^)]*\)\. Nothing was changed\.$/,
      );
    expect(await pageCells(page)).toEqual(cells);
    expect(await item.count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
