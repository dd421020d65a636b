/**
 * The lab in a real browser: training in workers on WebGL, the pair side by
 * side, links that restore an experiment, hostile links, the per-time-step
 * chart, export, and runs that survive a dying worker or a lost context.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { at } from '../support/at.ts';
import { openPage, phase, waitForBackends, screenshot, useBrowser } from './browser.ts';

const browser = useBrowser();

/** Picks WebGL in the toolbar and waits until the fresh runs are ready on it. */
async function useWebGl(page: Page, sides: string[]): Promise<void> {
  await waitForBackends(page, sides);
  await page.getByLabel('Backend').selectOption('webgl');
  for (const side of sides) await expect.poll(() => phase(page, side), { timeout: 120_000 }).toBe('ready');
  expect(await waitForBackends(page, sides)).toEqual(sides.map(() => 'WEBGL'));
}
const base = () => inject('baseUrl');

describe('Gradient Lab in Chromium', () => {
  it('runs the dense preset as a pair on WebGL: the baseline diverges at step 5 and is marked, the clipped run finishes finite', async () => {
    const { page, errors, context } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=20`);
    // Auto would pick WASM on a software-rendered WebGL (backendChoice.test.ts): choose WebGL by hand.
    await useWebGl(page, ['baseline', 'clipped']);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await phase(page, 'baseline')).toBe('diverged');
    const explanation = await page.getByTestId('diverged-baseline').textContent();
    expect(explanation).toContain('Diverged at step 5.');
    expect(explanation).toMatch(/grew [\d.e]+-fold in \d steps/);
    // The divergence is marked on every step chart: loss, both per-layer charts, global norm.
    expect(await page.getByText('Baseline diverged (step 5)').count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('step-clipped').textContent()).toBe('20');
    const finalLoss = Number(await page.getByTestId('loss-clipped').textContent());
    expect(Number.isFinite(finalLoss)).toBe(true);
    console.log(
      `dense pair on WebGL: baseline ${explanation}; clipped final loss ${finalLoss}; speed ${await page.getByTestId('speed').textContent()} steps/s`,
    );
    await screenshot(page, 'dense-pair');
    await page.getByLabel('Charts show').selectOption('first10');
    await screenshot(page, 'dense-pair-first-10-steps');

    // Export the clipped run's metrics as CSV and check what is in it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-run=clipped]').getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = (await readFile((await download.path()) as string, 'utf8')).trim().split('\n');
    // The columns of docs/METRICS.md, as the CLI writes them.
    expect(at(csv, 0, 'header').split(',').slice(0, 11)).toEqual([
      'step',
      'epoch',
      'batch_loss',
      'batch_accuracy',
      'global_grad_norm_pre',
      'global_grad_norm_post',
      'clip_fraction',
      'clip_scale',
      'clip_cosine',
      'test_accuracy',
      'test_loss',
    ]);
    expect(csv).toHaveLength(21);
    const row1 = at(csv, 1, 'row').split(',');
    expect(row1[0]).toBe('1');
    expect(Number(row1[2])).toBeGreaterThan(0);
    expect(Number(row1[6])).toBeGreaterThan(0.5); // clip by value at 1 acts on most elements at step 1
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a copied link opens in a fresh page with every setting restored and the same first-step numbers', async () => {
    const first = await openPage(browser(), `${base()}#v=1&preset=dense-explode`);
    const { page } = first;
    await waitForBackends(page, ['baseline', 'clipped']);
    await page.getByLabel('Seed', { exact: true }).fill('7');
    await page.getByLabel('Seed', { exact: true }).press('Enter');
    await page.getByLabel('Learning rate').fill('0.05');
    await page.getByLabel('Learning rate').press('Enter');
    await page.locator('fieldset', { hasText: 'Clipped run' }).getByLabel('Clipping').selectOption('global');
    await page.getByLabel('threshold c').fill('5');
    await page.getByLabel('threshold c').press('Enter');
    await waitForBackends(page, ['baseline', 'clipped']);
    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toContain('seed=7');
    expect(link).toContain('clip=global');
    await page.getByRole('button', { name: 'One step' }).click();
    await expect.poll(async () => page.getByTestId('step-clipped').textContent(), { timeout: 60_000 }).toBe('1');
    const lossA = await page.getByTestId('loss-clipped').textContent();

    const second = await openPage(browser(), link);
    const p2 = second.page;
    await waitForBackends(p2, ['baseline', 'clipped']);
    expect(await p2.getByLabel('Seed', { exact: true }).inputValue()).toBe('7');
    expect(await p2.getByLabel('Learning rate').inputValue()).toBe('0.05');
    expect(await p2.locator('fieldset', { hasText: 'Clipped run' }).getByLabel('Clipping').inputValue()).toBe('global');
    expect(await p2.getByLabel('threshold c').inputValue()).toBe('5');
    // Changed settings make the preset "custom, from" it.
    expect(await p2.getByLabel('Preset', { exact: true }).inputValue()).toBe('custom');
    await p2.getByRole('button', { name: 'One step' }).click();
    await expect.poll(async () => p2.getByTestId('step-clipped').textContent(), { timeout: 60_000 }).toBe('1');
    expect(await p2.getByTestId('loss-clipped').textContent()).toBe(lossA);
    console.log(`restored link ${link}: first-step loss ${lossA} in both pages`);
    expect([...first.errors, ...second.errors]).toEqual([]);
    await first.context.close();
    await second.context.close();
  });

  it('a hostile, malformed link opens with defaults and a message naming each parameter; nothing is injected', async () => {
    const hostile =
      '#v=1&model=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E&hidden=-5&lr=NaN&batch=1e400&%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D2%3E=1&clip=%22%3E%3Csvg%20onload%3Dalert(1)%3E';
    const { page, errors, context } = await openPage(browser(), `${base()}${hostile}`);
    const banner = page.getByTestId('link-issues');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('hidden');
    expect(text).toContain('an integer from 1 to 512');
    expect(text).toContain('model');
    expect(text).toContain('lr');
    expect(text).toContain('unknown parameter');
    await waitForBackends(page, ['baseline', 'clipped']);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
    expect(await page.getByLabel('Hidden units').inputValue()).toBe('25');
    await screenshot(page, 'hostile-link');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs a recurrent preset and fills the per-time-step gradient chart', async () => {
    const { page, errors, context } = await openPage(
      browser(),
      `${base()}#v=1&preset=rnn-scale&steps=12&hidden=32&trainSize=500&testSize=100&hiddenGradEvery=3&evalEvery=6`,
    );
    await waitForBackends(page, ['baseline', 'clipped']);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 180_000 }).toBe('finished');
    // Measurements at steps 1, 4, 7, 10: one line each. The chart is below the first screen: it draws when
    // scrolled to (charts/DeferredPlot.tsx).
    await page.locator('[data-chart=hidden-clipped]').scrollIntoViewIfNeeded();
    const lines = page.locator('[data-chart=hidden-clipped] .recharts-line');
    await expect.poll(() => lines.count(), { timeout: 10_000 }).toBe(4);
    expect(await page.getByTestId('test-accuracy-clipped').textContent()).toMatch(/%$/);
    await screenshot(page, 'rnn-per-time-step');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a crashed worker stops only its own run, which keeps its steps; the other run goes on', async () => {
    const { page, context } = await openPage(
      browser(),
      `${base()}#v=1&preset=dense-explode&steps=120&baseClip=norm&baseClipNorm=50`,
    );
    await waitForBackends(page, ['baseline', 'clipped']);
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
    const error = (await page.getByTestId('error-baseline').textContent()) ?? '';
    expect(error).toContain('stopped unexpectedly');
    expect(error).toMatch(/Its \d+ finished steps are kept/);
    await expect.poll(() => phase(page, 'clipped'), { timeout: 180_000 }).toBe('finished');
    await screenshot(page, 'worker-crash');
    await context.close();
  });

  it('a worker whose code the host cannot send stops its run with the reason, instead of waiting for ever', async () => {
    const context = await browser().newContext({ viewport: { width: 1366, height: 768 } });
    // The lab's worker loads its role's code as a chunk of its own (worker/lab.worker.ts): that request fails.
    await context.route(/trainerRole/, (route) => route.abort());
    const page = await context.newPage();
    await page.goto(`${base()}#v=1&preset=dense-explode&steps=40`);
    for (const side of ['baseline', 'clipped']) {
      await expect.poll(() => phase(page, side), { timeout: 30_000 }).toBe('crashed');
      const error = (await page.getByTestId(`error-${side}`).textContent()) ?? '';
      expect(error).toContain('The training worker stopped unexpectedly');
      expect(error).toContain('its code could not be loaded');
    }
    await context.close();
  });

  it('a lost WebGL context moves the run to WASM with a visible notice, and it finishes', async () => {
    const { page, context } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=60&pair=0`);
    await useWebGl(page, ['clipped']);
    await page.getByRole('button', { name: 'One step' }).click();
    await expect.poll(async () => page.getByTestId('step-clipped').textContent(), { timeout: 30_000 }).toBe('1');
    await page.evaluate(() =>
      (
        window as unknown as { gradientLab: { simulateFault: (side: string, fault: string) => void } }
      ).gradientLab.simulateFault('clipped', 'lose-webgl-context'),
    );
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('backend-clipped').textContent()).toBe('WASM');
    expect(await page.getByTestId('notice-clipped').first().textContent()).toContain('moved from WEBGL to WASM');
    await context.close();
  });

  it('a step that fails on its backend (as when the GPU runs out of memory) moves the run to the next backend, which finishes it', async () => {
    const { page, context } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=30&pair=0`);
    await useWebGl(page, ['clipped']);
    await page.evaluate(() =>
      (
        window as unknown as { gradientLab: { simulateFault: (side: string, fault: string) => void } }
      ).gradientLab.simulateFault('clipped', 'fail-step'),
    );
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('backend-clipped').textContent()).toBe('WASM');
    const notice = (await page.getByTestId('notice-clipped').first().textContent()) ?? '';
    expect(notice).toContain('The WEBGL backend failed (simulated: the GPU ran out of memory)');
    expect(notice).toContain('moved from WEBGL to WASM');
    expect(await page.getByTestId('step-clipped').textContent()).toBe('30');
    await context.close();
  });

  it('a student link shows the locked controls read-only; the page works from the keyboard and on a tablet', async () => {
    const { page, context, errors } = await openPage(
      browser(),
      `${base()}#v=1&preset=rnn-scale&lock=model,optimizer,training,baseClip`,
      { width: 820, height: 1180 },
    );
    await waitForBackends(page, ['baseline', 'clipped']);
    // Locked groups are shown read-only, "set by your teacher"; the others can be changed.
    for (const legend of ['Model', 'Optimiser', 'Training', 'Baseline run']) {
      const group = page.locator('fieldset', { has: page.locator('legend', { hasText: new RegExp(`^${legend}`) }) });
      expect(await group.locator('legend').textContent(), legend).toBe(`${legend}set by your teacher`);
      expect(await group.evaluate((el) => (el as HTMLFieldSetElement).disabled), legend).toBe(true);
    }
    const clipped = page.locator('fieldset', { has: page.locator('legend', { hasText: /^Clipped run$/ }) });
    expect(await clipped.evaluate((el) => (el as HTMLFieldSetElement).disabled)).toBe(false);
    // Keyboard: Tab goes through the tour's lessons and the page tabs to Play; Enter starts training, Space pauses.
    const visited: string[] = [];
    for (let i = 0; i < 16 && visited[visited.length - 1] !== 'Play'; i++) {
      await page.keyboard.press('Tab');
      visited.push((await page.evaluate(() => document.activeElement?.textContent)) ?? '');
    }
    expect(visited[visited.length - 1]).toBe('Play');
    expect(visited).toContain('1. Watch the dense net explode');
    expect(visited).toContain('The cliff');
    await page.keyboard.press('Enter');
    await expect.poll(() => phase(page, 'clipped'), { timeout: 60_000 }).toBe('running');
    await page.keyboard.press(' ');
    await expect.poll(() => phase(page, 'clipped'), { timeout: 60_000 }).toBe('paused');
    // Every form control has a label.
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll('input, select')].filter((el) => !(el as HTMLInputElement).labels?.length).length,
    );
    expect(unlabelled).toBe(0);
    // Nothing overflows sideways at tablet width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(820);
    await screenshot(page, 'student-link-tablet');
    expect(errors).toEqual([]);
    await context.close();
  });
});
