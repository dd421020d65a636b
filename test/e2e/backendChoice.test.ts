/**
 * Auto picks the backend that trains this model fastest on this machine, in a
 * production build in Debian's Chromium, without ever timing before training:
 * a model size not timed yet trains at once on WASM and is timed once that run
 * is over; the next visit trains at once on the remembered choice. Here WebGL is
 * SwiftShader (software): WASM must win for the dense net, and the page must say
 * so with the speeds. Order of events is checked, never time.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

type LabWindow = { gradientLab: { simulateFault: (side: string, fault: string) => void } };
const SENTENCE = /WASM chosen: (\d+) steps\/s, WebGL (?:under )?(\d+(?:\.\d+)?) steps\/s/;
const UNTIMED =
  /Auto: WASM for now \(this model size is not timed yet\); WASM and WebGL are timed once no run is training/;
const DENSE = '#v=1&preset=dense-explode&steps=40';

async function choiceSentence(page: Page, sentence: RegExp = /chosen/): Promise<string> {
  const note = page.getByTestId('backend-choice');
  await expect.poll(async () => (await note.textContent()) ?? '', { timeout: 120_000 }).toMatch(sentence);
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

/**
 * Records, in the order the page showed them, every change of the clipped run's step and of auto's note
 * ("step 1 | WASM first ..."): what came before what, with no clock.
 */
async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { shown: string[] };
    w.shown = [];
    let last = '';
    const read = () => {
      const step = document.querySelector('[data-testid=step-clipped]')?.textContent ?? '';
      const note = document.querySelector('[data-testid=backend-choice]')?.textContent ?? '';
      const now = `step ${step} | ${note.replace(/^\s*·\s*/, '').trim()}`;
      if (now !== last) w.shown.push(now);
      last = now;
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function shownEvents(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { shown: string[] }).shown);
}

/** The first event that matches, by its place in the order shown (-1: never). */
const firstIndex = (events: string[], test: (event: string) => boolean) => events.findIndex(test);
const stepOf = (event: string) => Number(/^step (\d+)/.exec(event)?.[1] ?? 0);

/** Rewrites the remembered choices in this browser's IndexedDB as if `chosen` had won the trial. */
async function rememberInstead(page: Page, chosen: string): Promise<number> {
  return page.evaluate(
    (backend) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('gradient-lab-backend-choice');
        open.onerror = () => reject(new Error('no backend-choice database'));
        open.onsuccess = () => {
          const db = open.result;
          const store = db.transaction('choices', 'readwrite').objectStore('choices');
          const all = store.getAll();
          all.onsuccess = () => {
            const records = all.result as { result: { chosen: string } }[];
            for (const record of records) store.put({ ...record, result: { ...record.result, chosen: backend } });
            store.transaction.oncomplete = () => {
              db.close();
              resolve(records.length);
            };
          };
        };
      }),
    chosen,
  );
}

