/**
 * What a student waits for: on the production build in Chromium, the wall time from a click on Play to the
 * lesson's last step, for every tour lesson that trains (the cliff computes a surface, and is left out). Play is
 * clicked as soon as the page shows it, so the workers' start-up and the data's download are in the figure. A
 * fresh browser context per lesson: no remembered backend choice, no HTTP cache.
 *
 *   npm run bench -- --lesson-walls --url http://127.0.0.1:4193/ [--before-url http://127.0.0.1:4194/] [--lessons 5,8]
 *
 * With `--before-url`, each lesson is timed on both builds one after the other, before first, so that the two
 * figures of a row are measured side by side on the same machine load.
 */
import type { Browser } from 'playwright-core';
import { lessonLink, TOUR, type TourLesson } from '../src/experiment/tour.ts';
import { ENDED_PHASES } from '../src/train/runPhase.ts';

/** Lessons a student is promised to see end within a minute (issue 23): the tutorial's LSTM and the adding problems. */
export const MINUTE_LESSONS = [5, 8, 9];

/** Runs a lesson's text asks for after its own pair: lesson 9's "Now set Model to LSTM and press Play again". */
const FOLLOW_UPS: { lesson: number; link: string; label: string }[] = [
  { lesson: 9, link: '&model=lstm', label: 'then Model: LSTM' },
];

export interface LessonWall {
  lesson: number;
  /** From the click on Play to the moment every run card shows an end (finished, diverged or crashed). */
  playToLastStepMs: number;
  /** Each run: its side, backend badge, phase and last step. */
  runs: string[];
}

/** One lesson on the build at `baseUrl`: opened in a fresh context, Play clicked as soon as it shows. */
async function lessonWall(
  browser: Browser,
  baseUrl: string,
  lesson: TourLesson,
  timeoutMs: number,
  extra = '',
): Promise<LessonWall> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await page.goto(new URL(`#${lessonLink(lesson)}${extra}`, baseUrl).href);
    const play = page.getByRole('toolbar', { name: 'Training' }).getByRole('button', { name: 'Play' });
    await play.waitFor();
    const clicked = Date.now();
    await play.click();
    // A function, not a string: the page's Content-Security-Policy forbids eval, which a string predicate needs.
    await page.waitForFunction(
      (ended) => {
        const cards = [...document.querySelectorAll('[data-run]')];
        return cards.length > 0 && cards.every((c) => ended.includes(c.getAttribute('data-phase') ?? ''));
      },
      ENDED_PHASES as readonly string[],
      { timeout: timeoutMs, polling: 100 },
    );
    const playToLastStepMs = Date.now() - clicked;
    // Read in Node, not in a page function: tsx wraps a page function's inner closures in a helper the page lacks.
    const runs: string[] = [];
    for (const card of await page.locator('[data-run]').all()) {
      const side = (await card.getAttribute('data-run')) ?? '';
      const text = async (id: string) => ((await page.getByTestId(`${id}-${side}`).textContent()) ?? '?').trim();
      runs.push(
        `${side} ${await text('backend')} ${(await card.getAttribute('data-phase')) ?? ''} at step ${await text('step')}`,
      );
    }
    return { lesson: lesson.n, playToLastStepMs, runs };
  } finally {
    await context.close();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Every training lesson (or `only`), on one or two builds; the table, with the one-minute promise beside it. */
export async function lessonWalls(
  browser: Browser,
  builds: { name: string; url: string }[],
  log: (line: string) => void,
  only?: number[],
  timeoutMs = 600_000,
): Promise<string[]> {
  const lessons = TOUR.filter((l) => !l.query.includes('page=cliff') && (!only || only.includes(l.n)));
  const rows: string[] = [];
  const parts = lessons.flatMap((lesson) => [
    { lesson, extra: '', label: `${lesson.n}. ${lesson.title}` },
    ...FOLLOW_UPS.filter((f) => f.lesson === lesson.n).map((f) => ({
      lesson,
      extra: f.link,
      label: `${lesson.n}, ${f.label}`,
    })),
  ]);
  for (const { lesson, extra, label } of parts) {
    const cells: string[] = [];
    for (const build of builds) {
      const wall = await lessonWall(browser, build.url, lesson, timeoutMs, extra).catch((error: unknown) => {
        log(`${label} on ${build.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        return null;
      });
      if (wall) log(`${label} on ${build.name}: ${seconds(wall.playToLastStepMs)}; ${wall.runs.join('; ')}`);
      cells.push(wall ? seconds(wall.playToLastStepMs) : 'did not end in time');
    }
    const promise = MINUTE_LESSONS.includes(lesson.n) ? 'under 1 min' : '';
    rows.push(`| ${label} | ${cells.join(' | ')} | ${promise} |`);
  }
  return [
    'Play to the last step of each tour lesson, the pair (or race) in Chromium (production build, a fresh context ' +
      'per lesson, Play clicked as soon as it shows)',
    '',
    `| lesson | ${builds.map((b) => b.name).join(' | ')} | target |`,
    `|---|${builds.map(() => '---').join('|')}|---|`,
    ...rows,
  ];
}
