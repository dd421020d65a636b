/**
 * The embedded view (`embed=1`) as a teacher uses it: a course page of another site (localhost; the lab is on
 * 127.0.0.1) pastes the Share control's `<iframe>` twice, side by side, in a fresh context where Chromium denies
 * the frames the lab's storage; both play, train past step 0 to the end and show no error, and the course page is
 * left as it was. A race with a teacher's lesson in 480 x 320: the lesson shown compactly, one legend, no scrolling.
 * Then one embed alone: what it shows, that it fits 480 x 320 and never scrolls sideways, that
 * "Open in Gradient Lab" opens the same experiment on the whole page, and that the page's Share offers the snippet.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { embedLinkQuery, iframeSnippet } from '../../src/experiment/embed.ts';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { openPage, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');
const PAIR = 'v=1&preset=dense-explode&steps=40';
const RACE = 'v=1&preset=dense-explode&steps=40&run3=global:1';

/** The embed link the Share control writes for an experiment's link. */
function embedQuery(query: string): string {
  return embedLinkQuery(decodeExperiment(query));
}

/** Whether the document is wider than its window (it would scroll sideways). */
async function scrollsSideways(where: Page | Frame): Promise<{ scrollWidth: number; clientWidth: number } | null> {
  return where.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return root.scrollWidth > root.clientWidth
      ? { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth }
      : null;
  });
}

