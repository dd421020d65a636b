/**
 * Training never depends on storage, in Chromium: the lab embedded in another site's page in a fresh (incognito-style)
 * context, where Chromium denies the frame IndexedDB and the Locks API; a page whose indexedDB.open throws; and a
 * disk that fills up in the middle of a run. Each time the runs go on, the history says once, plainly, that runs are
 * not being kept and why, and the run cards' downloads still work. Then a reload in the middle of a fast race of
 * four keeps all but the last second of what the page had shown.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { parseArchive } from '../../src/persist/runArchive.ts';
import { openPage, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');
const PAIR = '#v=1&preset=dense-explode&steps=40';
const NOT_KEPT = 'Runs are not being kept in this browser';

type Surface = Page | Frame;

async function startPair(where: Surface): Promise<void> {
  for (const side of ['baseline', 'clipped'])
    await expect
      .poll(async () => (await where.getByTestId(`backend-${side}`).textContent()) ?? '', { timeout: 60_000 })
      .not.toBe('...');
  await where.getByRole('button', { name: 'Play' }).click();
}

async function phaseOf(where: Surface, side: string): Promise<string | null> {
  return where.locator(`[data-run=${side}]`).getAttribute('data-phase');
}

/** The pair trains to the end: the unclipped run diverges at step 5, the clipped one finishes its 40 steps. */
async function pairTrains(where: Surface): Promise<void> {
  await expect.poll(() => phaseOf(where, 'clipped'), { timeout: 120_000 }).toBe('finished');
  expect(await phaseOf(where, 'baseline')).toBe('diverged');
  expect(await where.getByTestId('step-clipped').textContent()).toBe('40');
  expect(await where.locator('[data-testid^=error-]').count()).toBe(0);
}

/** The whole text says once that runs are not kept, gives the reason, and never doubles a stop. */
async function saidOnce(where: Surface, reason: RegExp): Promise<string> {
  await expect.poll(() => where.getByTestId('history-error').count(), { timeout: 20_000 }).toBe(1);
  const text = (await where.getByTestId('history-error').textContent()) ?? '';
  expect(text).toMatch(reason);
  const body = (await where.locator('body').textContent()) ?? '';
  expect(body.split(NOT_KEPT)).toHaveLength(2);
  expect(body).not.toMatch(/[a-z]\.\./);
  expect(body).not.toContain('Every run is saved in this browser');
  return text;
}

async function download(where: Surface, page: Page, side: string, kind: 'CSV' | 'JSON'): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    where
      .locator(`[data-run=${side}]`)
      .getByRole('button', { name: `Download ${kind}` })
      .click(),
  ]);
  return readFile((await file.path()) as string, 'utf8');
}

describe('storage that is missing, refused or full', () => {
  it('embedded in another site in a fresh context, the frame gets no storage, and the pair trains anyway', async () => {
    // The lab is served on 127.0.0.1; the course page that embeds it on localhost: another site.
    const lab = new URL(base());
    const course = http
      .createServer((_, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(`<h1>A course page</h1><iframe src="${lab.origin}/${PAIR}" width="1300" height="2400"></iframe>`);
      })
      .listen(0, 'localhost');
    await new Promise((resolve) => course.once('listening', resolve));
    const { page, context, errors } = await openPage(
      browser(),
      `http://localhost:${(course.address() as AddressInfo).port}/`,
    );
    try {
      const frame = page.frames().find((f) => f.url().startsWith(lab.origin));
      if (!frame) throw new Error('the lab did not load in the frame');
      // What Chromium does to a third-party frame here: IndexedDB and the Locks API are both denied.
      const denied = await frame.evaluate(async () => {
        const idb = await new Promise<string>((resolve) => {
          const request = indexedDB.open('probe');
          request.onsuccess = () => resolve('opened');
          request.onerror = () => resolve(request.error?.message ?? 'error');
        });
        const locks = await navigator.locks.request('probe', () => 'granted').catch((e: Error) => e.message);
        return { idb, locks };
      });
      expect(denied).toEqual({
        idb: 'The user denied permission to access the database.',
        locks: 'The request was denied.',
      });
      await startPair(frame);
      await pairTrains(frame);
      await saidOnce(frame, /the browser refused this page its storage/);
      // The downloads come from the page's own copy, and the JSON is a run archive the history could import.
      expect((await download(frame, page, 'clipped', 'CSV')).trim().split('\n')).toHaveLength(41);
      const [archived] = parseArchive(await download(frame, page, 'clipped', 'JSON'));
      expect(archived?.steps).toHaveLength(40);
      expect(archived?.run.phase).toBe('finished');
      await screenshot(page, 'storage-denied-frame');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      course.close();
    }
  });

  it('a page whose indexedDB.open throws trains on and says so once', async () => {
    const context = await browser().newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('IndexedDB is switched off here.', 'InvalidStateError');
      };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base()}${PAIR}`);
    await startPair(page);
    await pairTrains(page);
    const said = await saidOnce(page, /in this browser: IndexedDB is switched off here\. Training goes on/);
    expect(said).toContain("each run's Download CSV and JSON still work");
    expect((await download(page, page, 'clipped', 'CSV')).trim().split('\n')).toHaveLength(41);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a disk that fills up in the middle of a run: the runs finish, it is said once, and the download has every step', async () => {
    const context = await browser().newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    // After 60 steps have been written, every write to the steps store is refused as a full disk would refuse it
    // (a record of steps holds many: runHistory.ts StoredPackedChunk).
    await context.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      let steps = 0;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        // A record of steps holds its rows as columns (packed.count of them), or as rows.
        const { rows, packed } = args[0] as { rows?: unknown[]; packed?: { count: number } };
        const count = packed ? packed.count : Array.isArray(rows) ? rows.length : 1;
        if (this.name === 'steps' && (steps += count) > 60)
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base()}#v=1&preset=dense-explode&steps=300`);
    await startPair(page);
    await expect.poll(() => phaseOf(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('step-clipped').textContent()).toBe('300');
    await saidOnce(page, /this site's share of the browser's storage is full/);
    // What was kept before the disk filled, then the page's own later steps: all 300, in order.
    const rows = (await download(page, page, 'clipped', 'CSV')).trim().split('\n').slice(1);
    expect(rows.map((r) => Number(r.split(',')[0]))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(errors).toEqual([]);
    await context.close();
  });
});

