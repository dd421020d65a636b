import { chromium } from 'playwright-core';
const url = process.argv[2] ?? 'http://127.0.0.1:4197/';
const out = process.argv[3] ?? '/tmp/shot';
const play = process.argv[4] === 'play';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--enable-unsafe-swiftshader','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
for (const [w, h] of [[1366, 768], [390, 844]]) {
  const context = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log('ERR', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log('CONSOLE', m.text()); });
  await page.goto(url);
  await page.waitForTimeout(3000);
  if (play) {
    await page.getByRole('button', { name: 'Play' }).first().click();
    await page.waitForTimeout(6000);
  }
  await page.screenshot({ path: `${out}-${w}.png` });
  const chart = page.locator('[data-chart=loss]');
  await chart.screenshot({ path: `${out}-${w}-loss.png` });
  await context.close();
}
await browser.close();
