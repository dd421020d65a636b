/**
 * The bench's Play-to-first-point: on the production build in Chromium, the time from a student's click on Play
 * to the first line the loss chart paints, for the dense pair, on a cold first visit (a fresh browser profile:
 * no HTTP cache, no remembered backend choice) and on a warm second one (the same profile, reloaded). Play is
 * clicked as soon as the page shows it, as a student in a hurry would: the workers' start-up is in the figure.
 * Part of `npm run bench`; `--play-first --url URL [--before-url URL]` prints it alone, for two served builds
 * side by side.
 */
import type { Browser, Page } from 'playwright-core';

export const PLAY_FIRST_HASH = '#v=1&preset=dense-explode';

/**
 * Installed before the page's own scripts: the click on the toolbar's Play (its event.timeStamp), the first
 * time the clipped run's card leaves `starting` (its worker is ready), and the first stroke on the loss chart's
 * line canvas, stamped after the frame that paints it (a message posted from that frame runs after its paint).
 * A string: the page's Content-Security-Policy forbids eval, and tsx would wrap a function's closures.
 */
const PLAY_PROBE = `
  window.benchPlay = { clickAt: null, readyAt: null, strokeAt: null, pointAt: null };
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[role=toolbar] button.primary') : null;
    if (window.benchPlay.clickAt === null && button && button.textContent.trim() === 'Play')
      window.benchPlay.clickAt = event.timeStamp;
  }, true);
  new MutationObserver(() => {
    const card = document.querySelector('[data-run=clipped]');
    const phase = card ? card.getAttribute('data-phase') : null;
    if (window.benchPlay.readyAt === null && phase && phase !== 'starting') window.benchPlay.readyAt = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
  const stroke = CanvasRenderingContext2D.prototype.stroke;
  CanvasRenderingContext2D.prototype.stroke = function (...args) {
    const probe = window.benchPlay;
    if (probe.strokeAt === null && probe.clickAt !== null && this.canvas.closest('[data-chart=loss]')) {
      probe.strokeAt = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { probe.pointAt = performance.now(); };
      channel.port2.postMessage(0);
    }
    return stroke.apply(this, args);
  };
`;

interface ProbeReadout {
  clickAt: number | null;
  readyAt: number | null;
  strokeAt: number | null;
  pointAt: number | null;
}

/** One visit: Play clicked as soon as it is shown, timed to the loss chart's first painted line. */
export interface PlayVisit {
  /** From the click on Play to the end of the frame that painted the loss chart's first line. */
  playToFirstPointMs: number;
  /** From opening the page to Play being clicked (the page's own load). */
  pageToPlayMs: number;
  /** From the click to the clipped run's worker being ready (backend started, data loaded); 0 if it was before. */
  playToReadyMs: number;
  /** The clipped run's backend, and auto's note, when the first point was painted. */
  backend: string;
  note: string;
}

export interface PlayFirstPoint {
  url: string;
  cold: PlayVisit;
  warm: PlayVisit;
}

async function visit(page: Page, open: () => Promise<unknown>): Promise<PlayVisit> {
  await open();
  const play = page.getByRole('toolbar', { name: 'Training' }).getByRole('button', { name: 'Play' });
  await play.click();
  // A function: a string predicate would need eval, which the page's policy forbids.
  await page.waitForFunction(() => (window as unknown as { benchPlay: ProbeReadout }).benchPlay.pointAt !== null, {
    timeout: 120_000,
  });
  const probe = await page.evaluate(() => (window as unknown as { benchPlay: ProbeReadout }).benchPlay);
  const { clickAt, readyAt, pointAt } = probe;
  if (clickAt === null || pointAt === null)
    throw new Error(`the probe saw no click or no point: ${JSON.stringify(probe)}`);
  return {
    playToFirstPointMs: pointAt - clickAt,
    pageToPlayMs: clickAt,
    playToReadyMs: Math.max(0, (readyAt ?? clickAt) - clickAt),
    backend: (await page.getByTestId('backend-clipped').textContent()) ?? '',
    note: (
      (await page
        .getByTestId('backend-choice')
        .first()
        .textContent()
        .catch(() => '')) ?? ''
    )
      .replace(/^\s*·\s*/, '')
      .trim(),
  };
}

/**
 * Both visits of the dense pair at `baseUrl`. Between them the first run trains to its end and whatever auto
 * does after a run (this build's trial) finishes: the warm visit starts once auto's note gives its speeds.
 */
export async function playToFirstPoint(browser: Browser, baseUrl: string): Promise<PlayFirstPoint> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  try {
    await context.addInitScript({ content: PLAY_PROBE });
    const page = await context.newPage();
    const url = new URL(PLAY_FIRST_HASH, baseUrl).href;
    const cold = await visit(page, () => page.goto(url));
    await page.waitForFunction(
      () =>
        ['finished', 'diverged'].includes(
          document.querySelector('[data-run=clipped]')?.getAttribute('data-phase') ?? '',
        ) && /chosen: /.test(document.querySelector('[data-testid=backend-choice]')?.textContent ?? ''),
      undefined,
      { timeout: 180_000 },
    );
    const warm = await visit(page, () => page.reload());
    return { url: baseUrl, cold, warm };
  } finally {
    await context.close();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The table: one row per visit, one column per build measured (before / after when two). */
export function playFirstLines(builds: { name: string; result: PlayFirstPoint | { skipped: string } }[]): string[] {
  const lines = [
    'Play-to-first-point, the dense pair in Chromium (production build; Play clicked as soon as it shows): ' +
      'from the click to the loss chart painting its first line',
    '',
    `| visit | ${builds.map((b) => b.name).join(' | ')} |`,
    `|---|${builds.map(() => '---').join('|')}|`,
  ];
  for (const which of ['cold', 'warm'] as const) {
    const label = which === 'cold' ? 'cold first visit' : 'warm second visit';
    const cells = builds.map(({ result }) => {
      if ('skipped' in result) return `not measured (${result.skipped})`;
      const v = result[which];
      return `${seconds(v.playToFirstPointMs)} (worker ready ${seconds(v.playToReadyMs)} after the click; ${v.backend})`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  for (const { name, result } of builds) {
    if ('skipped' in result) continue;
    lines.push(`- ${name}, auto's note at the first point: cold "${result.cold.note}"; warm "${result.warm.note}"`);
  }
  return lines;
}
