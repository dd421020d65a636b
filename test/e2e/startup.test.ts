/**
 * Start-up: the page's first JavaScript leaves the plots (and the cliff, the sweep and the history) to chunks of
 * their own; a chart draws when it comes near the screen, one at a time, and printing draws them all; the
 * tooltip, mounted only while the pointer is on a chart, still shows a step's values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, useBrowser, waitForBackends } from './browser.ts';
import { serveStatic } from '../../scripts/staticServer.ts';
import { SAVE_FAILED } from '../../src/charts/ChartFrame.tsx';
import { PLOT_FAILED } from '../../src/charts/DeferredPlot.tsx';
import { loadFailedWords } from '../../src/ui/LoadBoundary.tsx';

const browser = useBrowser();
const base = () => inject('baseUrl');
const DENSE = '#v=1&preset=dense-explode&steps=40';

/** The built page's first JavaScript: its entry chunk and every chunk that one imports statically, transitively. */
function firstLoadChunks(): Map<string, string> {
  const html = readFileSync('dist/index.html', 'utf8');
  const queue = [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((m) => m[1] as string);
  const chunks = new Map<string, string>();
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (chunks.has(name)) continue;
    const code = readFileSync(`dist/assets/${name}`, 'utf8');
    chunks.set(name, code);
    // Static imports only (`import{a as b}from"./x.js"`, `import"./x.js"`); import("./x.js") is a later load.
    for (const m of code.matchAll(/import\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([^"']+\.js)["']/g))
      queue.push(m[1] as string);
  }
  return chunks;
}

describe('start-up in Chromium', () => {
  it("recharts, the cliff, the sweep, the history, the embed, the lesson form, chart saving and the run files' format are not in the page's first JavaScript, and are in the build", () => {
    const first = firstLoadChunks();
    expect(first.size).toBeGreaterThan(0);
    const all = readdirSync('dist/assets').filter((f) => f.endsWith('.js'));
    // recharts' own class names, the cliff's and the sweep's headings, the history's import button, the embedded
    // view's legend, the lesson form, the chart picture's legend reader, and the run export's refusal.
    const markers = [
      'recharts-responsive-container',
      'cliff-figure',
      'sweep-map',
      'history-import',
      'embed-legend',
      'lesson-form',
      'svg path.legend-marker',
      'is not a Gradient Lab run export',
    ];
    for (const marker of markers) {
      const firstHolders = [...first].filter(([, code]) => code.includes(marker)).map(([name]) => name);
      expect(firstHolders, marker).toEqual([]);
      expect(
        all.some((f) => readFileSync(`dist/assets/${f}`, 'utf8').includes(marker)),
        `${marker} is somewhere in the build`,
      ).toBe(true);
    }
  });

  it("TensorFlow.js is built once for all the lab's workers, and the service worker precaches it once, without the threaded WASM", () => {
    // tfjs-core's and tfjs-backend-webgl's own messages; the benchmark's worker (not precached) carries its own copy.
    const markers = ['is already registered', 'High memory usage in GPU'];
    const labJs = readdirSync('dist/assets').filter((f) => f.endsWith('.js') && !f.startsWith('bench'));
    const precached = [...readFileSync('dist/sw.js', 'utf8').matchAll(/url:"([^"]+)"/g)].map((m) => m[1] as string);
    for (const marker of markers) {
      const holders = labJs.filter((f) => readFileSync(`dist/assets/${f}`, 'utf8').includes(marker));
      expect(holders, marker).toHaveLength(1);
      expect(precached).toContain(`assets/${holders[0]}`);
    }
    expect(precached.filter((url) => url.endsWith('.wasm'))).toHaveLength(2);
    expect(precached.some((url) => url.includes('threaded'))).toBe(false);
  });

  it("the page's first JavaScript is under 150 KB gzipped", () => {
    const bytes = [...firstLoadChunks().values()].reduce((sum, code) => sum + gzipSync(Buffer.from(code)).length, 0);
    expect(bytes).toBeGreaterThan(50_000);
    expect(bytes).toBeLessThan(150_000);
  });

  it('on a phone, the charts far below wait until scrolled to, draw when they come, and all draw for printing', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}${DENSE}`, { width: 390, height: 844 });
    // The loss chart, in the first screen, draws.
    await page.locator('[data-chart=loss] .plot-wrapper').waitFor({ timeout: 30_000 });
    const charts = await page.locator('[data-chart]').count();
    expect(charts).toBeGreaterThanOrEqual(5);
    // The charts a few screens down have an empty box of the chart's height, and no plot.
    const waiting = page.locator('.plot-waiting');
    await page.waitForTimeout(1500);
    const waitingAtFirst = await waiting.count();
    expect(waitingAtFirst).toBeGreaterThan(0);
    expect(await page.locator('.plot-wrapper').count()).toBe(charts - waitingAtFirst);
    const box = await waiting.first().boundingBox();
    expect(box?.height).toBeGreaterThan(150);
    // Scrolled to, each draws.
    for (let i = 0; i < 20 && (await waiting.count()) > 0; i++) {
      await waiting.first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
    }
    await expect.poll(() => waiting.count(), { timeout: 20_000 }).toBe(0);
    expect(await page.locator('[data-chart] .plot-wrapper').count()).toBe(charts);
    expect(errors).toEqual([]);
    await context.close();

    // Printing draws every chart, however far down, in the print event itself.
    const printed = await openPage(browser(), `${base()}${DENSE}`, { width: 390, height: 844 });
    await printed.page.locator('[data-chart=loss] .plot-wrapper').waitFor({ timeout: 30_000 });
    await printed.page.waitForTimeout(1500);
    expect(await printed.page.locator('.plot-waiting').count()).toBeGreaterThan(0);
    const left = await printed.page.evaluate(() => {
      window.dispatchEvent(new Event('beforeprint'));
      return document.querySelectorAll('.plot-waiting').length;
    });
    expect(left).toBe(0);
    expect(printed.errors).toEqual([]);
    await printed.context.close();
  });

  it('printing while training draws the charts out of view as they are now, axes and lines, in the print event', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=3000`, {
      width: 390,
      height: 844,
    });
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    // Well past the first screen's step window, with the charts far below never drawn (a phone's first screen).
    await expect
      .poll(async () => Number(await page.getByTestId('step-clipped').textContent()), { timeout: 60_000 })
      .toBeGreaterThan(150);
    expect(await page.locator('[data-chart=direction] .plot-waiting').count()).toBe(1);
    const printed = await page.evaluate(() => {
      window.dispatchEvent(new Event('beforeprint'));
      // Read in the same task: the page is laid out for paper right after this event.
      const chart = document.querySelector('[data-chart=direction]');
      const ticks = [...(chart?.querySelectorAll('.plot-x-axis .plot-tick-label') ?? [])].map((label) =>
        Number(label.textContent),
      );
      const canvas = chart?.querySelector('canvas.chart-lines') as HTMLCanvasElement | null;
      let inked = 0;
      if (canvas && canvas.width > 0 && canvas.height > 0) {
        const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) inked++;
      }
      return {
        step: Number(document.querySelector('[data-testid=step-clipped]')?.textContent),
        waiting: document.querySelectorAll('.plot-waiting').length,
        text: chart?.querySelector('.plot-wrapper')?.textContent ?? '',
        lastTick: Math.max(0, ...ticks),
        inked,
      };
    });
    expect(printed.waiting).toBe(0);
    // The baseline's divergence is marked, and the step axis reaches where the runs are now (its last label at
    // least half way there: the axis labels round steps), not where they were when the chart left the screen.
    expect(printed.text).toContain('diverged (step 5)');
    expect(printed.step).toBeGreaterThan(150);
    expect(printed.lastTick).toBeGreaterThanOrEqual(printed.step / 2);
    // Its lines are painted on its canvas already, not at a next frame that printing would not wait for.
    expect(printed.inked).toBeGreaterThan(100);
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    expect(errors).toEqual([]);
    await context.close();
  });

  it("with the pointer on a chart, its tooltip shows the step's values", async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}${DENSE}`, { width: 1366, height: 768 });
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 180_000 }).toBe('finished');
    const plot = page.locator('[data-chart=loss] .plot-area');
    expect(await page.locator('[data-chart=loss] .plot-tooltip').count()).toBe(0);
    const area = await plot.boundingBox();
    if (!area) throw new Error('the loss chart has no box');
    await page.mouse.move(area.x + area.width * 0.5, area.y + area.height * 0.4);
    await page.mouse.move(area.x + area.width * 0.55, area.y + area.height * 0.4);
    const tip = page.locator('[data-chart=loss] .plot-tooltip');
    await expect.poll(async () => (await tip.textContent()) ?? '', { timeout: 10_000 }).toMatch(/step \d+/);
    expect(await tip.textContent()).toMatch(/Clipped loss/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("while the steps grow, the loss chart's step axis changes its labels in the same SVG elements", async () => {
    // Keyed by value, every redraw removed the axis' ticks and made them anew while the steps grew (a race's longest
    // layouts, docs/PERFORMANCE.md); keyed by place, the same elements take the new values.
    const { page, context, errors } = await openPage(browser(), `${base()}${DENSE}`, { width: 1366, height: 768 });
    await waitForBackends(page);
    const labels = page.locator('[data-chart=loss] .plot-x-axis .plot-tick-label');
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => labels.count(), { timeout: 60_000 }).toBeGreaterThan(1);
    const before = await labels.evaluateAll((els) =>
      els.map((el, i) => {
        el.setAttribute('data-seen', String(i));
        return el.textContent ?? '';
      }),
    );
    await expect
      .poll(async () => (await labels.allTextContents()).join(' '), { timeout: 60_000 })
      .not.toBe(before.join(' '));
    const after = await labels.evaluateAll((els) =>
      els.map((el) => ({ seen: el.getAttribute('data-seen'), text: el.textContent ?? '' })),
    );
    // A label now showing another value is one of the elements that were there before.
    const changed = after.filter((a, i) => i < before.length && a.text !== before[i]);
    expect(changed.length).toBeGreaterThan(0);
    for (const label of changed) expect(label.seen).not.toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a chunk the host cannot send: its chart, page or panel says so (and offers a reload); the runs train on', async () => {
    const chunk = (prefix: string) => {
      const name = readdirSync('dist/assets').find((f) => f.startsWith(prefix) && f.endsWith('.js'));
      if (!name) throw new Error(`no ${prefix} chunk in dist/assets`);
      return `assets/${name}`;
    };
    const site = await serveStatic('dist', '/');
    site.failing.add(chunk('StepChartPlot-'));
    site.failing.add(chunk('SweepPage-'));
    site.failing.add(chunk('chartImage-'));
    site.failing.add(chunk('LessonForm-'));
    site.failing.add(chunk('export-'));
    try {
      const { page, context, errors } = await openPage(browser(), `${site.url}${DENSE}`, { width: 1366, height: 768 });
      const loss = page.locator('[data-chart=loss] .plot-failed');
      await expect.poll(async () => (await loss.textContent()) ?? '', { timeout: 30_000 }).toBe(PLOT_FAILED);
      // Play is not affected: both runs train to their ends.
      await waitForBackends(page);
      await page.getByRole('button', { name: 'Play' }).click();
      await expect.poll(() => phase(page, 'clipped'), { timeout: 180_000 }).toBe('finished');
      expect(await phase(page, 'baseline')).toBe('diverged');
      // The sweep page's code fails: its place says so, with a Reload button; the tabs still work.
      await page.getByRole('tab', { name: 'Sweep' }).click();
      const failed = page.locator('.load-failed');
      await failed.waitFor({ timeout: 10_000 });
      expect(await failed.textContent()).toContain(loadFailedWords('the sweep page'));
      expect(await failed.getByRole('button', { name: 'Reload' }).count()).toBe(1);
      await page.getByRole('tab', { name: 'Training runs' }).click();
      await expect.poll(() => phase(page, 'clipped')).toBe('finished');
      // Saving a chart as a picture, whose code fails too: the chart says so.
      const lossChart = page.locator('[data-chart=loss]');
      await lossChart.getByRole('button', { name: /as a PNG image/ }).click();
      await expect
        .poll(async () => (await lossChart.locator('.chart-note[role=alert]').textContent()) ?? '')
        .toBe(SAVE_FAILED);
      // A run card's Download JSON, whose code fails too: the card says so, and downloads nothing.
      const card = page.locator('[data-run=clipped]');
      await card.getByRole('button', { name: 'Download JSON' }).click();
      await expect
        .poll(async () => (await card.locator('.load-failed').textContent()) ?? '')
        .toBe(loadFailedWords('the downloads'));
      // The lesson form: its panel says so, with a Reload button.
      await page.locator('.lesson-editor summary').click();
      const editorFailed = page.locator('.lesson-editor .load-failed');
      await editorFailed.waitFor({ timeout: 10_000 });
      expect(await editorFailed.textContent()).toContain(loadFailedWords('the lesson editor'));
      // No uncaught error: the failures are handled where they are shown.
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await site.close();
    }
  });
});
