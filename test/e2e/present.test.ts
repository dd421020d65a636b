/**
 * Presenter mode and the dark theme on the built page. `present=1` at 1920 x 1080: every chart in the first
 * screen, every chart text at least 20 px, the lines painted at least 3 px wide (1.6 once presenter mode is
 * switched off, so the check can fail), a chart enlarged by a click and by the keyboard, still training, and
 * Escape closing it. Then a dark system (`colorScheme: 'dark'`): the page is dark, and axe-core finds no
 * contrast violation in the dark theme, in presenter mode, and in the light theme chosen over the system's, a
 * choice that outlives a reload.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { phase, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Every stroke of the charts' line canvases: its width, and whether it was one polyline (one moveTo and at least
 * five lineTo: a run's line, not a marker's outline or the clip ticks' row of short marks).
 */
function recordStrokes() {
  const strokes: { width: number; polyline: boolean }[] = [];
  let moves = 0;
  let lines = 0;
  const proto = CanvasRenderingContext2D.prototype;
  const { beginPath, moveTo, lineTo, stroke } = proto;
  proto.beginPath = function (this: CanvasRenderingContext2D) {
    moves = 0;
    lines = 0;
    beginPath.call(this);
  };
  proto.moveTo = function (this: CanvasRenderingContext2D, x: number, y: number) {
    moves++;
    moveTo.call(this, x, y);
  };
  proto.lineTo = function (this: CanvasRenderingContext2D, x: number, y: number) {
    lines++;
    lineTo.call(this, x, y);
  };
  // The canvas strokes its current path (never a Path2D): no argument to pass on.
  proto.stroke = function (this: CanvasRenderingContext2D) {
    if (this.canvas.classList.contains('chart-lines'))
      strokes.push({ width: this.lineWidth, polyline: moves === 1 && lines >= 5 });
    (stroke as (this: CanvasRenderingContext2D) => void).call(this);
  };
  (window as unknown as { strokes: typeof strokes }).strokes = strokes;
}

async function lineWidths(page: Page): Promise<{ count: number; min: number; max: number }> {
  return page.evaluate(() => {
    const all = (window as unknown as { strokes: { width: number; polyline: boolean }[] }).strokes;
    const widths = all.filter((s) => s.polyline).map((s) => s.width);
    all.length = 0;
    return { count: widths.length, min: Math.min(...widths), max: Math.max(...widths) };
  });
}

/** The visible text of the charts whose computed size is under `px`: "size tag: text", one per element. */
async function smallChartText(page: Page, px: number): Promise<string[]> {
  return page.evaluate((px) => {
    const out: string[] = [];
    for (const chart of document.querySelectorAll('[data-chart]')) {
      for (const element of chart.querySelectorAll('*')) {
        const own = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
        if (!own || element.closest('.visually-hidden, [hidden], .plot-tooltip')) continue;
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
        const size = parseFloat(style.fontSize);
        if (size < px) out.push(`${size} ${element.tagName}: ${element.textContent?.trim().slice(0, 30)}`);
      }
    }
    return out;
  }, px);
}

async function axeContrast(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (root: Document, options: object) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  )) as { violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] };
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
  );
}

const step = async (page: Page) => Number(await page.getByTestId('step').textContent());

