/**
 * A student's first minute, in a real browser: a `?v=1` link is read, a teacher's locked link keeps the
 * student inside the experiment, the keys work (and stay out of the way while typing), the words follow the
 * settings, the history counts steps live, and a reload offers to reopen the interrupted run.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { openPage, phase, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');
const LAPTOP = { width: 1366, height: 768 };

async function stepOf(page: Page, side = 'clipped'): Promise<number> {
  return Number(await page.getByTestId(`step-${side}`).textContent());
}

/** Unfolds the settings panel (a locked link folds it) so its fields can be seen and used. */
async function showSettings(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Settings', exact: true });
  if ((await toggle.count()) > 0 && (await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
}

/**
 * A link that locks only the optimiser and the ways out: the student changes what is free (the seed), and R, like
 * "Back to your teacher's settings", returns to the teacher's link, never to the preset.
 */
async function checkPartlyLocked(page: Page): Promise<void> {
  expect(await page.getByRole('tablist').count()).toBe(0);
  expect(await page.getByRole('navigation', { name: 'Guided tour' }).count()).toBe(1);
  await showSettings(page);
  await page.getByLabel('Seed', { exact: true }).fill('9');
  await page.getByLabel('Seed', { exact: true }).press('Enter');
  await expect.poll(() => page.getByRole('button', { name: "Back to your teacher's settings" }).count()).toBe(1);
  await screenshot(page, 'student-locked-changed');
  await page.locator('h1').click();
  await page.keyboard.press('r');
  await expect.poll(() => page.getByLabel('Seed', { exact: true }).inputValue()).toBe('0');
  expect(await page.getByLabel('Learning rate').inputValue()).toBe('0.05');
  expect(await page.getByRole('button', { name: "Back to your teacher's settings" }).count()).toBe(0);
}

describe("a student's first minute", () => {
  it('a ?v=1 link is read and rewritten to #v=1; changed settings are described from the settings, and a lone unclipped run is called so', async () => {
    const { page, context, errors } = await openPage(
      browser(),
      `${base()}?v=1&preset=lstm-tf&model=gru&optimizer=sgd&lr=0.05&momentum=0.9&pair=0&clip=none&trainSize=500&testSize=100`,
      LAPTOP,
    );
    await waitForBackends(page, ['clipped']);
    await expect.poll(() => page.url()).toMatch(/\/#v=1&preset=lstm-tf&/);
    expect(new URL(page.url()).search).toBe('');
    expect(page.url()).toContain('model=gru');
    expect(await page.getByLabel('Learning rate').inputValue()).toBe('0.05');
    expect(await page.getByTestId('link-issues').count()).toBe(0);
    // The preset is "custom, from" it, and the summary is written from the actual settings.
    const preset = page.getByLabel('Preset', { exact: true });
    expect(await preset.inputValue()).toBe('custom');
    expect(await preset.locator('option:checked').textContent()).toBe(
      'Custom, from TensorFlow LSTM on sequential MNIST',
    );
    const summary = (await page.getByTestId('experiment-summary').textContent()) ?? '';
    expect(summary).toContain('GRU, 1 layer of 32 units');
    expect(summary).toContain('SGD lr 0.05 momentum 0.9');
    expect(summary).toContain('One run: no clipping.');
    expect(summary).not.toContain('LSTM of 32 units');
    // A lone run without clipping is not "Clipped", on its card or on the charts.
    expect(await page.locator('[data-run=clipped] h2').textContent()).toBe('Unclipped run');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => page.locator('[data-chart=loss]').textContent()).toContain('Unclipped loss');
    expect(await page.locator('[data-chart=loss]').textContent()).not.toContain('Clipped loss');
    await screenshot(page, 'student-query-link-custom');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a locked link hides the preset menu, the tour and the tabs, shows the teacher's values read-only, and Reset keeps them", async () => {
    const { page, context, errors } = await openPage(
      browser(),
      `${base()}#v=1&preset=dense-explode&lr=0.05&seed=4&steps=30&lock=all`,
      LAPTOP,
    );
    await waitForBackends(page);
    expect(await page.getByLabel('Preset', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Guided tour' }).count()).toBe(0);
    expect(await page.getByRole('tablist').count()).toBe(0);
    expect(await page.getByText('set by your teacher').count()).toBeGreaterThanOrEqual(5);
    expect(await page.getByTestId('experiment-name').textContent()).toBe(
      'Experiment: custom, from Dense regression that explodes',
    );
    await showSettings(page);
    const lr = page.getByLabel('Learning rate');
    await lr.waitFor();
    expect(await lr.inputValue()).toBe('0.05');
    expect(await lr.isDisabled()).toBe(true);
    await screenshot(page, 'student-locked-all');
    await page.getByRole('button', { name: 'One step' }).click();
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBe(1);
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => stepOf(page)).toBe(0);
    expect(await lr.inputValue()).toBe('0.05');
    expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('4');
    expect(page.url()).toContain('lock=all');
    expect(page.url()).toContain('lr=0.05');

    expect(errors).toEqual([]);
    await context.close();

    const partly = await openPage(
      browser(),
      `${base()}#v=1&preset=dense-explode&lr=0.05&lock=optimizer,presets,pages`,
      LAPTOP,
    );
    await waitForBackends(partly.page);
    await checkPartlyLocked(partly.page);
    expect(partly.errors).toEqual([]);
    await partly.context.close();
  });

  it("a locked link's student link starts from its locks, keeps its clipped baseline, and says locks are not security", async () => {
    const { page, context, errors } = await openPage(
      browser(),
      `${base()}#v=1&preset=dense-explode&baseClip=value&baseClipMin=-5&baseClipMax=5&seed=3&lock=clip,baseClip,presets`,
      LAPTOP,
    );
    await waitForBackends(page);
    // From the keyboard: the summary opens the panel, Space ticks a box.
    await page.getByText('Link for students', { exact: true }).focus();
    await page.keyboard.press('Enter');
    const ticks = page.getByRole('group', { name: 'Lock these for students' });
    await ticks.waitFor();
    const ticked = async (p: Page) => {
      const names: string[] = [];
      for (const box of await p.getByRole('group', { name: 'Lock these for students' }).getByRole('checkbox').all())
        if (await box.isChecked()) names.push((await box.evaluate((el) => el.parentElement?.textContent)) ?? '');
      return names.map((n) => n.trim());
    };
    expect(await ticked(page)).toEqual(['Clipped run', 'Baseline run', 'Preset menu']);
    expect(await page.getByText('Locks are a convenience, not security').isVisible()).toBe(true);
    await ticks.getByRole('checkbox', { name: 'Tour' }).focus();
    await page.keyboard.press(' ');
    expect(await ticked(page)).toEqual(['Clipped run', 'Baseline run', 'Preset menu', 'Tour']);
    const field = page.getByLabel('Student link', { exact: true });
    const link = await field.inputValue();
    expect(link).toContain('baseClip=value&baseClipMin=-5&baseClipMax=5');
    expect(link).toContain('seed=3');
    expect(link).toContain('lock=clip%2CbaseClip%2Cpresets%2Ctour');
    // Every control of the panel has a label.
    expect(
      await page.evaluate(
        () =>
          [...document.querySelectorAll('.student-link-panel input')].filter(
            (el) => !(el as HTMLInputElement).labels?.length,
          ).length,
      ),
    ).toBe(0);
    await page.getByRole('button', { name: 'Copy student link' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Student link' }).textContent())
      .toBe('Student link copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await screenshot(page, 'student-link-panel');
    expect(errors).toEqual([]);
    await context.close();

    // The student opens it: the clipped baseline is there, read-only, and the panel starts from its locks.
    const student = await openPage(browser(), link, LAPTOP);
    await waitForBackends(student.page);
    expect(student.page.url()).toContain('baseClip=value&baseClipMin=-5&baseClipMax=5');
    await showSettings(student.page);
    const baseline = student.page.locator('fieldset', {
      has: student.page.locator('legend', { hasText: /^Baseline run/ }),
    });
    expect(await baseline.evaluate((el) => (el as HTMLFieldSetElement).disabled)).toBe(true);
    expect(await baseline.getByLabel('min').inputValue()).toBe('-5');
    expect(await baseline.getByLabel('max').inputValue()).toBe('5');
    expect(await student.page.getByLabel('Seed', { exact: true }).inputValue()).toBe('3');
    expect(await student.page.getByLabel('Preset', { exact: true }).count()).toBe(0);
    expect(await student.page.getByRole('navigation', { name: 'Guided tour' }).count()).toBe(0);
    await student.page.getByText('Link for students', { exact: true }).click();
    // The panel's form is made on the details' toggle event, a task after the click.
    await student.page.getByRole('group', { name: 'Lock these for students' }).waitFor();
    expect(await ticked(student.page)).toEqual(['Clipped run', 'Baseline run', 'Preset menu', 'Tour']);
    expect(await student.page.getByLabel('Student link', { exact: true }).inputValue()).toBe(link);
    expect(student.errors).toEqual([]);
    await student.context.close();
  });

  it('Space plays and pauses, the right arrow takes one step, R resets; none of them while typing in a number field', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=100000`);
    await waitForBackends(page);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBe(1);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBe(2);
    await page.keyboard.press(' ');
    await expect.poll(() => phase(page, 'clipped'), { timeout: 60_000 }).toBe('running');
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(5);
    await page.keyboard.press(' ');
    await expect.poll(() => phase(page, 'clipped'), { timeout: 60_000 }).toBe('paused');
    await page.waitForTimeout(1_000);
    const paused = await stepOf(page);

    // Typing in a number field: the keys belong to the field.
    const seed = page.getByLabel('Seed', { exact: true });
    await seed.click();
    for (const key of [' ', 'ArrowRight', 'r', 'R']) await page.keyboard.press(key);
    await page.waitForTimeout(1_000);
    expect(await phase(page, 'clipped')).toBe('paused');
    expect(await stepOf(page)).toBe(paused);
    // Nor with a modifier held.
    await page.locator('h1').click();
    await page.keyboard.press('Control+r').catch(() => undefined);
    await page.keyboard.press('Alt+ArrowRight').catch(() => undefined);
    await page.waitForTimeout(500);
    expect(await stepOf(page)).toBe(paused);

    await page.locator('h1').click();
    await page.keyboard.press('r');
    await expect.poll(() => stepOf(page)).toBe(0);
    expect(await phase(page, 'clipped')).toMatch(/starting|ready|paused/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the history counts steps live, and after a reload offers to reopen the interrupted run', async () => {
    const { page, context, errors } = await openPage(
      browser(),
      `${base()}#v=1&preset=dense-explode&steps=100000&pair=0&clip=global&clipNorm=5`,
      LAPTOP,
    );
    await waitForBackends(page, ['clipped']);
    await page.getByRole('button', { name: 'Play' }).click();
    const row = page.locator('[data-history-run]').first();
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    // The row follows the run, not the first batch it was saved with.
    await expect
      .poll(async () => Number((await row.getByTestId('history-steps').textContent())?.replace(/,/g, '')), {
        timeout: 60_000,
      })
      .toBeGreaterThan(40);
    // Read one after the other while the run goes on at hundreds of steps a second: on a loaded machine a render
    // can fall between the two reads, so the row must catch up within a few polls, not at one instant.
    await expect
      .poll(async () => {
        const live = await stepOf(page);
        const listed = Number((await row.getByTestId('history-steps').textContent())?.replace(/,/g, ''));
        return Math.abs(live - listed) <= live * 0.5;
      })
      .toBe(true);
    await page.getByTestId('history').scrollIntoViewIfNeeded();
    await screenshot(page, 'student-history-live');

    await page.reload();
    const banner = page.getByTestId('reopen-banner');
    await banner.waitFor({ timeout: 30_000 });
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('Your last run was interrupted at step');
    expect(text).toContain(
      'Experiment: Custom, from Dense regression that explodes; one run, clip the global L2 norm to 5 (torch).',
    );
    const stoppedAt = Number((text.match(/interrupted at step ([\d,]+)/)?.[1] ?? '').replace(/,/g, ''));
    expect(stoppedAt).toBeGreaterThan(40);
    await screenshot(page, 'student-reopen-banner');
    await banner.getByRole('button', { name: 'Reopen it' }).click();
    await expect.poll(() => stepOf(page)).toBe(stoppedAt);
    expect(await page.getByTestId('error-clipped').textContent()).toContain('closed or reloaded');
    expect(await banner.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('comparing two stored runs says what differs (here: their clipping and lengths), not only "same weights"', async () => {
    const { page, context, errors } = await openPage(browser(), `${base()}#v=1&preset=dense-explode&steps=12`, LAPTOP);
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => phase(page, 'clipped'), { timeout: 120_000 }).toBe('finished');
    const rows = page.locator('[data-history-run]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    await page.getByRole('button', { name: 'Reset' }).click();
    await rows.nth(0).locator('input[type=checkbox]').check();
    await rows.nth(1).locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: 'Compare the two selected' }).click();
    const message = page.getByTestId('history-message');
    await expect.poll(() => message.textContent()).toContain('Comparing two stored runs');
    const text = (await message.textContent()) ?? '';
    expect(text).toContain('Same settings, same weights, same batches.');
    expect(text).toMatch(
      /Clipping: A (no clipping|clip by value to \[-1, 1\]), B (no clipping|clip by value to \[-1, 1\])\./,
    );
    expect(text).toMatch(/A has (5|12) steps, B has (5|12) steps: the charts show steps 1 to 12\./);
    // The charts span the longer run, not a plan nobody trained.
    expect(await page.getByTestId('step').textContent()).toBe('12');
    await page.getByTestId('history').scrollIntoViewIfNeeded();
    await screenshot(page, 'student-history-compare');
    expect(errors).toEqual([]);
    await context.close();
  });
});
