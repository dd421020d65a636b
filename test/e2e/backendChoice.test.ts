/**
 * Auto picks the backend that trains this model fastest on this machine, in a
 * production build in Debian's Chromium. Here WebGL is SwiftShader (software):
 * WASM must win for the dense net, and the page must say so with the speeds.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

type LabWindow = { gradientLab: { simulateFault: (side: string, fault: string) => void } };
const SENTENCE = /WASM chosen: (\d+) steps\/s, WebGL (?:under )?(\d+(?:\.\d+)?) steps\/s/;

async function choiceSentence(page: Page): Promise<string> {
  const note = page.getByTestId('backend-choice');
  await expect.poll(async () => (await note.textContent()) ?? '', { timeout: 120_000 }).toMatch(/chosen/);
  return (await note.textContent()) ?? '';
}

/** Picks a backend in the toolbar and waits for the fresh runs to be ready on a backend. */
async function choose(page: Page, backend: string, sides: string[]): Promise<string[]> {
  await page.getByLabel('Backend').selectOption(backend);
  for (const side of sides) await expect.poll(() => phase(page, side), { timeout: 120_000 }).toBe('ready');
  return waitForBackends(page, sides);
}

async function firstStepLoss(page: Page): Promise<string> {
  await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('ready');
  await page.getByRole('button', { name: 'One step' }).click();
  await expect.poll(async () => page.getByTestId('step-clipped').textContent(), { timeout: 60_000 }).toBe('1');
  return (await page.getByTestId('loss-clipped').textContent()) ?? '';
}

describe('Auto backend choice in Chromium', () => {
  it('times WebGL and WASM on the dense pair, picks WASM, shows both speeds; the trial leaves no trace', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=40`);
    expect(await waitForBackends(page, ['baseline', 'clipped'])).toEqual(['WASM', 'WASM']);
    const sentence = await choiceSentence(page);
    const [, wasm, webgl] = SENTENCE.exec(sentence) ?? [];
    expect(sentence, sentence).toMatch(SENTENCE);
    expect(Number(wasm)).toBeGreaterThan(Number(webgl));
    expect(sentence).toContain('(software-rendered)');
    console.log(`auto, dense pair: ${sentence.replace(/^\s*·\s*/, '')}`);
    await screenshot(page, 'auto-backend-choice');

    // The trial steps did not touch the run: its first step is the one an explicitly chosen WASM run takes.
    const autoLoss = await firstStepLoss(page);
    expect(await choose(page, 'wasm', ['baseline', 'clipped'])).toEqual(['WASM', 'WASM']);
    expect(await page.getByTestId('backend-choice').count()).toBe(0);
    expect(await firstStepLoss(page)).toBe(autoLoss);

    // Back to auto: the choice for this model size is remembered, not timed again.
    expect(await choose(page, 'auto', ['baseline', 'clipped'])).toEqual(['WASM', 'WASM']);
    expect(await choiceSentence(page)).toMatch(SENTENCE);
    expect(await page.getByTestId('backend-choice').getAttribute('title')).toContain('earlier run');
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await phase(page, 'baseline')).toBe('diverged');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a run on a chosen WebGL still falls over to WASM when the context is lost', async () => {
    const { page, context } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=30&pair=0`);
    await waitForBackends(page, ['clipped']);
    expect(await choose(page, 'webgl', ['clipped'])).toEqual(['WEBGL']);
    await firstStepLoss(page);
    await page.evaluate(() =>
      (window as unknown as LabWindow).gradientLab.simulateFault('clipped', 'lose-webgl-context'),
    );
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('backend-clipped').textContent()).toBe('WASM');
    expect(await page.getByTestId('notice-clipped').first().textContent()).toContain('moved from WEBGL to WASM');
    await context.close();
  });
});