describe('presenter mode and the dark theme', () => {
  it('present=1: charts first, text >= 20 px, lines >= 3 px, a chart enlarged by click or keyboard', async () => {
    const context = await browser().newContext({ viewport: { width: 1920, height: 1080 } });
    await context.addInitScript(recordStrokes);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base()}#v=1&preset=dense-explode&steps=9000&present=1`);
      expect(await page.getByRole('button', { name: 'Presenter mode' }).getAttribute('aria-pressed')).toBe('true');
      await page.getByRole('toolbar', { name: 'Training' }).getByRole('button', { name: 'Play' }).click();
      await expect.poll(() => step(page), { timeout: 60_000 }).toBeGreaterThan(20);
      // Every chart of the grid in the first screen, and large.
      for (const chart of await page.locator('.chart-grid > [data-chart]').all()) {
        const box = await chart.boundingBox();
        const name = (await chart.getAttribute('data-chart')) ?? '';
        expect((box?.y ?? 0) + (box?.height ?? 0), name).toBeLessThanOrEqual(1080);
        expect(box?.height ?? 0).toBeGreaterThan(400);
      }
      expect(await smallChartText(page, 20)).toEqual([]);
      const thick = await lineWidths(page);
      expect(thick.count).toBeGreaterThan(0);
      expect(thick.min).toBeGreaterThanOrEqual(3);
      await screenshot(page, 'present-1920');

      // A click enlarges the loss chart over the page; it keeps training and painting; Escape closes it.
      await page.locator('[data-chart=loss] .chart-body').click();
      const enlarged = page.locator('.chart.enlarged[data-chart=loss]');
      await enlarged.waitFor();
      expect(await enlarged.getAttribute('role')).toBe('dialog');
      const box = await enlarged.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(1700);
      expect(box?.height ?? 0).toBeGreaterThan(900);
      const before = await step(page);
      await lineWidths(page);
      await expect.poll(() => step(page), { timeout: 30_000 }).toBeGreaterThan(before + 10);
      // The enlarged chart is a new canvas, painted once its plot is laid out: on a busy machine that can be
      // a few frames after ten more steps have come in. Each look clears the record, so a pass means a stroke
      // since the previous look; a chart that never paints still fails.
      await expect.poll(async () => (await lineWidths(page)).count, { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Close');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('.chart.enlarged').count()).toBe(0);
      const enlarge = page.getByRole('button', { name: /^Enlarge the chart "Loss/ });
      await expect.poll(() => enlarge.evaluate((b) => b === document.activeElement)).toBe(true);
      // By keyboard: Enter on the focused Enlarge button, Escape again; a click on the backdrop closes too.
      await page.keyboard.press('Enter');
      await enlarged.waitFor();
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('.chart.enlarged').count()).toBe(0);
      await enlarge.click();
      await page.getByTestId('chart-backdrop').click({ position: { x: 5, y: 5 } });
      await expect.poll(() => page.locator('.chart.enlarged').count()).toBe(0);

      // Switched off: the link loses present=1 and the lines are back to their usual 1.6 px.
      await page.getByRole('button', { name: 'Presenter mode' }).click();
      await expect.poll(() => page.evaluate(() => location.hash)).not.toContain('present');
      await lineWidths(page);
      // (Read back as a float32: 1.6000000238.)
      await expect.poll(async () => (await lineWidths(page)).max, { timeout: 10_000 }).toBeCloseTo(1.6, 5);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a dark system: a dark page, no contrast violation dark, presenting, or with Light chosen', async () => {
    const context = await browser().newContext({
      viewport: { width: 1366, height: 768 },
      colorScheme: 'dark',
      // axe is injected as a script, which the page's policy forbids.
      bypassCSP: true,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    try {
      await page.goto(`${base()}#v=1&preset=dense-explode&steps=40&run3=global:1&run4=value:0.5`);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
        'rgb(18, 21, 25)',
      );
      await page.getByRole('toolbar', { name: 'Training' }).getByRole('button', { name: 'Play' }).click();
      await expect.poll(() => phase(page, 'clipped'), { timeout: 90_000 }).toBe('finished');
      await page.getByTestId('narration').waitFor();
      expect(await axeContrast(page), 'dark').toEqual([]);
      await screenshot(page, 'dark-race');
      // A chart saved in the dark theme is the dark chart seen: its paper is the frame's, not white under light lines.
      const loss = page.locator('[data-chart=loss]');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        loss.getByRole('button', { name: /as a PNG image/ }).click(),
      ]);
      const png = readFileSync((await download.path()) as string).toString('base64');
      const corner = await page.evaluate(async (data) => {
        const image = new Image();
        image.src = `data:image/png;base64,${data}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [image.width, image.height];
        const context2d = canvas.getContext('2d');
        context2d?.drawImage(image, 0, 0);
        return [...(context2d?.getImageData(2, 2, 1, 1).data ?? [])].slice(0, 3);
      }, png);
      const paper = await loss.evaluate((frame) => getComputedStyle(frame).backgroundColor);
      expect(`rgb(${corner.join(', ')})`).toBe(paper);
      expect(corner.every((c) => c < 80)).toBe(true);
      await page.getByRole('button', { name: 'Presenter mode' }).click();
      await page.waitForTimeout(500);
      expect(await axeContrast(page), 'dark, presenting').toEqual([]);
      // The presenter picks Light over the dark system: the page turns light, and stays so after a reload.
      await page.getByLabel('Theme').selectOption('light');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
        'rgb(246, 247, 249)',
      );
      expect(await axeContrast(page), 'light, presenting').toEqual([]);
      await page.reload();
      await page.getByRole('button', { name: 'Presenter mode' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
      expect(await page.getByLabel('Theme').inputValue()).toBe('light');
    } finally {
      await context.close();
    }
  });
});