const RACE_SIDES = ['baseline', 'clipped', 'third', 'fourth'];
/** A race of four on the dense net, far longer than the test lets it run: every run at full speed. */
const RACE = '#v=1&preset=dense-explode&run3=norm:1&run4=global:1&steps=100000';

describe('a reload in the middle of a fast race', () => {
  it('keeps every step the page showed more than a second before the reload, and the banner names the race', async () => {
    const { page, context } = await openPage(browser(), `${base()}${RACE}`);
    for (const side of RACE_SIDES)
      await expect
        .poll(async () => (await page.getByTestId(`backend-${side}`).textContent()) ?? '', { timeout: 90_000 })
        .not.toBe('...');
    // The shown steps, read from the page every 20 ms, and the page's long tasks, from before Play.
    await page.evaluate((sides) => {
      const w = window as unknown as { shown: { t: number; steps: number[] }[]; longTasks: number[] };
      w.shown = [];
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
      setInterval(() => {
        const steps = sides.map((s) => Number(document.querySelector(`[data-testid=step-${s}]`)?.textContent ?? 0));
        w.shown.push({ t: performance.now(), steps });
        if (w.shown.length > 500) w.shown.shift();
      }, 20);
    }, RACE_SIDES);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(async () => Number(await page.getByTestId('step-clipped').textContent()), { timeout: 120_000 })
      .toBeGreaterThan(1500);
    await page.waitForTimeout(3000);
    // Read what was shown and reload in the same task, so nothing is shown between the two.
    const before = await page.evaluate(() => {
      const w = window as unknown as { shown: { t: number; steps: number[] }[]; longTasks: number[] };
      const now = performance.now();
      setTimeout(() => location.reload(), 0);
      return { now, shown: w.shown, longTasks: w.longTasks };
    });
    await page.waitForLoadState('load');
    const second = before.shown.filter((s) => s.t <= before.now - 1000).at(-1);
    const last = before.shown.at(-1);
    if (!second || !last) throw new Error('nothing was recorded before the reload');
    // What IndexedDB kept, read by the reloaded page: each run's record moves with its last stored step.
    await page.waitForFunction(() => document.querySelector('[data-testid=reopen-banner]') !== null, null, {
      timeout: 30_000,
    });
    const kept = await page.evaluate(
      (sides) =>
        new Promise<number[]>((resolve, reject) => {
          const request = indexedDB.open('gradient-lab');
          request.onerror = () => reject(new Error(String(request.error)));
          request.onsuccess = () => {
            const all = request.result.transaction('runs').objectStore('runs').getAll();
            all.onsuccess = () => {
              const runs = (all.result as { side: string; step: number }[]).filter((r) => r.step > 0);
              resolve(sides.map((s) => Math.max(0, ...runs.filter((r) => r.side === s).map((r) => r.step))));
            };
          };
        }),
      RACE_SIDES,
    );
    const lost = last.steps.map((s, i) => s - (kept[i] ?? 0));
    console.log(
      `reload mid-race: shown at reload ${last.steps.join('/')}, a second before ${second.steps.join('/')}, ` +
        `kept ${kept.join('/')}; lost ${lost.join('/')} steps; ` +
        `long tasks during the race: ${before.longTasks.length} (longest ${Math.round(Math.max(0, ...before.longTasks))} ms)`,
    );
    for (const [i, side] of RACE_SIDES.entries()) expect(kept[i], side).toBeGreaterThanOrEqual(second.steps[i] ?? 0);
    const banner = (await page.getByTestId('reopen-banner').textContent()) ?? '';
    expect(banner).toContain('a race of 4 runs: No clipping (diverged at step 5), Value ±1 (step ');
    expect(banner).toContain('Per-tensor norm 1 (step ');
    expect(banner).toContain('and Global norm 1 (step ');
    await screenshot(page, 'storage-reload-banner');
    await context.close();
  });
});
