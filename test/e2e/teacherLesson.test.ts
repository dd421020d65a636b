/**
 * A teacher's lesson in a real browser: a locked student link with a title, what to look for and a question is
 * opened; the student predicts, plays the dense pair for 20 steps, and sees the verdict beside the prediction. A
 * hostile title (markup, a script, a right-to-left override) is shown as the literal text it is, without the override.
 */
import { describe, expect, inject, it } from 'vitest';
import { openPage, screenshot, useBrowser, waitForBackends } from './browser.ts';

const browser = useBrowser();
const base = () => inject('baseUrl');

function lessonLink(params: Record<string, string>): string {
  const query = new URLSearchParams({ v: '1', preset: 'dense-explode', steps: '20', ...params });
  return `${base()}#${query.toString()}`;
}

describe("a teacher's lesson", () => {
  it('asks for a prediction before Play, keeps it, and shows what happened beside it', async () => {
    const { page, context, errors } = await openPage(
      browser(),
      lessonLink({
        title: 'Does clipping save the run?',
        look: 'Watch the red run. Its loss climbs every step. The blue run clips each gradient element.',
        ask: 'Which run will reach the lower loss?',
        a1: 'The clipped run',
        a2: 'The unclipped run',
        a3: 'They end the same',
        judge: 'lower-clipped,lower-baseline,close',
        lock: 'model,data,optimizer,training,presets,tour,pages',
      }),
      { width: 1366, height: 900 },
    );
    const lesson = page.getByTestId('teacher-lesson');
    await expect.poll(() => lesson.locator('h2').textContent()).toBe('From your teacher: Does clipping save the run?');
    // Two sentences shown, the third folded under More.
    expect(await lesson.locator('.lesson-lead').textContent()).toContain('Its loss climbs every step.');
    expect(await lesson.getByText('The blue run clips each gradient element.').isVisible()).toBe(false);
    // A locked page offers no editor: the student cannot rewrite the lesson here.
    expect(await page.getByText('Write a lesson').count()).toBe(0);
    expect(await page.getByTestId('link-issues').count()).toBe(0);
    await page.getByRole('radio', { name: 'The clipped run' }).check();
    await waitForBackends(page);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    const verdict = page.getByTestId('lesson-verdict');
    await expect.poll(() => verdict.count(), { timeout: 60_000 }).toBe(1);
    const text = (await verdict.textContent()) ?? '';
    expect(text).toContain('You predicted: The clipped run.');
    expect(text).toContain('What happened: The unclipped run diverged at step');
    expect(await page.getByTestId('lesson-match').textContent()).toBe(
      'Your prediction came true: the clipped run ends best.',
    );
    // The prediction is kept in local storage under the lesson's key, and the radios wait for Reset.
    const stored = await page.evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('gradient-lab.prediction.'))
        .map((k) => localStorage.getItem(k)),
    );
    expect(stored).toEqual(['The clipped run']);
    expect(await page.getByRole('radio', { name: 'The unclipped run' }).isDisabled()).toBe(true);
    await screenshot(page, 'teacher-lesson-verdict');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a hostile title and text as literal text, with the direction override removed', async () => {
    const title = '<img src=x onerror=alert(1)><script>alert(2)</script>\u202Eevil';
    const { page, context, errors } = await openPage(
      browser(),
      lessonLink({ title, look: '<b>not bold</b> & "quoted".' }),
      { width: 1366, height: 900 },
    );
    const heading = page.getByTestId('teacher-lesson').locator('h2');
    await expect
      .poll(() => heading.textContent())
      .toBe('From your teacher: <img src=x onerror=alert(1)><script>alert(2)</script>evil');
    expect(await page.getByTestId('teacher-lesson').locator('img, script, b').count()).toBe(0);
    expect(await page.getByTestId('teacher-lesson').getByText('<b>not bold</b> & "quoted".').count()).toBe(1);
    // The editor holds the same text, as text, for the teacher to change.
    await page.getByText('Write a lesson').click();
    expect(await page.getByLabel(/^Title/).inputValue()).toBe(
      '<img src=x onerror=alert(1)><script>alert(2)</script>evil',
    );
    // The removal is said, naming the key.
    expect(await page.getByTestId('link-issues').textContent()).toContain('title');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a teacher writes a lesson: the link and the student link carry it, and the page shows it', async () => {
    const { page, context, errors } = await openPage(browser(), lessonLink({}), { width: 1366, height: 900 });
    await page.getByText('Write a lesson').click();
    await page.getByLabel(/^Title/).fill('My lesson');
    await page.getByLabel(/^What to look for/).fill('Look at the red line. It rises. Then it stops.');
    await page.getByLabel('Ask students to predict before Play').check();
    await page.getByLabel(/^Question/).fill('Which run diverges?');
    await page.getByLabel('Choice 1', { exact: true }).fill('The unclipped run');
    await page.getByLabel('Choice 1 stands for').selectOption('diverge-baseline');
    await page.getByLabel('Choice 2', { exact: true }).fill('Neither');
    await expect.poll(() => page.url()).toContain('judge=diverge-baseline%2C-');
    const url = decodeURIComponent(page.url().replaceAll('+', ' '));
    expect(url).toContain(
      'title=My lesson&look=Look at the red line. It rises. Then it stops.&ask=Which run diverges?',
    );
    expect(url).toContain('a1=The unclipped run&a2=Neither');
    await page.getByText('Link for students').click();
    expect(await page.getByTestId('student-link').inputValue()).toContain('ask=Which+run+diverges%3F');
    expect(await page.getByTestId('teacher-lesson').locator('h2').textContent()).toBe('From your teacher: My lesson');
    expect(await page.getByRole('radio', { name: 'Neither' }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
