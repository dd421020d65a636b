/**
 * The page against the fuzz test's hostile links: each one, opened by
 * changing the hash of a live page, opens with a clear message when anything
 * was refused; nothing is injected, nothing crashes, the page stays usable.
 * While the links are opened the page's workers are stand-ins that never
 * answer: every link starts fresh runs, and 200 real workers loading tfjs
 * took most of this test's two minutes; the links' decoding and what the page
 * shows of them are the page's own. Real workers then train the last link.
 */
import { describe, expect, inject, it } from 'vitest';
import { decodeExperiment, type ParamIssue } from '../../src/experiment/urlCodec.ts';
import { sampleMixedQueries } from '../support/hostileLinks.ts';
import { openPage, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();

const INJECTED = 'script:not([src]), img, iframe, object, embed, [onerror], [onload], [onclick]';

/** Workers that take messages and never answer (the runs stay "starting"), until `fuzzRealWorkers` is set. */
const STAND_IN_WORKERS = `
  const RealWorker = window.Worker;
  window.fuzzRealWorkers = false;
  window.fuzzStandIns = 0;
  window.Worker = function Worker(url, options) {
    if (window.fuzzRealWorkers) return new RealWorker(url, options);
    window.fuzzStandIns += 1;
    const standIn = new EventTarget();
    standIn.postMessage = () => {};
    standIn.terminate = () => {};
    return standIn;
  };
`;

/** The page's list of refused settings for these issues, as LinkIssues.tsx words it. */
function shownIssues(issues: readonly ParamIssue[]): string[] {
  const items = issues.slice(0, 12).map((i) => `${i.param} = ${i.value}: ${i.message}`);
  return issues.length > 12 ? [...items, `and ${issues.length - 12} more.`] : items;
}

describe('hostile links in Chromium', () => {
  it('200 random, hostile, structured and arbitrary links open with a message naming the key and inject nothing', async () => {
    const { page, context, errors } = await openPage(browser(), 'about:blank');
    await page.addInitScript(STAND_IN_WORKERS);
    await page.goto(`${inject('baseUrl')}#v=1`);
    const baseline = await page.locator(INJECTED).count();
    let withIssues = 0;
    const queries = sampleMixedQueries(200, 3);
    for (const query of queries) {
      // The browser may percent-encode the hash: read it back at once, before the page rewrites it as the experiment it opened.
      const hash = await page.evaluate((h) => {
        window.location.hash = h;
        return window.location.hash;
      }, `#${query}`);
      const { issues } = decodeExperiment(hash);
      if (issues.length > 0) withIssues += 1;
      // Exactly this link's refusals, each with its key and value (none: no message), never the link before's.
      await expect
        .poll(() => page.locator('[data-testid=link-issues] li').allTextContents(), { timeout: 10_000 })
        .toEqual(shownIssues(issues));
      expect(await page.locator(INJECTED).count(), query).toBe(baseline);
    }
    expect(queries).toHaveLength(200);
    expect(withIssues).toBeGreaterThan(80);
    // Every link started its runs (stand-ins): each was opened by the page, not skipped.
    expect(await page.evaluate('window.fuzzStandIns')).toBeGreaterThanOrEqual(2 * 200);
    // Still a working page, training with real workers.
    await page.evaluate(() => {
      (window as unknown as { fuzzRealWorkers: boolean }).fuzzRealWorkers = true;
      window.location.hash = '#v=1&preset=dense-explode&steps=3';
    });
    await expect
      .poll(async () => (await page.getByTestId('backend-clipped').textContent()) ?? '', { timeout: 60_000 })
      .not.toBe('...');
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(() => page.locator('[data-run=clipped]').getAttribute('data-phase'), { timeout: 60_000 })
      .toBe('finished');
    await screenshot(page, 'after-fuzz');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the built page enforces its Content-Security-Policy: an injected inline script does not run', async () => {
    const { page, context, errors } = await openPage(
      browser(),
      `${inject('baseUrl')}#v=1&preset=dense-explode&steps=3`,
    );
    const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injectedRan = true';
      document.body.append(script);
      return (window as unknown as { injectedRan?: boolean }).injectedRan ?? false;
    });
    expect(ran).toBe(false);
    expect(errors.some((e) => e.startsWith('CSP:'))).toBe(true);
    await context.close();
  });
});
