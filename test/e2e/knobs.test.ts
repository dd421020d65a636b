/**
 * A knob turned while the dense pair trains: the clipped run's threshold goes from 1 to 0.1 part-way, the run goes
 * on from where it was, every chart marks the change at its step, the narrator says what followed, and the page's
 * link now carries the schedule.
 */
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

describe('knobs that act while it trains', () => {
  it('the threshold turned mid-run: marked on the charts, told by the narrator, carried by the link', async () => {
    const link = `${base()}#v=1&preset=dense-explode&clip=norm&clipNorm=1&steps=150`;
    const { page, context, errors } = await openPage(browser(), link, { width: 1366, height: 768 });
    await waitForBackends(page, ['baseline', 'clipped']);
    // Slow motion: a few steps a second all through, so the run is caught part-way.
    await page.getByLabel('Slow motion').check();
    await page.getByRole('button', { name: 'Play' }).click();
    // The baseline explodes at step 5; then pause the clipped run part-way.
    await expect.poll(() => phase(page, 'baseline'), { timeout: 30_000 }).toBe('diverged');
    // A few steps past the divergence, so the change is after it (Pause at once could land on step 5 itself).
    const clippedStep = async () => Number(await page.getByTestId('step-clipped').textContent());
    await expect.poll(clippedStep, { timeout: 30_000 }).toBeGreaterThan(7);
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await phase(page, 'clipped')).toBe('paused');
    await page.getByLabel('threshold c').fill('0.1');
    await page.getByLabel('threshold c').press('Enter');
    const schedule = page.getByTestId('knob-schedule');
    await expect.poll(() => schedule.textContent()).toMatch(/after step \d+, clip=norm:0\.1/);
    const step = Number(/after step (\d+)/.exec((await schedule.textContent()) ?? '')?.[1]);
    expect(step).toBeGreaterThan(5);
    expect(step).toBeLessThan(150);
    // The link replays it: knobs=STEP:clip=norm:0.1, and the settings at the start are unchanged.
    const hash = decodeURIComponent(new URL(page.url()).hash);
    expect(hash).toContain(`knobs=${step}:clip=norm:0.1`);
    // The start is untouched: the threshold 1 is the preset's, so the link writes no clipNorm at all.
    expect(hash).toContain('clip=norm&');
    expect(hash).not.toContain('clipNorm');
    await page.getByLabel('Slow motion').uncheck();
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 60_000 }).toBe('finished');
    const narration = page.getByTestId('narration');
    await expect
      .poll(() => narration.textContent(), { timeout: 10_000 })
      .toMatch(
        new RegExp(`After the clip threshold went from 1 to 0\\.1 at step ${step}, the steps got [\\d.]+x shorter`),
      );
    // Every step chart on the page marks the change at its step.
    const charts = page.locator('[data-chart]');
    const count = await charts.count();
    expect(count).toBeGreaterThan(2);
    const marked = page.locator('[data-chart]', { hasText: `clip norm:1 → norm:0.1 (step ${step})` });
    expect(await marked.count()).toBe(count);
    // The card says what the run trains with now, and since when.
    await expect.poll(() => page.locator('#run-clipped').textContent()).toBe('Clipped: Per-tensor norm 0.1');
    expect(await page.getByTestId('clip-words-clipped').textContent()).toBe(
      `clip each tensor's norm to 0.1, from step ${step + 1} (it started with clip each tensor's norm to 1)`,
    );
    await screenshot(page, 'knobs-threshold-turned');
    expect(errors).toEqual([]);
    await context.close();
  });
});
