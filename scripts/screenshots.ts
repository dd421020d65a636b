/**
 * Screenshots of the built page to look at as a student would: the first screen, a tour lesson and a race of four,
 * each at 1366x768, 768x1024 and 390x844, after Play has trained a few seconds, the whole page and its first
 * screen (`-top`). Not a test: it judges nothing.
 *
 *   npx vite build && npx vite preview --port 4193 &
 *   npx tsx scripts/screenshots.ts [--url http://127.0.0.1:4193/] [--out test-results/screenshots/look] [--train-ms 4000]
 *     [--lesson 3]   which tour lesson
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { lessonLink, TOUR } from '../src/experiment/tour.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './bench.ts';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const url = arg('--url', 'http://127.0.0.1:4193/');
const out = path.resolve(arg('--out', 'test-results/screenshots/look'));
const trainMs = Number(arg('--train-ms', '4000'));

const VIEWPORTS = [
  { name: 'desktop', width: 1366, height: 768 },
  { name: 'tablet', width: 768, height: 1024 },
  { name: 'phone', width: 390, height: 844 },
];
const lesson = TOUR.find((l) => l.n === Number(arg('--lesson', '3'))) ?? TOUR[0];
const PAGES = [
  { name: 'first', hash: '' },
  { name: `lesson${lesson?.n ?? 1}`, hash: lesson ? `#${lessonLink(lesson)}` : '' },
  { name: 'race', hash: '#v=1&preset=dense-explode&run3=norm:1&run4=global:1&steps=300' },
];

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  for (const viewport of VIEWPORTS) {
    for (const shown of PAGES) {
      const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
      const page = await context.newPage();
      await page.goto(`${url}${shown.hash}`);
      await page.getByRole('button', { name: 'Play' }).click();
      await page.waitForTimeout(trainMs);
      // Charts scrolled out of view paint only when seen, or printed.
      await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
      const file = path.join(out, `${shown.name}-${viewport.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
      // What the student sees first, without scrolling.
      await page.screenshot({ path: file.replace(/\.png$/, '-top.png') });
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      console.log(`${file}${sideways > 0 ? ` (scrolls sideways by ${sideways} px)` : ''}`);
      await context.close();
    }
  }
} finally {
  await browser.close();
}
