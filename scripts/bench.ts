/**
 * `npm run bench`: one run, on this machine, of every column side by side:
 * tfjs in Node (WASM, CPU), tfjs in headless Chromium workers (WebGL, WASM
 * with and without threads, CPU), and PyTorch on the CPU when python3 has
 * torch. Prints a table of ms per step with ratios to PyTorch, the price of the
 * lab's instrumentation, the cliff surface's time per backend, the page's
 * main-thread health while a pair trains, and cold start; writes it all as JSON.
 *
 *   npm run bench                 full run (about 10 minutes on 2 cores)
 *   npm run bench -- --smoke      a few steps of the small cases (the tests run this)
 *   --url http://host:port/       use an app already served there (no build)
 *   --out file.json               where the JSON goes (default bench-results/bench.json)
 *   --page-only --url URL         only the page's main-thread health (15 s of a training pair)
 *   --unminified                  build without minifying (tfjs's threaded WASM starts only then)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser } from 'playwright-core';
import { FULL_BUDGET, SMOKE_BUDGET, casesFor, type BenchBudget, type BenchCase } from '../src/bench/cases.ts';
import { measureCase, measureSurface, type CaseResult, type Timing } from '../src/bench/measure.ts';
import type { BenchBackend, BenchReply } from '../src/bench/bench.worker.ts';
import { startNodeBackend, type NodeBackend } from '../src/cli/nodeBackend.ts';
import { nodeDataLoader } from '../src/cli/nodeData.ts';
import { loadTrainingData } from '../src/train/data/trainingData.ts';

export interface BenchOptions {
  smoke: boolean;
  /** An app already served (the tests' preview server); otherwise the bench builds and serves one. */
  baseUrl?: string;
  browser?: Browser;
  log?: (line: string) => void;
  /** Build without minifying: tfjs's threaded WASM build starts only then (see docs/PERFORMANCE.md). */
  unminified?: boolean;
}

interface Column {
  name: string;
  results: Record<string, Timing>;
  bare?: Record<string, Timing>;
  leakedTensors?: number;
  surfaceMs?: { firstMs: number; warmMs: number; side: number };
  note?: string;
}

export interface BenchReport {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; chromium: string | null };
  smoke: boolean;
  budget: BenchBudget;
  cases: { id: string; label: string }[];
  torch: { version: string; results: Record<string, Timing> } | { skipped: string };
  columns: Column[];
  page: { coldStartMs: number; firstJsGzipBytes: number; longestTaskMs: number; tasksOver50ms: number; framesPerSecond: number; watchedMs: number } | { skipped: string };
}

const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const BROWSER_BACKENDS: BenchBackend[] = ['webgl', 'webgpu', 'wasm', 'wasm-threads', 'cpu'];

async function nodeColumns(cases: BenchCase[], budget: BenchBudget, log: (line: string) => void): Promise<Column[]> {
  const columns: Column[] = [];
  for (const backend of ['wasm', 'cpu'] as NodeBackend[]) {
    try {
      await startNodeBackend([backend]);
    } catch (error) {
      columns.push({ name: `node ${backend}`, results: {}, note: String(error) });
      continue;
    }
    const results: CaseResult[] = [];
    for (const benchCase of cases) {
      const data = await loadTrainingData(benchCase.config, nodeDataLoader);
      results.push(await measureCase(benchCase, data, budget));
      log(`node ${backend} ${benchCase.id}: ${results[results.length - 1].step.medianMs.toFixed(2)} ms/step`);
    }
    const surface = await measureSurface(budget.surfaceSide);
    columns.push(columnOf(`node ${tf.getBackend()}`, results, surface));
  }
  return columns;
}

function columnOf(name: string, results: CaseResult[], surface?: { firstMs: number; warmMs: number; side: number }): Column {
  return {
    name,
    results: Object.fromEntries(results.map((r) => [r.id, r.step])),
    bare: Object.fromEntries(results.map((r) => [r.id, r.bare])),
    leakedTensors: results.reduce((n, r) => n + r.leakedTensors, 0),
    surfaceMs: surface,
  };
}

/** python3 with torch: Debian's python3-torch lives under /usr/bin/python3, which a pyenv shim may hide. */
function torchColumn(cases: BenchCase[], budget: BenchBudget): BenchReport['torch'] {
  const script = path.resolve('scripts/bench_torch.py');
  const input = JSON.stringify({ budget, cases: cases.map((c) => ({ id: c.id, config: c.config })) });
  const tried: string[] = [];
  for (const python of ['/usr/bin/python3', 'python3']) {
    const out = spawnSync(python, [script], { input, encoding: 'utf8', timeout: 600_000 });
    if (out.status === 0) {
      const parsed = JSON.parse(out.stdout) as { torch: string; results: Record<string, Timing> };
      return { version: parsed.torch, results: parsed.results };
    }
    tried.push(`${python}: ${(out.stderr || String(out.error)).trim().split('\n').pop()}`);
  }
  return { skipped: `no python3 with torch (${tried.join('; ')}); apt-get install python3-torch adds it` };
}

