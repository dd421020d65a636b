/**
 * The page against the fuzz test's hostile links: each one, opened by
 * changing the hash of a live page, opens with a clear message when anything
 * was refused; nothing is injected, nothing crashes, the page stays usable.
 */
import { describe, expect, inject, it } from 'vitest';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { sampleMixedQueries } from '../support/hostileLinks.ts';
import { openPage, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();

const INJECTED = 'script:not([src]), img, iframe, object, embed, [onerror], [onload], [onclick]';

describe('hostile links in Chromium', () => {
  it('200 random, hostile, structured and arbitrary links open with a message naming the key and inject nothing', async () => {
    const { page, context, errors } = await openPage(browser(), `${inject('baseUrl')}#v=1`);
    const baseline = await page.locator(INJECTED).count();
    let withIssues = 0;
    const queries = sampleMixedQueries(200, 3);
    for (const query of queries) {
      // The browser may percent-encode the hash: read it back at once, before the page rewrites it as the experiment it opened.
      const hash = await page.evaluate((h) => {
        window.location.hash = h;
        return window.location.hash;
      }, `#${query}`);
      const expected = decodeExperiment(hash);
      const [issue] = expected.issues;
      if (issue) {
        withIssues += 1;
        await expect.poll(() => page.getByTestId('link-issues').count(), { timeout: 10_000 }).toBe(1);
        expect(await page.getByTestId('link-issues').textContent()).toContain(issue.param);
      }
      expect(await page.locator(INJECTED).count(), query).toBe(baseline);
    }
    expect(queries).toHaveLength(200);
    expect(withIssues).toBeGreaterThan(80);
    // Still a working page.
    await page.evaluate(() => {
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
