/**
 * Runs you cannot lose, in a real browser: every streamed step lands in
 * IndexedDB, so a reload or a killed worker keeps the finished steps; stored
 * runs reopen on the charts, export, import, compare and delete.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, waitForBackends, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

/** The history table's rows as text, newest first. */
async function historyRows(page: Page): Promise<string[]> {
  return page.locator('[data-history-run]').allTextContents();
}

describe('the run history in Chromium', () => {
  it('a reload keeps both runs of a pair, which reopen on the charts with the same numbers', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=30`);
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    const loss = await page.getByTestId('loss-clipped').textContent();
    // The last batch reaches IndexedDB within moments of the last step.
    await expect
      .poll(async () => page.locator('[data-history-run]', { hasText: 'clipped' }).textContent(), { timeout: 5_000 })
      .toContain('30on the charts now');

    await page.reload();
    // The pair trained before the reload; the fresh pair the reload opened has not trained, so it is not history yet.
    await expect.poll(() => historyRows(page), { timeout: 30_000 }).toHaveLength(2);
    const rows = await historyRows(page);
    expect(rows.filter((r) => r.includes('finished'))).toHaveLength(1);
    expect(rows.filter((r) => r.includes('diverged at step 5'))).toHaveLength(1);
    const old = page.locator('[data-history-run]', { hasText: 'finished' });
    expect(await old.textContent()).toContain('30');
    await old.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('step-clipped').textContent()).toBe('30');
    expect(await page.getByTestId('loss-clipped').textContent()).toBe(loss);
    expect(await phase(page, 'baseline')).toBe('diverged');
    expect(await page.getByTestId('diverged-baseline').textContent()).toContain('Diverged at step 5.');
    // Open, at the foot of the page, scrolled the charts at its top out of view: they paint when seen again, or
    // when the page is printed (screenshot() says it is about to be).
    const lossPixels = () =>
      page.locator('[data-chart=loss] canvas.chart-lines').evaluate((canvas: HTMLCanvasElement) => {
        const { data } = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height) ?? { data: [] };
        return data.filter((v, i) => i % 4 === 3 && v > 0).length;
      });
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    expect(await lossPixels()).toBe(0);
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await lossPixels()).toBeGreaterThan(100);
    await screenshot(page, 'history-reopened');

    // The full record comes back out as CSV, all 30 steps.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-run=clipped]').getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect((await readFile((await download.path()) as string, 'utf8')).trim().split('\n')).toHaveLength(31);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a killed worker keeps its finished steps, through a reload too', async () => {
    const { page, context } = await openPage(
      browser(),
      `${base()}#v=1&preset=dense-explode&steps=100000&baseClip=norm&baseClipNorm=50`,
    );
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(async () => Number(await page.getByTestId('step-baseline').textContent()), { timeout: 60_000 })
      .toBeGreaterThan(5);
    await page.evaluate(() =>
      (
        window as unknown as { gradientLab: { simulateFault: (side: string, fault: string) => void } }
      ).gradientLab.simulateFault('baseline', 'crash'),
    );
    await expect.poll(() => phase(page, 'baseline'), { timeout: 30_000 }).toBe('crashed');
    const kept = Number(
      (((await page.getByTestId('error-baseline').textContent()) ?? '').match(/Its (\d+) finished steps are kept/) ??
        [])[1],
    );
    expect(kept).toBeGreaterThan(5);
    await page.getByRole('button', { name: 'Pause' }).click();
    // The kept steps reach IndexedDB within moments of the crash.
    await expect
      .poll(async () => page.locator('[data-history-run]', { hasText: 'baseline' }).first().textContent(), {
        timeout: 5_000,
      })
      .toContain(`${kept}on the charts now`);

    await page.reload();
    const crashed = page.locator('[data-history-run]', { hasText: 'baseline' }).filter({ hasText: 'stopped' }).first();
    await expect.poll(async () => (await crashed.count()) > 0, { timeout: 30_000 }).toBe(true);
    await crashed.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('step-baseline').textContent()).toBe(String(kept));
    expect(await page.getByTestId('error-baseline').textContent()).toContain('stopped unexpectedly');
    await context.close();
  });

  it('exports runs, deletes them, imports them back, compares two, and refuses a bad file', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=12`);
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    await expect.poll(() => historyRows(page)).toHaveLength(2);
    for (const box of await page.locator('[data-history-run] input[type=checkbox]').all()) await box.check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export selected (JSON)' }).click(),
    ]);
    const file = (await download.path()) as string;
    const exported = JSON.parse(await readFile(file, 'utf8')) as { runs: { steps: unknown[] }[] };
    expect(exported.runs.map((r) => r.steps.length).sort()).toEqual([12, 5]);

    // A new experiment, so the exported runs are no longer on the charts and can be deleted.
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.locator('[data-history-run]', { hasText: 'on the charts now' }).count()).toBe(0);
    const stored = page.locator('[data-history-run]', { hasText: /finished|diverged/ });
    for (let left = 2; left > 0; left--) {
      await stored.first().getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => stored.count()).toBe(left - 1);
    }
    await expect.poll(() => historyRows(page)).toHaveLength(0);

    await page.getByTestId('history-import').setInputFiles(file);
    await expect.poll(() => page.getByTestId('history-message').textContent()).toBe('Imported 2 runs.');
    await expect.poll(() => historyRows(page)).toHaveLength(2);

    await page.locator('[data-history-run] input[type=checkbox]').nth(0).check();
    await page.locator('[data-history-run] input[type=checkbox]').nth(1).check();
    await page.getByRole('button', { name: 'Compare the two selected' }).click();
    await expect
      .poll(() => page.locator('.run-card h2').allTextContents())
      .toEqual([expect.stringMatching(/^A \(/), expect.stringMatching(/^B \(/)]);
    // The charts follow (their re-render is deferred): both runs in the loss chart's legend, by their names.
    await expect
      .poll(async () => (await page.locator('[data-chart=loss] .plot-legend').textContent()) ?? '', {
        timeout: 10_000,
      })
      .toMatch(/A \(.*B \(/);
    // The Compare button is at the foot of the page: back at the top the charts paint (they skip while off screen).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(500);
    await screenshot(page, 'history-compare');

    await page.getByTestId('history-import').setInputFiles({
      name: 'evil.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        '{"format":"gradient-lab-runs","version":1,"runs":[{"run":{"id":"<img src=x onerror=alert(1)>"}}]}',
      ),
    });
    await expect
      .poll(() => page.getByTestId('history-message').textContent())
      .toMatch(/^The file could not be imported: .*Nothing was changed\.$/);
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(await historyRows(page)).toHaveLength(2);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a run card's Download JSON imports back and reopens with the same numbers", async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=12`);
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    const loss = await page.getByTestId('loss-clipped').textContent();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-run=clipped]').getByRole('button', { name: 'Download JSON' }).click(),
    ]);
    const file = (await download.path()) as string;
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.locator('[data-history-run]', { hasText: 'on the charts now' }).count()).toBe(0);
    await page.getByTestId('history-import').setInputFiles(file);
    await expect.poll(() => page.getByTestId('history-message').textContent()).toBe('Imported 1 run.');
    await expect.poll(() => historyRows(page)).toHaveLength(3);
    // The imported copy is the newest row (the original keeps its own id).
    const imported = page.locator('[data-history-run]').first();
    expect(await imported.getAttribute('data-history-run')).toMatch(/:imported-/);
    await imported.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('step-clipped').textContent()).toBe('12');
    expect(await page.getByTestId('loss-clipped').textContent()).toBe(loss);
    expect(await phase(page, 'clipped')).toBe('finished');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('on a phone each stored run is a block with its fields named, and its buttons in sight, not a table scrolled sideways', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=12`, {
      width: 390,
      height: 844,
    });
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    const row = page.locator('[data-history-run]', { hasText: 'clipped' });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await row.scrollIntoViewIfNeeded();
    const table = page.locator('.history-table');
    expect(await table.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    for (const name of ['Open', 'Export', 'Delete']) {
      const box = await row.getByRole('button', { name }).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390, name).toBe(true);
    }
    // Each field is named where it is shown, and only there: the names are not read into the cells.
    const named = await row.evaluate((tr) =>
      [...tr.querySelectorAll('td[data-label]')].map((td) => getComputedStyle(td, '::before').content),
    );
    expect(named).toEqual(['"When: " / ""', '"Run: " / ""', '"Steps: " / ""', '"State: " / ""']);
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('12');
    // The table stays a table to a screen reader: its column headers are there, out of sight.
    expect(await page.getByRole('columnheader', { name: 'Steps' }).count()).toBe(1);
    await screenshot(page, 'history-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
