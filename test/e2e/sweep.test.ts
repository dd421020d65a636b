/**
 * The sweep page in Chromium: a small grid of the dense net trains in its worker, the cells fill in with the
 * same numbers `gradlab sweep` computes in Node, hovering shows a cell's figures, clicking one opens that pair,
 * a reload lists the sweep among past sweeps, cancel stops a sweep, and bad input is named.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { nodeDataLoader } from '../../src/cli/nodeData.ts';
import { startNodeBackend } from '../../src/cli/nodeBackend.ts';
import { sweepGrid } from '../../src/experiment/sweep.ts';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { loadTrainingData } from '../../src/train/data/trainingData.ts';
import { runGridSweep } from '../../src/train/sweep/gridSweep.ts';
import { SWEEP_CSV_HEADER } from '../../src/train/sweep/sweepCsv.ts';
import { openPage, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

const SMALL = 'v=1&preset=dense-explode&page=sweep&sweepLr=0.01:0.1:3&sweepClip=0.5:5:3&sweepSteps=60';

interface PageCell {
  lr: number;
  clip: string;
  state: string;
  divergedAt: string;
  finalLoss: string;
  minLoss: string;
}

async function pageCells(page: Page): Promise<PageCell[]> {
  return page.getByTestId('sweep-cell').evaluateAll((nodes) =>
    nodes.map((n) => ({
      lr: Number(n.getAttribute('data-lr')),
      clip: n.getAttribute('data-clip') ?? '',
      state: n.getAttribute('data-state') ?? '',
      divergedAt: n.getAttribute('data-diverged-at') ?? '',
      finalLoss: n.getAttribute('data-final-loss') ?? '',
      minLoss: n.getAttribute('data-min-loss') ?? '',
    })),
  );
}

async function sweepPhase(page: Page): Promise<string | null> {
  return page.getByTestId('sweep-status').getAttribute('data-phase');
}

async function noSidewaysScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}

describe('the sweep page in Chromium', () => {
  it('fills a 3 x 3 sweep with the numbers of gradlab sweep, shows figures, keeps it, and opens a cell', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#${SMALL}`, { width: 1366, height: 768 });
    await page.getByTestId('sweep-run').click();
    await expect.poll(() => sweepPhase(page), { timeout: 90_000 }).toBe('finished');
    const cells = await pageCells(page);
    expect(cells).toHaveLength(12);
    expect(cells.every((c) => c.state !== 'pending')).toBe(true);
    await expect.poll(() => page.getByTestId('sweep-legend').isVisible()).toBe(true);
    expect(await page.getByTestId('sweep-legend').textContent()).toContain('final loss (log scale)');
    // The explanation reads as sentences: each ends with a full stop and a space before the next.
    expect(await page.locator('.sweep-explain').textContent()).toMatch(
      /brighter is lower\)\. Look for the learning rates/,
    );

    // The same sweep in Node, as gradlab sweep trains it (WASM, as the page's worker): equal to 1e-5.
    const decoded = decodeExperiment(SMALL);
    const grid = sweepGrid(decoded.view.sweep);
    await startNodeBackend(['wasm']);
    const data = await loadTrainingData(decoded.config, nodeDataLoader);
    const node = await runGridSweep(decoded.config, data, grid.cells, 60);
    node.forEach((o, k) => {
      const shown = cells[k] as PageCell;
      expect(shown.lr).toBe(o?.lr);
      expect(shown.clip).toBe(String(o?.clip ?? 'none'));
      expect(shown.divergedAt, `cell ${k}`).toBe(String(o?.divergedAt ?? ''));
      if (o?.divergedAt !== null) return;
      expect(Math.abs(Number(shown.finalLoss) - o.finalLoss) / o.finalLoss, `cell ${k}`).toBeLessThan(1e-5);
      expect(Math.abs(Number(shown.minLoss) - o.minLoss) / o.minLoss, `cell ${k}`).toBeLessThan(1e-5);
    });
    // lr 0.1 without clipping explodes; with clipping at 0.5 it learns.
    expect(cells[11]?.state).toBe('diverged');
    expect(cells[8]?.state).toBe('finished');

    // Hover: the cell's figures.
    await page.getByTestId('sweep-cell').nth(8).hover();
    const tip = await page.getByTestId('sweep-tooltip').textContent();
    expect(tip).toContain('lr 0.1, clip by value to [-0.5, 0.5]');
    expect(tip).toMatch(/Final loss [\d.e+]+ \(the last epoch’s loss over every row\)/);
    await screenshot(page, 'sweep-1366');
    for (const [width, height] of [
      [768, 1024],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.getByTestId('sweep-cell').nth(11).hover();
      expect(await page.getByTestId('sweep-tooltip').textContent()).toContain('Diverged at step');
      expect(await noSidewaysScroll(page), `${width} px wide`).toBe(true);
      await screenshot(page, `sweep-${width}`);
    }

    // A reload lists it among past sweeps, and it reopens.
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.reload();
    const item = page.getByTestId('sweep-history-item').first();
    await expect.poll(async () => (await item.textContent()) ?? '', { timeout: 10_000 }).toContain('12 of 12 cells');
    await item.getByRole('button', { name: 'Reopen' }).click();
    expect((await pageCells(page)).map((c) => c.finalLoss)).toEqual(cells.map((c) => c.finalLoss));
    // Its CSV is the CLI's: the same columns, a row per cell.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sweep-csv').click()]);
    const csv = (await readFile((await download.path()) as string, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(SWEEP_CSV_HEADER.join(','));
    expect(csv.slice(1).map((row) => row.split(',')[3])).toEqual(cells.map((c) => c.finalLoss));

    // Keyboard: the map is one tab stop; arrows move, Enter opens the cell: lr 0.1, clipped at 0.5.
    await page.getByTestId('sweep-map').focus();
    for (const key of ['ArrowDown', 'ArrowDown']) await page.keyboard.press(key);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).not.toContain('page=sweep');
    const opened = decodeExperiment(new URL(page.url()).hash);
    expect(opened.config.lr).toBeCloseTo(0.1, 12);
    expect(opened.config).toMatchObject({ pair: true, steps: 60, clip: { mode: 'value', min: -0.5, max: 0.5 } });
    expect(await page.getByRole('tab', { name: 'Training runs' }).getAttribute('aria-selected')).toBe('true');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cancels a sweep, keeping its finished cells, and names bad input', async () => {
    const big = 'v=1&preset=dense-explode&page=sweep&sweepLr=0.001:0.3:12&sweepClip=0.1:10:12&sweepSteps=20000';
    const { page, context, errors } = await openPage(browser(), `${base()}#${big}`, { width: 1366, height: 768 });
    await page.getByTestId('sweep-run').click();
    // Cells that diverge early are reported at once; the rest would take minutes.
    await expect
      .poll(async () => (await pageCells(page)).filter((c) => c.state === 'diverged').length, {
        timeout: 60_000,
      })
      .toBeGreaterThan(0);
    await page.getByTestId('sweep-cancel').click();
    await expect.poll(() => sweepPhase(page), { timeout: 10_000 }).toBe('cancelled');
    const kept = await pageCells(page);
    expect(kept.some((c) => c.state === 'diverged')).toBe(true);
    expect(kept.some((c) => c.state === 'pending')).toBe(true);

    // Bad input in the link: named, with the limit; the default grid is used.
    await page.goto(`${base()}#v=1&page=sweep&sweepLr=1:0.1:3&sweepClip=0.1:10:1000`);
    const issues = (await page.getByTestId('link-issues').textContent()) ?? '';
    expect(issues).toContain('sweepLr');
    expect(issues).toContain('the range is empty (A = 1 is above B = 0.1)');
    expect(issues).toContain('sweepClip');
    expect(issues).toContain('N must be an integer from 1 to 12');
    // Bad input typed on the page: named, and the sweep cannot start until it is fixed.
    const from = page.getByRole('group', { name: 'Learning rates' }).getByLabel('from');
    await from.fill('5');
    expect(await page.getByTestId('sweep-error-sweepLr').textContent()).toContain(
      'Learning rates (sweepLr=5:0.3:6): the range is empty (A = 5 is above B = 0.3)',
    );
    await from.fill('0.001');
    await page.getByRole('group', { name: 'Learning rates' }).getByLabel('values').fill('1000');
    expect(await page.getByTestId('sweep-error-sweepLr').textContent()).toContain('N must be an integer from 1 to 12');
    // No clipping mode: nothing to sweep, and the page says so.
    await page.locator('#sweep-mode').selectOption('none');
    expect(await page.getByTestId('sweep-refused').textContent()).toContain('clip=none');
    expect(await page.getByTestId('sweep-run').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