describe('embedding the lab in another page', () => {
  it('two embeds side by side on a course page of another site, storage denied, both play to the end', async () => {
    const lab = new URL(base());
    // The policy is a header too, and it lets any site frame the lab (a <meta> policy cannot say so).
    const policy = (await fetch(lab)).headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/(^|; )frame-ancestors \* file:($|;)/);
    const frameHtml = [PAIR, RACE].map((query, i) =>
      iframeSnippet({ src: `${lab.origin}/#${embedQuery(query)}`, title: `Gradient Lab ${i}`, widthPx: 640 }),
    );
    const course = http
      .createServer((_, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(
          `<!doctype html><title>Week 3</title><h1>Week 3: exploding gradients</h1>` +
            `<div style="display: flex; gap: 16px">${frameHtml.join('')}</div><p>Play both.</p>`,
        );
      })
      .listen(0, 'localhost');
    await new Promise((resolve) => course.once('listening', resolve));
    const courseUrl = `http://localhost:${(course.address() as AddressInfo).port}/`;
    const { page, context, errors } = await openPage(browser(), courseUrl, { width: 1366, height: 768 });
    const historyLength = await page.evaluate(() => history.length);
    try {
      await expect.poll(() => page.frames().filter((f) => f.url().startsWith(lab.origin)).length).toBe(2);
      const frames = page.frames().filter((f) => f.url().startsWith(lab.origin));
      for (const frame of frames) await frame.getByRole('button', { name: 'Play' }).waitFor();
      // Chromium gives a third-party frame in a fresh context no IndexedDB: the runs must not wait for it.
      const idb = await (frames[0] as Frame).evaluate(
        () =>
          new Promise<string>((resolve) => {
            const request = indexedDB.open('probe');
            request.onsuccess = () => resolve('opened');
            request.onerror = () => resolve(request.error?.message ?? 'error');
          }),
      );
      expect(idb).toBe('The user denied permission to access the database.');
      for (const frame of frames) await frame.getByRole('button', { name: 'Play' }).click();
      for (const frame of frames)
        await expect.poll(async () => frame.getByTestId('step').textContent(), { timeout: 60_000 }).toBe('40');
      const [pair, race] = frames as [Frame, Frame];
      await expect
        .poll(async () => pair.getByTestId('embed-narrator').textContent(), { timeout: 10_000 })
        .toMatch(/unclipped run diverged at step \d+; the clipped run, .* stayed finite for all its 40 steps/);
      expect(await race.getByTestId('embed-narrator').textContent()).toMatch(/diverged/);
      for (const frame of frames) {
        // The charts drew it: the unclipped run's last finite loss is labelled where it diverged.
        await expect
          .poll(() =>
            frame
              .locator('[data-chart=loss]')
              .getByText(/^last finite: /)
              .count(),
          )
          .toBe(1);
        expect(await frame.locator('[data-testid^=error-]').count()).toBe(0);
        expect(await frame.getByTestId('link-issues').count()).toBe(0);
        expect(await scrollsSideways(frame)).toBeNull();
        expect(await frame.locator('[data-chart] canvas.chart-lines').count()).toBe(2);
      }
      // The course page is as it was: same address, same title, no history entry, nothing scrolled into view.
      expect(page.url()).toBe(courseUrl);
      expect(await page.title()).toBe('Week 3');
      expect(await page.evaluate(() => [history.length, window.scrollY])).toEqual([historyLength, 0]);
      await screenshot(page, 'embed-course-1366');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      course.close();
    }
  });

  it("a race with a teacher's lesson fits 480 x 320: the lesson's title and line, one legend, no scrolling", async () => {
    const lesson =
      '&title=Four%20ways%20to%20clip&look=Which%20runs%20stay%20finite%3F%20Watch%20the%20red%20one.&ask=Which%20run%20ends%20lowest%3F&a1=Value&a2=Global';
    const { page, context, errors } = await openPage(
      browser(),
      `${base()}#${embedQuery(RACE + '&run4=norm:1')}${lesson}`,
      {
        width: 480,
        height: 320,
      },
    );
    try {
      await page.getByRole('heading', { name: 'Four ways to clip' }).waitFor();
      expect(await page.getByTestId('embed-lesson').locator('summary').textContent()).toBe(
        'Look for: Which runs stay finite? Watch the red one.',
      );
      // One legend for both charts: the four runs and what a dashed line is.
      expect(await page.getByTestId('embed-legend').locator('li').allTextContents()).toEqual([
        'No clipping',
        'Value ±1',
        'Global norm 1',
        'Per-tensor norm 1',
        'after clipping',
      ]);
      await page.getByRole('button', { name: 'Play' }).click();
      await expect.poll(async () => page.getByTestId('step').textContent(), { timeout: 60_000 }).toBe('40');
      await page.waitForTimeout(300);
      await screenshot(page, 'embed-race-lesson-480x320');
      const root = await page.evaluate(() => {
        const r = document.scrollingElement ?? document.documentElement;
        return { height: r.scrollHeight - r.clientHeight, width: r.scrollWidth - r.clientWidth };
      });
      expect(root).toEqual({ height: 0, width: 0 });
      // Opened, the lesson shows its whole text and the question's choices.
      await page.getByTestId('embed-lesson').locator('summary').click();
      await expect
        .poll(() => page.getByTestId('embed-lesson').textContent())
        .toContain('Which run ends lowest? Value · Global');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('one embed fits 480 x 320 without chrome, never scrolls sideways, and opens in the lab; Share offers it', async () => {
    const embed = `${base()}#${embedQuery(PAIR)}`;
    const { page, context, errors } = await openPage(browser(), embed, { width: 480, height: 320 });
    try {
      await page.getByRole('button', { name: 'Play' }).waitFor();
      // What it shows, all of it in the first screen of the smallest frame, and nothing of the lab's chrome.
      const shown = [
        page.getByRole('heading', { name: 'Dense regression that explodes' }),
        page.getByRole('button', { name: 'Play' }),
        page.getByRole('button', { name: 'Reset' }),
        page.locator('[data-chart=loss] .step-chart'),
        page.locator('[data-chart=global-norm] .step-chart'),
        page.getByTestId('embed-narrator'),
        page.getByTestId('embed-open'),
      ];
      for (const element of shown) {
        const box = await element.boundingBox();
        expect(box, await element.evaluate((e) => e.outerHTML.slice(0, 80))).not.toBeNull();
        expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(320);
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(480);
      }
      expect(await page.locator('#settings, nav.tour, .page-tabs, [data-testid=history]').count()).toBe(0);
      // Trained to the end, the narrator's line said, and still in the frame.
      await page.getByRole('button', { name: 'Play' }).click();
      await expect.poll(async () => page.getByTestId('step').textContent(), { timeout: 60_000 }).toBe('40');
      await expect.poll(async () => page.getByTestId('embed-narrator').textContent()).toMatch(/diverged at step/);
      await page.waitForTimeout(300);
      await screenshot(page, 'embed-480x320');
      const bottom = await page.getByTestId('embed-narrator').evaluate((e) => e.getBoundingClientRect().bottom);
      expect(bottom).toBeLessThanOrEqual(320);
      for (const [width, height] of [
        [480, 320],
        [768, 432],
        [1366, 768],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(150);
        expect(await scrollsSideways(page), `${width}x${height}`).toBeNull();
      }
      // "Open in Gradient Lab": a new tab, not this frame's page or its parent, with the same experiment, whole.
      const open = page.getByTestId('embed-open');
      expect(await open.getAttribute('target')).toBe('_blank');
      expect(await open.getAttribute('rel')).toContain('noopener');
      const [full] = await Promise.all([context.waitForEvent('page'), open.click()]);
      await full.waitForLoadState();
      expect(new URL(full.url()).hash).toBe(`#${PAIR}`);
      // The whole lab: its settings, and its Share control, which offers the embed code beside the two links.
      await full.getByRole('button', { name: 'Settings' }).waitFor();
      // The tab opens in this small context; the Embed control is for a desk's screen (a phone hides it).
      await full.setViewportSize({ width: 1366, height: 768 });
      await full.getByText('Embed', { exact: true }).click();
      const code = (await full.getByTestId('embed-code').inputValue()) ?? '';
      expect(code).toContain(`src="${base()}#${PAIR.replaceAll('&', '&amp;')}&amp;embed=1"`);
      expect(code).toMatch(
        /^<iframe .*title="Gradient Lab: custom, from Dense regression that explodes".*><\/iframe>$/,
      );
      expect(await full.getByRole('button', { name: 'Copy link' }).count()).toBe(1);
      expect(await full.getByText('Link for students').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