describe('Auto backend choice in Chromium', () => {
  it("the trial waits until no run trains: not while a race's other runs train on after one diverged", async () => {
    // A race of four: seconds of training after the baseline diverges at step 5, when its worker's trial used to
    // start, beside the three others. It now starts once no run trains.
    const { page, context, errors } = await openPage(
      browser(),
      `${base()}#v=1&preset=dense-explode&steps=1500&run3=norm:1&run4=global:1`,
    );
    await waitForBackends(page, ['baseline', 'clipped']);
    expect(await choiceSentence(page, UNTIMED)).toMatch(UNTIMED);
    // When (by the page's clock, as the trial's `startedAt`) the clipped run showed its last step.
    await page.evaluate(() => {
      const w = window as unknown as { finishedAt: number | null };
      w.finishedAt = null;
      new MutationObserver(() => {
        if (w.finishedAt === null && document.querySelector('[data-testid=step-clipped]')?.textContent === '1500')
          w.finishedAt = Date.now();
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await phase(page, 'baseline')).toBe('diverged');
    await choiceSentence(page, SENTENCE);
    const finishedAt = await page.evaluate(() => (window as unknown as { finishedAt: number | null }).finishedAt);
    const startedAt = await page.evaluate(
      () =>
        new Promise<(number | undefined)[]>((resolve, reject) => {
          const open = indexedDB.open('gradient-lab-backend-choice');
          open.onerror = () => reject(new Error('no backend-choice database'));
          open.onsuccess = () => {
            const all = open.result.transaction('choices').objectStore('choices').getAll();
            all.onsuccess = () => {
              open.result.close();
              resolve((all.result as { result: { startedAt?: number } }[]).map((r) => r.result.startedAt));
            };
          };
        }),
    );
    expect(finishedAt).not.toBeNull();
    expect(startedAt).toHaveLength(1);
    expect(startedAt[0]).toBeGreaterThan(finishedAt as number);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a size not timed yet trains at once on WASM; WASM and WebGL are timed only once the run is over', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}${DENSE}`);
    await recordEvents(page);
    expect(await waitForBackends(page, ['baseline', 'clipped'])).toEqual(['WASM', 'WASM']);
    expect(await choiceSentence(page, UNTIMED)).toMatch(UNTIMED);

    // The first step: on WASM, with nothing timed yet, and the number an explicitly chosen WASM run gives.
    const autoLoss = await firstStepLoss(page);
    expect(await page.getByTestId('backend-choice').textContent()).toMatch(UNTIMED);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await phase(page, 'baseline')).toBe('diverged');

    // Then the trial: its speeds, WASM faster than the software WebGL.
    const sentence = await choiceSentence(page, SENTENCE);
    const [, wasm, webgl] = SENTENCE.exec(sentence) ?? [];
    expect(Number(wasm)).toBeGreaterThan(Number(webgl));
    expect(sentence).toContain('(software-rendered)');
    // WASM won and the run trained on WASM: nothing is said about moving the next run.
    expect(sentence).not.toContain('the next run of this size trains on');
    console.log(`auto, dense pair, after the first run: ${sentence.replace(/^\s*·\s*/, '')}`);
    await screenshot(page, 'auto-backend-choice');

    // In the order shown: the untimed note with the first step, then the trial's speeds (once both runs are over and
    // the page quiet); no "Timing ..." held a step back.
    const shown = await shownEvents(page);
    const firstStep = firstIndex(shown, (e) => stepOf(e) >= 1);
    const timed = firstIndex(shown, (e) => SENTENCE.test(e));
    expect(firstStep, shown.join('\n')).toBeGreaterThan(0);
    expect(shown[firstStep], shown.join('\n')).toMatch(UNTIMED);
    expect(timed, shown.join('\n')).toBeGreaterThan(firstStep);
    expect(
      shown.filter((e) => /Timing/.test(e)),
      shown.join('\n'),
    ).toEqual([]);

    // The trial steps did not touch the run: its first step is the one an explicitly chosen WASM run takes.
    expect(await choose(page, 'wasm', ['baseline', 'clipped'])).toEqual(['WASM', 'WASM']);
    expect(await page.getByTestId('backend-choice').count()).toBe(0);
    expect(await firstStepLoss(page)).toBe(autoLoss);

    // The second visit: the remembered choice, with its speeds, before any step; never untimed, never timing.
    await page.reload();
    await recordEvents(page);
    expect(await waitForBackends(page, ['baseline', 'clipped'])).toEqual(['WASM', 'WASM']);
    expect(await choiceSentence(page, SENTENCE)).toMatch(SENTENCE);
    expect(await page.getByTestId('backend-choice').getAttribute('title')).toContain('earlier run');
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    const second = await shownEvents(page);
    expect(
      second.filter((e) => UNTIMED.test(e) || /Timing/.test(e)),
      second.join('\n'),
    ).toEqual([]);

    // The remembered choice decides the backend: remembered as WebGL, the next visit trains on WebGL at once.
    expect(await rememberInstead(page, 'webgl')).toBe(1);
    await page.reload();
    expect(await waitForBackends(page, ['baseline', 'clipped'])).toEqual(['WEBGL', 'WEBGL']);
    expect(await choiceSentence(page)).toMatch(/^\s*·?.*WebGL chosen/);
    expect(errors).toEqual([]);
    await context.close();
  });

  // Lost in the middle of a step: its read-back waits on a GPU fence that never signals (the run hung at "running"
  // before the worker raced every step against the loss). lab.test.ts loses the context between steps.
  it('a run on a chosen WebGL still falls over to WASM when the context is lost in the middle of a step', async () => {
    const { page, context } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=30&pair=0`);
    await waitForBackends(page, ['clipped']);
    expect(await choose(page, 'webgl', ['clipped'])).toEqual(['WEBGL']);
    await firstStepLoss(page);
    await page.evaluate(() =>
      (window as unknown as LabWindow).gradientLab.simulateFault('clipped', 'lose-webgl-context-mid-step'),
    );
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('backend-clipped').textContent()).toBe('WASM');
    expect(await page.getByTestId('notice-clipped').first().textContent()).toContain('moved from WEBGL to WASM');
    await context.close();
  });
});