async function browserColumns(browser: Browser, baseUrl: string, cases: BenchCase[], budget: BenchBudget, log: (line: string) => void): Promise<Column[]> {
  const page = await browser.newPage();
  await page.goto(new URL('src/bench/bench.html', baseUrl).href);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  const replies = (await page.evaluate(
    (request) => (window as unknown as { gradientLabBench: { run: (r: unknown) => Promise<unknown> } }).gradientLabBench.run(request),
    { backends: BROWSER_BACKENDS, cases, budget },
  )) as BenchReply[];
  await page.close();
  return replies.map((reply) => {
    if (reply.type === 'skipped') {
      log(`chromium ${reply.backend}: skipped (${reply.reason})`);
      return { name: `chromium ${reply.backend}`, results: {}, note: reply.reason };
    }
    log(`chromium ${reply.backend}: ${reply.results.map((r) => `${r.id} ${r.step.medianMs.toFixed(2)} ms`).join(', ')}`);
    const name = `chromium ${reply.backend}${reply.threads !== null ? ` (${reply.threads} thread${reply.threads === 1 ? '' : 's'})` : ''}`;
    return columnOf(name, reply.results, reply.surface);
  });
}

/** Cold start and main-thread health: the app trains a pair while its charts update. */
async function pageHealth(browser: Browser, baseUrl: string, smoke: boolean, distDir: string | null): Promise<BenchReport['page']> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const opened = Date.now();
  await page.goto(new URL('#v=1&preset=dense-explode&steps=100000', baseUrl).href);
  // The first step can be asked for once the run's worker has its backend.
  await page.waitForFunction(() => !['...', '', undefined].includes(document.querySelector('[data-testid=backend-clipped]')?.textContent ?? undefined), undefined, { timeout: 120_000 });
  await page.getByRole('button', { name: 'One step' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=step-clipped]')?.textContent === '1', undefined, { timeout: 120_000 });
  const coldStartMs = Date.now() - opened;
  // Watching starts once the page has loaded: the target is "no long task after load".
  // A string, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
  await page.evaluate(`
    window.longTasks = [];
    window.benchFrames = 0;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask' });
    (function tick() { window.benchFrames += 1; requestAnimationFrame(tick); })();
  `);
  const watchedMs = smoke ? 2_000 : 15_000;
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(watchedMs);
  const { longTasks, frames } = await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[]; benchFrames: number };
    return { longTasks: w.longTasks, frames: w.benchFrames };
  });
  await context.close();
  let firstJsGzipBytes = 0;
  if (distDir) {
    // What index.html loads before anything else: its module script and its preloads.
    const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
    for (const [, src] of html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)) firstJsGzipBytes += gzipSync(readFileSync(path.join(distDir, src))).length;
  }
  return { coldStartMs, firstJsGzipBytes, longestTaskMs: Math.max(0, ...longTasks), tasksOver50ms: longTasks.filter((d) => d > 50).length, framesPerSecond: frames / (watchedMs / 1000), watchedMs };
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const budget = options.smoke ? SMOKE_BUDGET : FULL_BUDGET;
  const cases = casesFor(options.smoke);
  const torch = torchColumn(cases, budget);
  log(`pytorch: ${'skipped' in torch ? torch.skipped : `torch ${torch.version}`}`);
  const columns = await nodeColumns(cases, budget, log);

  let server: { close: () => Promise<void> } | null = null;
  let baseUrl = options.baseUrl;
  let distDir: string | null = existsSync('dist/index.html') ? path.resolve('dist') : null;
  if (!baseUrl) {
    const vite = await import('vite');
    await import('./buildMnistAsset.ts');
    await vite.build({ logLevel: 'warn', build: options.unminified ? { minify: false } : {} });
    distDir = path.resolve('dist');
    // Cross-origin isolated, so SharedArrayBuffer exists and the WASM threads column can be tried at all.
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    const preview = await vite.preview({ preview: { port: 0, host: '127.0.0.1', headers }, logLevel: 'warn' });
    server = { close: () => preview.close() };
    baseUrl = preview.resolvedUrls?.local[0];
    if (!baseUrl) throw new Error('vite preview did not report a URL');
  }
  // WebGPU is behind a flag in headless Chromium here; with it, SwiftShader offers an adapter.
  const browser = options.browser ?? (await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] }));
  try {
    columns.push(...(await browserColumns(browser, baseUrl, cases, budget, log)));
    const page = await pageHealth(browser, baseUrl, options.smoke, distDir).catch((error: unknown) => ({ skipped: String(error) }));
    return {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, chromium: browser.version() },
      smoke: options.smoke,
      budget,
      cases: cases.map((c) => ({ id: c.id, label: c.label })),
      torch,
      columns,
      page,
    };
  } finally {
    if (!options.browser) await browser.close();
    await server?.close();
  }
}

function ms(t: Timing | undefined): string {
  if (!t) return '-';
  return `${t.medianMs < 10 ? t.medianMs.toFixed(2) : t.medianMs.toFixed(1)} (${t.p25Ms.toFixed(t.p25Ms < 10 ? 2 : 1)}-${t.p75Ms.toFixed(t.p75Ms < 10 ? 2 : 1)})`;
}

/** The report as the Markdown tables printed by the bench and kept in docs/PERFORMANCE.md. */
export function formatReport(report: BenchReport): string {
  const torch = 'results' in report.torch ? report.torch.results : null;
  const lines: string[] = [];
  lines.push(`Machine: ${report.machine.cpus} x ${report.machine.cpuModel}; Node ${report.machine.node}; Chromium ${report.machine.chromium ?? '-'}; ${report.date}${report.smoke ? ' (SMOKE RUN: too few steps to mean anything)' : ''}`);
  lines.push(`PyTorch: ${'results' in report.torch ? `${report.torch.version}, CPU, 1 thread` : report.torch.skipped}`);
  lines.push('');
  lines.push('ms per training step, median (25th-75th percentile), with clipping and every metric the lab streams; x = ratio to PyTorch');
  lines.push('');
  const measured = report.columns.filter((c) => Object.keys(c.results).length > 0);
  lines.push(`| step | PyTorch | ${measured.map((c) => c.name).join(' | ')} |`);
  lines.push(`|---|---|${measured.map(() => '---').join('|')}|`);
  for (const c of report.cases) {
    const base = torch?.[c.id];
    const cells = measured.map((col) => {
      const t = col.results[c.id];
      return t && base ? `${ms(t)} ${(t.medianMs / base.medianMs).toFixed(1)}x` : ms(t);
    });
    lines.push(`| ${c.label} | ${ms(base)} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push("Instrumentation: the lab's step / the bare step (gradients, clipping, update, loss only)");
  lines.push('');
  lines.push(`| step | ${measured.map((c) => c.name).join(' | ')} |`);
  lines.push(`|---|${measured.map(() => '---').join('|')}|`);
  for (const c of report.cases) {
    lines.push(`| ${c.label} | ${measured.map((col) => (col.results[c.id] && col.bare?.[c.id] ? `${(col.results[c.id].medianMs / col.bare[c.id].medianMs).toFixed(2)}` : '-')).join(' | ')} |`);
  }
  lines.push('');
  lines.push(`The cliff lesson's surface (${measured[0]?.surfaceMs?.side ?? '-'} x ${measured[0]?.surfaceMs?.side ?? '-'} cells, T = 50): ms until computed and read back, first time (kernels compile) / again`);
  lines.push('');
  for (const col of measured) if (col.surfaceMs) lines.push(`- ${col.name}: ${col.surfaceMs.firstMs.toFixed(0)} / ${col.surfaceMs.warmMs.toFixed(0)} ms`);
  const skipped = report.columns.filter((c) => c.note);
  if (skipped.length > 0) {
    lines.push('');
    for (const col of skipped) lines.push(`- ${col.name}: not measured (${col.note})`);
  }
  const leaks = measured.filter((c) => (c.leakedTensors ?? 0) !== 0);
  lines.push('');
  lines.push(leaks.length === 0 ? 'Tensor count after every measurement: back to where it started on every backend.' : `LEAKED TENSORS: ${leaks.map((c) => `${c.name} ${c.leakedTensors}`).join(', ')}`);
  lines.push('');
  if ('skipped' in report.page) lines.push(`Page health: not measured (${report.page.skipped})`);
  else {
    const p = report.page;
    lines.push(`Page: cold start to the first trained step ${p.coldStartMs} ms; first-load JavaScript ${(p.firstJsGzipBytes / 1024).toFixed(0)} KiB gzipped.`);
    lines.push(`While a dense pair trained for ${p.watchedMs / 1000} s with live charts: longest main-thread task ${p.longestTaskMs.toFixed(0)} ms, ${p.tasksOver50ms} tasks over 50 ms, ${p.framesPerSecond.toFixed(0)} frames per second.`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const at = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const out = at('--out') ?? 'bench-results/bench.json';
  const url = at('--url');
  if (args.includes('--page-only')) {
    // Only the page's main-thread health, against an app already served (quick, for chart work).
    if (!url) throw new Error('--page-only needs --url http://host:port/ of a served build (npm run build && npm run preview)');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    console.log(JSON.stringify(await pageHealth(browser, url, smoke, existsSync('dist/index.html') ? path.resolve('dist') : null)));
    await browser.close();
    return;
  }
  const report = await runBench({ smoke, baseUrl: url, unminified: args.includes('--unminified'), log: (line) => console.error(line) });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(formatReport(report));
  console.log(`\nJSON: ${out}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve('scripts/bench.ts')) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
