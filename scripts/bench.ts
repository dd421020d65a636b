/**
 * `npm run bench`: one run, on this machine, of every column side by side:
 * tfjs in Node (WASM, CPU), tfjs in headless Chromium workers (WebGL, WASM
 * with and without threads, CPU), and PyTorch on the CPU when python3 has
 * torch on an optimised BLAS. Prints a table of ms per step and kernels per
 * step with ratios to PyTorch, the price of the lab's instrumentation, the
 * cliff surface's time per backend, the page's main-thread health and Pause's
 * latency while a dense pair, then an LSTM pair, trains, and cold start; writes
 * it all as JSON.
 *
 *   npm run bench                 full run (about 15 minutes on 2 cores)
 *   npm run bench -- --smoke      a few steps of the small cases (the tests run this)
 *   --url http://host:port/       use an app already served there (no build)
 *   --out file.json               where the JSON goes (default bench-results/bench.json)
 *   --page-only --url URL         only the page's main-thread health: 15 s of a training pair, Pause clicked
 *                                 every 1.25 s; prints its lines and JSON (to --out only if given)
 *   --play-first --url URL [--before-url URL]  only Play-to-first-point of the dense pair (cold and warm visit),
 *                                 for a served build, or two side by side (scripts/playFirst.ts)
 *   --scenario dense|lstm|race|both|all  what the page section trains: a pair, the race of four, both pairs, or all
 *                                 three (default all)
 *   --unminified                  build without minifying (tfjs's threaded WASM starts only then)
 *   --soak [--minutes N] [--url URL]  a race of four on the dense net for N minutes (default 30): page heap, the
 *                                 workers' tensors and the history's writes at 1, 10 and 30 min, Pause p95
 *                                 (scripts/soak.ts)
 *   --node-only [--cases id,id]  only PyTorch and the Node columns (no build, no browser): the quick before/after
 *                                 of a kernel change (cases: dense, lstm32, lstm128x2, rnn128; default all)
 *     [--rounds N]                and N - 1 more rounds of PyTorch then node wasm, back to back: each round's ratio
 *                                 and the median (a shared machine's speed drifts over minutes)
 *     [--chromium URL [--backends wasm,cpu]]  and the same cases in a Chromium worker of the build served at URL, on
 *                                 those backends (default wasm)
 *   --unfused                     the recurrent layers on tfjs ops, not the fused kernels (the 'before' of issue 23)
 *   --sweep [--url URL]           only the sweep: the dense net's 8 x 8 (+ unclipped) x 400-step sweep timed in
 *                                 Node (gridSweep, batched, WASM) and on the sweep page in Chromium (its
 *                                 worker, WASM), side by side; then the one-at-a-time path on the page with one
 *                                 worker and with two (dense + Adam, 4 x 4 + unclipped, 200 steps)
 *   --lighthouse [--dist DIR | --url URL] [--runs N]
 *                                 only Lighthouse on the built page, desktop and mobile, 3 runs each, medians beside
 *                                 the targets (scripts/lighthouse.ts)
 *
 * PyTorch's column needs python3-torch and, for ratios, an optimised BLAS under it: Debian's torch
 * runs on whatever libblas.so.3 is, the reference BLAS unless libopenblas0-pthread is installed.
 * The bench detects which (scripts/torchBlas.ts) and refuses ratios against the reference one.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { chromium, type Browser } from 'playwright-core';
import {
  BENCH_CASES,
  FULL_BUDGET,
  SMOKE_BUDGET,
  casesFor,
  type BenchBudget,
  type BenchCase,
} from '../src/bench/cases.ts';
import { measureCase, measureSurface, summarise, type CaseResult, type Timing } from '../src/bench/measure.ts';
import { blasInfo, describeBlas, whyNotComparable, type BlasInfo, type TorchBlasProbe } from './torchBlas.ts';
import type { BenchBackend, BenchReply } from '../src/bench/bench.worker.ts';
import { startNodeBackend, type NodeBackend } from '../src/cli/nodeBackend.ts';
import { nodeDataLoader } from '../src/cli/nodeData.ts';
import { loadTrainingData } from '../src/train/data/trainingData.ts';
import { PRESETS } from '../src/experiment/presets.ts';
import { rangeValues, sweepCells } from '../src/experiment/sweep.ts';
import { fusedCells } from '../src/train/kernels/recurrentKernels.ts';
import { runGridSweep } from '../src/train/sweep/gridSweep.ts';
import { playFirstLines, playToFirstPoint, type PlayFirstPoint } from './playFirst.ts';

export interface BenchOptions {
  smoke: boolean;
  /** An app already served (the tests' preview server); otherwise the bench builds and serves one. */
  baseUrl?: string | undefined;
  browser?: Browser;
  log?: (line: string) => void;
  /** Build without minifying: tfjs's threaded WASM build starts only then (see docs/PERFORMANCE.md). */
  unminified?: boolean;
  /** The page section's scenarios (default: all, dense then LSTM). */
  scenarios?: PageScenarioId[];
}

interface Surface {
  firstMs: number;
  warmMs: number;
  side: number;
}

interface Column {
  name: string;
  results: Record<string, Timing>;
  bare?: Record<string, Timing>;
  /** Kernels one step launches, per case: the lab's step, and the bare step. */
  kernels?: Record<string, number>;
  bareKernels?: Record<string, number>;
  leakedTensors?: number;
  /** Whether the SIMD cell module ran on this column's backend (every case). */
  simdCells?: boolean;
  surfaceMs?: Surface;
  /** A Chromium worker's start-up: its imports (ms after it was created), then its backend. */
  startupMs?: { importMs: number; backendMs: number };
  note?: string;
}

/** PyTorch's column: measured on an optimised BLAS, or why not (with the BLAS found, when torch ran at all). */
export type TorchColumn =
  | { version: string; threads: number; blas: BlasInfo; results: Record<string, Timing> }
  | { skipped: string; blas?: BlasInfo };

export interface BenchReport {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; chromium: string | null };
  smoke: boolean;
  budget: BenchBudget;
  cases: { id: string; label: string }[];
  torch: TorchColumn;
  columns: Column[];
  page: PageHealth | { skipped: string };
  /** Play-to-first-point of the dense pair, cold and warm (scripts/playFirst.ts). */
  playFirst?: PlayFirstPoint | { skipped: string };
  /** `--node-only --rounds N`: PyTorch and node wasm again and again, for ratios taken back to back. */
  ratioRounds?: RatioRound[];
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const BENCH_CASES_IDS = BENCH_CASES.map((c) => c.id);
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const BROWSER_BACKENDS: BenchBackend[] = ['webgl', 'webgpu', 'wasm', 'wasm-threads', 'cpu'];

async function nodeColumns(
  cases: BenchCase[],
  budget: BenchBudget,
  log: (line: string) => void,
  backends: readonly NodeBackend[] = ['wasm', 'cpu'],
): Promise<Column[]> {
  const columns: Column[] = [];
  for (const backend of backends) {
    try {
      await startNodeBackend([backend]);
    } catch (error) {
      columns.push({ name: `node ${backend}`, results: {}, note: String(error) });
      continue;
    }
    const results: CaseResult[] = [];
    for (const benchCase of cases) {
      const data = await loadTrainingData(benchCase.config, nodeDataLoader);
      const result = await measureCase(benchCase, data, budget);
      results.push(result);
      log(`node ${backend} ${benchCase.id}: ${result.step.medianMs.toFixed(2)} ms/step, ${result.kernels} kernels`);
    }
    const surface = await measureSurface(budget.surfaceSide);
    const unfused = fusedCells.on(tf.getBackend()) ? '' : ' (unfused)';
    columns.push(columnOf(`node ${tf.getBackend()}${unfused}`, results, surface));
  }
  return columns;
}

function columnOf(name: string, results: CaseResult[], surface: Surface): Column {
  return {
    name,
    results: Object.fromEntries(results.map((r) => [r.id, r.step])),
    bare: Object.fromEntries(results.map((r) => [r.id, r.bare])),
    kernels: Object.fromEntries(results.map((r) => [r.id, r.kernels])),
    bareKernels: Object.fromEntries(results.map((r) => [r.id, r.bareKernels])),
    leakedTensors: results.reduce((n, r) => n + r.leakedTensors, 0),
    simdCells: results.length > 0 && results.every((r) => r.simdCells),
    surfaceMs: { firstMs: surface.firstMs, warmMs: surface.warmMs, side: surface.side },
  };
}

interface TorchOutput {
  torch: string;
  threads: number;
  blas: TorchBlasProbe;
  results?: Record<string, Timing>;
}

function runTorch(python: string, request: unknown): { out: TorchOutput } | { error: string } {
  const script = path.resolve('scripts/bench_torch.py');
  const run = spawnSync(python, [script], { input: JSON.stringify(request), encoding: 'utf8', timeout: 900_000 });
  if (run.status === 0) return { out: JSON.parse(run.stdout) as TorchOutput };
  const why = (run.stderr || String(run.error)).trim().split('\n').pop() ?? 'failed';
  return { error: `${python}: ${why}` };
}

/** Where Debian's libblas.so.3 points, for the message when it is the reference BLAS. */
function blasAlternative(): string {
  const query = spawnSync('update-alternatives', ['--query', 'libblas.so.3-x86_64-linux-gnu'], { encoding: 'utf8' });
  const value = /^Value: (.+)$/m.exec(query.stdout ?? '')?.[1];
  return value ? ` (update-alternatives: libblas.so.3 -> ${value})` : '';
}

/**
 * PyTorch on the CPU, one thread: first a probe of its BLAS, then, only on an optimised BLAS, the cases.
 * python3 with torch: Debian's python3-torch lives under /usr/bin/python3, which a pyenv shim may hide.
 */
function torchColumn(cases: BenchCase[], budget: BenchBudget, log: (line: string) => void): TorchColumn {
  const tried: string[] = [];
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = runTorch(python, { probe: true });
    if ('error' in probe) {
      tried.push(probe.error);
      continue;
    }
    const blas = blasInfo(probe.out.blas);
    log(`pytorch ${probe.out.torch}: ${describeBlas(blas)}`);
    const why = whyNotComparable(blas);
    if (why) return { skipped: `${why}${blas.kind === 'reference' ? blasAlternative() : ''}`, blas };
    const measured = runTorch(python, { budget, cases: cases.map((c) => ({ id: c.id, config: c.config })) });
    if ('error' in measured) return { skipped: `torch failed: ${measured.error}`, blas };
    const { torch, threads, results } = measured.out;
    return { version: torch, threads, blas, results: results ?? {} };
  }
  const fix = 'apt-get install python3-torch libopenblas0-pthread adds it';
  return { skipped: `no python3 with torch (${tried.join('; ')}); ${fix}` };
}

async function browserColumns(
  browser: Browser,
  baseUrl: string,
  cases: BenchCase[],
  budget: BenchBudget,
  log: (line: string) => void,
  backends: BenchBackend[] = BROWSER_BACKENDS,
): Promise<Column[]> {
  const page = await browser.newPage();
  await page.goto(new URL('src/bench/bench.html', baseUrl).href);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  type BenchWindow = { gradientLabBench: { run: (r: unknown) => Promise<unknown> } };
  const replies = (await page.evaluate((request) => (window as unknown as BenchWindow).gradientLabBench.run(request), {
    backends,
    cases,
    budget,
  })) as BenchReply[];
  await page.close();
  return replies.map((reply) => {
    if (reply.type === 'skipped') {
      log(`chromium ${reply.backend}: skipped (${reply.reason})`);
      return { name: `chromium ${reply.backend}`, results: {}, note: reply.reason };
    }
    const times = reply.results.map((r) => `${r.id} ${r.step.medianMs.toFixed(2)} ms, ${r.kernels} kernels`);
    log(`chromium ${reply.backend}: ${times.join('; ')}`);
    const threads = reply.threads === null ? '' : ` (${reply.threads} thread${reply.threads === 1 ? '' : 's'})`;
    const name = `chromium ${reply.backend}${threads}`;
    return { ...columnOf(name, reply.results, reply.surface), startupMs: reply.startup };
  });
}

/** The page's scenarios: runs that train flat out while the page draws their charts. */
export const PAGE_SCENARIOS = {
  dense: { label: 'a dense pair', hash: '#v=1&preset=dense-explode&steps=100000' },
  // Lesson 3's race, four dense runs at once: the most series and chart lines a page draws.
  race: {
    label: 'a race of four (dense)',
    hash: '#v=1&preset=dense-explode&steps=100000&run3=norm:1&run4=global:1',
  },
  // The preset's LSTM 1x32, batch 32, on fewer digits so that its data loads fast.
  lstm: {
    label: 'an LSTM pair (1x32, batch 32)',
    hash: '#v=1&preset=lstm-tf&steps=100000&trainSize=2000&testSize=500',
  },
} as const;
export type PageScenarioId = keyof typeof PAGE_SCENARIOS;
export const PAGE_SCENARIO_IDS = Object.keys(PAGE_SCENARIOS) as PageScenarioId[];
/** What `--scenario both` (and the smoke run) trains: the two pairs. */
const PAIR_SCENARIOS: PageScenarioId[] = ['dense', 'lstm'];

/** How long each scenario is watched, and how often Pause is clicked during it. */
export interface PageWindow {
  watchedMs: number;
  pauseEveryMs: number;
}
const PAGE_WINDOW: PageWindow = { watchedMs: 15_000, pauseEveryMs: 1_250 };
// Long enough for at least two Pause clicks on a loaded machine (2 s gave the LSTM one click in a full browser run).
const SMOKE_PAGE_WINDOW: PageWindow = { watchedMs: 4_000, pauseEveryMs: 800 };

/**
 * Pause's latency: from the click's input event to the paint that shows the lab paused (the toolbar's Play).
 * Each click is timed twice. Chromium's Event Timing gives the click's duration: from its event.timeStamp to
 * the next frame presented after its handlers ran (React renders Play within them), in 8 ms steps, but only
 * for clicks of 16 ms or more. The page's own clock gives the time from event.timeStamp until a message
 * posted in the first animation frame that shows Play is handled: after that frame's paint, and after any
 * task queued before the message (an upper bound). A sample is Event Timing's figure, or the page's for a
 * click Event Timing did not report.
 */
interface PauseLatency {
  samplesMs: number[];
  p95Ms: number;
  maxMs: number;
  /** Per click: Event Timing's duration, or null for one it did not report (under 16 ms). */
  eventTimingMs: (number | null)[];
  /** Per click: the page's own figure. */
  frameMs: number[];
}

interface PageScenarioHealth {
  id: PageScenarioId;
  label: string;
  /** From opening the page to the first step trained (One step). */
  coldStartMs: number;
  longestTaskMs: number;
  tasksOver50ms: number;
  /** Each task over 50 ms: when it started (ms after Play) and how long it took, to tell a start-up from a steady cost. */
  longTasksOver50: { atMs: number; ms: number }[];
  framesPerSecond: number;
  watchedMs: number;
  /** Steps the clipped run trained in the window: the pair kept training between the clicks. */
  stepsTrained: number;
  pause: PauseLatency;
}

interface PageHealth {
  firstJsGzipBytes: number;
  scenarios: (PageScenarioHealth | { id: PageScenarioId; label: string; skipped: string })[];
}

/** The nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] as number;
}

/**
 * What the page records while it is watched, installed once it has loaded: long tasks, frames, and for every
 * click on Pause, the time from the click's event.timeStamp to the end of the first frame in which the
 * toolbar shows Play again (a message posted from that frame's requestAnimationFrame runs after the frame
 * is painted), beside Chromium's own Event Timing entry for the click. `benchReset()` starts the window.
 * A string, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
 */
export const PAGE_PROBE = `
  window.benchLongTasks = [];
  window.benchFrames = 0;
  window.benchPauses = [];
  window.benchClicks = [];
  window.benchReset = () => {
    window.benchLongTasks = [];
    window.benchFrames = 0;
    window.benchPauses = [];
    window.benchClicks = [];
    window.benchStart = performance.now();
  };
  new PerformanceObserver((list) =>
    list.getEntries().forEach((e) => window.benchLongTasks.push({ start: e.startTime, duration: e.duration })),
  ).observe({ type: 'longtask' });
  new PerformanceObserver((list) =>
    list.getEntries().forEach((e) => {
      if (e.name === 'click') window.benchClicks.push({ start: e.startTime, duration: e.duration });
    }),
  ).observe({ type: 'event', durationThreshold: 16 });
  (function tick() { window.benchFrames += 1; requestAnimationFrame(tick); })();
  const primary = () => document.querySelector('[role=toolbar] button.primary');
  document.addEventListener('click', (event) => {
    if (primary()?.textContent?.trim() !== 'Pause' || !primary().contains(event.target)) return;
    const clickAt = event.timeStamp;
    const frame = () => {
      if (primary()?.textContent?.trim() !== 'Play') return requestAnimationFrame(frame);
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        window.benchPauses.push({ start: clickAt, ms: performance.now() - clickAt });
        // Play again at once, so that the pair is paused only for as long as Pause took to show.
        if (primary()?.textContent?.trim() === 'Play') primary().click();
      };
      channel.port2.postMessage(0);
    };
    requestAnimationFrame(frame);
  }, true);
`;

interface ProbeReadout {
  elapsedMs: number;
  /** performance.now() at Play (benchReset). */
  startedAt: number;
  frames: number;
  longTasks: { start: number; duration: number }[];
  pauses: { start: number; ms: number }[];
  clicks: { start: number; duration: number }[];
}

/** One scenario: open the page, train one step (cold start), then train flat out, clicking Pause now and then. */
async function pageScenario(
  browser: Browser,
  baseUrl: string,
  id: PageScenarioId,
  span: PageWindow,
): Promise<PageScenarioHealth> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    const opened = Date.now();
    await page.goto(new URL(PAGE_SCENARIOS[id].hash, baseUrl).href);
    // The first step can be asked for once the run's worker has its backend.
    // Functions the page runs are sent as source: they may not call anything defined out here.
    await page.waitForFunction(
      () =>
        !['...', '', undefined].includes(
          document.querySelector('[data-testid=backend-clipped]')?.textContent ?? undefined,
        ),
      undefined,
      { timeout: 120_000 },
    );
    await page.getByRole('button', { name: 'One step' }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=step-clipped]')?.textContent === '1',
      undefined,
      { timeout: 120_000 },
    );
    const coldStartMs = Date.now() - opened;
    // Watching starts once the page has loaded: the target is "no long task after load".
    await page.evaluate(PAGE_PROBE);
    await page.evaluate('window.benchReset()');
    const started = Date.now();
    const toolbar = page.getByRole('toolbar', { name: 'Training' });
    await toolbar.getByRole('button', { name: 'Play' }).click();
    // Pause in the middle of every period (the page plays again once the paused state is painted). The
    // clicks keep to their schedule; one that comes late is followed by the next 200 ms after it.
    let clicked = 0;
    for (let due = started + span.pauseEveryMs / 2; due <= started + span.watchedMs - 500;) {
      await page.waitForTimeout(Math.max(0, due - Date.now()));
      await toolbar.getByRole('button', { name: 'Pause' }).click();
      clicked += 1;
      // A function, not a string: the page's Content-Security-Policy forbids eval, which a string predicate needs.
      await page.waitForFunction(
        (n) => (window as unknown as { benchPauses: unknown[] }).benchPauses.length >= n,
        clicked,
        {
          timeout: 30_000,
        },
      );
      due = Math.max(due + span.pauseEveryMs, Date.now() + 200);
    }
    await page.waitForTimeout(Math.max(0, started + span.watchedMs - Date.now()));
    const first = (await page.evaluate(`({
      elapsedMs: performance.now() - window.benchStart,
      startedAt: window.benchStart,
      step: Number(document.querySelector('[data-testid=step-clipped]')?.textContent),
      frames: window.benchFrames,
      longTasks: window.benchLongTasks,
      pauses: window.benchPauses,
    })`)) as Omit<ProbeReadout, 'clicks'> & { step: number };
    // Event Timing entries arrive after their frame is presented: give the last one a moment.
    await page.waitForTimeout(300);
    const { clicks } = (await page.evaluate('({ clicks: window.benchClicks })')) as Pick<ProbeReadout, 'clicks'>;
    const frameMs = first.pauses.map((p) => p.ms);
    const eventTimingMs = first.pauses.map(
      (p) => clicks.find((c) => Math.abs(c.start - p.start) < 1)?.duration ?? null,
    );
    const samplesMs = eventTimingMs.map((d, i) => d ?? (frameMs[i] as number));
    const longTasks = first.longTasks.map((t) => t.duration);
    return {
      id,
      label: PAGE_SCENARIOS[id].label,
      coldStartMs,
      longestTaskMs: Math.max(0, ...longTasks),
      tasksOver50ms: longTasks.filter((d) => d > 50).length,
      longTasksOver50: first.longTasks
        .filter((t) => t.duration > 50)
        .map((t) => ({ atMs: Math.round(t.start - first.startedAt), ms: Math.round(t.duration) })),
      framesPerSecond: first.frames / (first.elapsedMs / 1000),
      watchedMs: first.elapsedMs,
      stepsTrained: first.step - 1,
      pause: {
        samplesMs,
        p95Ms: percentile(samplesMs, 95),
        maxMs: Math.max(...samplesMs),
        eventTimingMs,
        frameMs,
      },
    };
  } finally {
    await context.close();
  }
}

/**
 * What index.html loads before anything else, gzipped: its module script and its preloads (Vite preloads every chunk
 * the entry imports statically), fetched from the served build itself, whichever build that is.
 */
async function firstLoadGzipBytes(baseUrl: string): Promise<number> {
  const html = await (await fetch(baseUrl)).text();
  let bytes = 0;
  // `./assets/...` since the build is relative (base './'); `/assets/...` from a build with an absolute base.
  for (const [, src] of html.matchAll(/(?:src|href)="((?:\.?\/)?assets\/[^"]+\.js)"/g)) {
    if (src) bytes += gzipSync(Buffer.from(await (await fetch(new URL(src, baseUrl))).arrayBuffer())).length;
  }
  return bytes;
}

/** Cold start and main-thread health: the app trains a pair while its charts update, once per scenario. */
async function pageHealth(
  browser: Browser,
  baseUrl: string,
  smoke: boolean,
  scenarios: PageScenarioId[] = smoke ? PAIR_SCENARIOS : PAGE_SCENARIO_IDS,
  log: (line: string) => void = () => {},
): Promise<PageHealth> {
  const measured: PageHealth['scenarios'] = [];
  for (const id of scenarios) {
    const health = await pageScenario(browser, baseUrl, id, smoke ? SMOKE_PAGE_WINDOW : PAGE_WINDOW).catch(
      (error: unknown) => ({ id, label: PAGE_SCENARIOS[id].label, skipped: String(error) }),
    );
    measured.push(health);
    log(pageLines({ firstJsGzipBytes: 0, scenarios: [health] }).at(-1) ?? '');
  }
  const firstJsGzipBytes = await firstLoadGzipBytes(baseUrl);
  return { firstJsGzipBytes, scenarios: measured };
}

/** The page section's lines: cold start and first-load size, then one line per scenario. */
export function pageLines(page: PageHealth): string[] {
  const lines: string[] = [];
  const kib = (page.firstJsGzipBytes / 1024).toFixed(0);
  const dense = page.scenarios.find((s) => s.id === 'dense');
  if (dense && 'coldStartMs' in dense)
    lines.push(
      `Page: cold start to the first trained step ${dense.coldStartMs} ms; first-load JavaScript ${kib} KiB gzipped.`,
    );
  else lines.push(`Page: first-load JavaScript ${kib} KiB gzipped.`);
  for (const s of page.scenarios) {
    if ('skipped' in s) {
      lines.push(`While ${s.label} trained: not measured (${s.skipped})`);
      continue;
    }
    const clicks = s.pause.samplesMs.length;
    const timed = s.pause.eventTimingMs.filter((d) => d !== null).length;
    const cold = s.id === 'dense' ? '' : ` (cold start ${s.coldStartMs} ms)`;
    lines.push(
      `While ${s.label} trained for ${(s.watchedMs / 1000).toFixed(0)} s with live charts${cold}: ` +
        `longest main-thread task ${s.longestTaskMs.toFixed(0)} ms, ${s.tasksOver50ms} tasks over 50 ms, ` +
        `${s.framesPerSecond.toFixed(0)} frames per second; Pause painted within ${s.pause.p95Ms.toFixed(0)} ms ` +
        `(95th percentile), ${s.pause.maxMs.toFixed(0)} ms at most, over ${clicks} clicks ` +
        `(${timed} timed by Event Timing, ${clicks - timed} under its 16 ms threshold by the page's frames).`,
    );
  }
  return lines;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const budget = options.smoke ? SMOKE_BUDGET : FULL_BUDGET;
  const cases = casesFor(options.smoke);
  const torch = torchColumn(cases, budget, log);
  log(`pytorch: ${'skipped' in torch ? torch.skipped : `torch ${torch.version} on ${torch.blas.name}`}`);
  const columns = await nodeColumns(cases, budget, log);

  let server: { close: () => Promise<void> } | null = null;
  let baseUrl = options.baseUrl;
  if (!baseUrl) {
    const vite = await import('vite');
    await import('./buildMnistAsset.ts');
    await vite.build({ logLevel: 'warn', build: options.unminified ? { minify: false } : {} });
    // Cross-origin isolated, so SharedArrayBuffer exists and the WASM threads column can be tried at all.
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    const preview = await vite.preview({ preview: { port: 0, host: '127.0.0.1', headers }, logLevel: 'warn' });
    server = { close: () => preview.close() };
    baseUrl = preview.resolvedUrls?.local[0];
    if (!baseUrl) throw new Error('vite preview did not report a URL');
  }
  // WebGPU is behind a flag in headless Chromium here; with it, SwiftShader offers an adapter.
  const browser =
    options.browser ??
    (await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] }));
  try {
    columns.push(...(await browserColumns(browser, baseUrl, cases, budget, log)));
    const page = await pageHealth(browser, baseUrl, options.smoke, options.scenarios, log).catch((error: unknown) => ({
      skipped: String(error),
    }));
    const playFirst = await browserPlayFirst(browser, baseUrl, log);
    const cpuModel = cpus()[0]?.model ?? 'unknown';
    return {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel, node: process.version, chromium: browser.version() },
      smoke: options.smoke,
      budget,
      cases: cases.map((c) => ({ id: c.id, label: c.label })),
      torch,
      columns,
      page,
      playFirst,
    };
  } finally {
    if (!options.browser) await browser.close();
    await server?.close();
  }
}

/** `--node-only`: PyTorch and the Node columns, no build and no browser (a kernel change's before/after). */
async function nodeOnlyBench(
  smoke: boolean,
  cases: BenchCase[],
  log: (line: string) => void,
  withChromium: { url: string; backends: BenchBackend[] } | null = null,
  rounds = 1,
): Promise<BenchReport> {
  const budget = smoke ? SMOKE_BUDGET : FULL_BUDGET;
  const torch = torchColumn(cases, budget, log);
  const columns = await nodeColumns(cases, budget, log);
  const ratioRounds: RatioRound[] = [];
  const wasmColumn = columns.find((c) => c.name === 'node wasm');
  if ('results' in torch && wasmColumn) {
    ratioRounds.push(roundOf(torch.results, wasmColumn.results));
    for (let round = 2; round <= rounds; round++) {
      log(`round ${round} of ${rounds}: PyTorch, then node wasm`);
      const again = torchColumn(cases, budget, log);
      const [wasm] = await nodeColumns(cases, budget, log, ['wasm']);
      if ('results' in again && wasm) ratioRounds.push(roundOf(again.results, wasm.results));
    }
  }
  let chromiumVersion: string | null = null;
  if (withChromium) {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      chromiumVersion = browser.version();
      columns.push(...(await browserColumns(browser, withChromium.url, cases, budget, log, withChromium.backends)));
    } finally {
      await browser.close();
    }
  }
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel, node: process.version, chromium: chromiumVersion },
    smoke,
    budget,
    cases: cases.map((c) => ({ id: c.id, label: c.label })),
    torch,
    columns,
    page: { skipped: '--node-only' },
    ...(rounds > 1 ? { ratioRounds } : {}),
  };
}

/** One round of `--node-only --rounds N`: each case's median ms per step on PyTorch and on node wasm, back to back. */
export interface RatioRound {
  torch: Record<string, number>;
  node: Record<string, number>;
}

function roundOf(torch: Record<string, Timing>, node: Record<string, Timing>): RatioRound {
  const medians = (timings: Record<string, Timing>) =>
    Object.fromEntries(Object.entries(timings).map(([id, t]) => [id, t.medianMs]));
  return { torch: medians(torch), node: medians(node) };
}

/**
 * Each case's ratio to PyTorch round by round, and the median ratio. A round measures PyTorch and then node wasm
 * within a minute or two, so a machine whose speed drifts over minutes (a shared host's) moves both sides of a
 * round's ratio together; the single table above compares PyTorch's column with columns measured minutes later.
 */
export function formatRounds(cases: { id: string; label: string }[], rounds: readonly RatioRound[]): string[] {
  if (rounds.length === 0) return [];
  const header = `| step | ${rounds.map((_, i) => `round ${i + 1}`).join(' | ')} | median ratio |`;
  const lines = [
    `Ratio to PyTorch, node wasm, in each of ${rounds.length} rounds (PyTorch, then node wasm, back to back): ms per step`,
    '',
    header,
    `|---|${rounds.map(() => '---|').join('')}---|`,
  ];
  for (const { id, label } of cases) {
    const cells: string[] = [];
    const ratios: number[] = [];
    for (const round of rounds) {
      const [node, torch] = [round.node[id], round.torch[id]];
      if (node === undefined || torch === undefined || !(torch > 0)) {
        cells.push('-');
        continue;
      }
      ratios.push(node / torch);
      cells.push(`${fixed(node)} / ${fixed(torch)} = ${(node / torch).toFixed(2)}x`);
    }
    const median = ratios.length > 0 ? `${summarise(ratios).medianMs.toFixed(2)}x` : '-';
    lines.push(`| ${label} | ${cells.join(' | ')} | ${median} |`);
  }
  return lines;
}

function fixed(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function ms(t: Timing | undefined): string {
  if (!t) return '-';
  return `${fixed(t.medianMs)} (${fixed(t.p25Ms)}-${fixed(t.p75Ms)})`;
}

/** The first line about PyTorch: its version, threads and BLAS, or why it is not in the table. */
function torchLine(torch: TorchColumn): string {
  if ('results' in torch) {
    const threads = `${torch.threads} thread${torch.threads === 1 ? '' : 's'}`;
    return `PyTorch: ${torch.version}, CPU, ${threads}, on ${describeBlas(torch.blas)}`;
  }
  return `PyTorch: not compared. ${torch.skipped}`;
}

/** The report as the Markdown tables printed by the bench and kept in docs/PERFORMANCE.md. */
export function formatReport(report: BenchReport): string {
  const torch = 'results' in report.torch ? report.torch.results : null;
  const lines: string[] = [];
  const m = report.machine;
  const smoke = report.smoke ? ' (SMOKE RUN: too few steps to mean anything)' : '';
  lines.push(
    `Machine: ${m.cpus} x ${m.cpuModel}; Node ${m.node}; Chromium ${m.chromium ?? '-'}; ${report.date}${smoke}`,
  );
  lines.push(torchLine(report.torch));
  lines.push('');
  lines.push(
    'ms per training step, median (25th-75th percentile), with clipping and every metric the lab streams' +
      `${torch ? '; x = ratio to PyTorch' : ''}; kernels = tfjs kernels one step launches (tf.profile)`,
  );
  lines.push('');
  const measured = report.columns.filter((c) => Object.keys(c.results).length > 0);
  const torchHeader = torch && 'blas' in report.torch ? [`PyTorch (${report.torch.blas?.name ?? '?'})`] : [];
  const header = ['step', ...torchHeader, ...measured.map((c) => c.name)];
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map(() => '---').join('|')}|`);
  for (const c of report.cases) {
    const base = torch?.[c.id];
    const cells = measured.map((col) => {
      const t = col.results[c.id];
      if (!t) return '-';
      const ratio = base ? ` ${(t.medianMs / base.medianMs).toFixed(1)}x` : '';
      const kernels = col.kernels?.[c.id];
      return `${ms(t)}${ratio}${kernels === undefined ? '' : `, ${kernels} kernels`}`;
    });
    lines.push(`| ${[c.label, ...(torch ? [ms(base)] : []), ...cells].join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    "Instrumentation: the lab's step / the bare step (gradients, clipping, update, loss only), time and kernels",
  );
  lines.push('');
  lines.push(`| step | ${measured.map((c) => c.name).join(' | ')} |`);
  lines.push(`|---|${measured.map(() => '---').join('|')}|`);
  for (const c of report.cases) {
    const cells = measured.map((col) => {
      const lab = col.results[c.id];
      const bare = col.bare?.[c.id];
      if (!lab || !bare) return '-';
      const k = col.kernels?.[c.id];
      const bk = col.bareKernels?.[c.id];
      const counts = k !== undefined && bk !== undefined ? ` (${k} / ${bk})` : '';
      return `${(lab.medianMs / bare.medianMs).toFixed(2)}${counts}`;
    });
    lines.push(`| ${c.label} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  const side = measured[0]?.surfaceMs?.side ?? '-';
  lines.push(
    `The cliff lesson's surface (${side} x ${side} cells, T = 50): ms until computed and read back, ` +
      'first time (kernels compile) / again',
  );
  lines.push('');
  for (const col of measured) {
    if (col.surfaceMs)
      lines.push(`- ${col.name}: ${col.surfaceMs.firstMs.toFixed(0)} / ${col.surfaceMs.warmMs.toFixed(0)} ms`);
  }
  lines.push(...startupLines(measured));
  const skipped = report.columns.filter((c) => c.note);
  if (skipped.length > 0) {
    lines.push('');
    for (const col of skipped) lines.push(`- ${col.name}: not measured (${col.note})`);
  }
  lines.push(
    '',
    `SIMD cell module (tanh and the RNN's passes in WASM SIMD): ${measured
      .map((c) => `${c.name} ${c.simdCells ? 'on' : 'off'}`)
      .join(', ')}`,
  );
  const leaks = measured.filter((c) => (c.leakedTensors ?? 0) !== 0);
  lines.push('');
  lines.push(
    leaks.length === 0
      ? 'Tensor count after every measurement: back to where it started on every backend.'
      : `LEAKED TENSORS: ${leaks.map((c) => `${c.name} ${c.leakedTensors}`).join(', ')}`,
  );
  lines.push('');
  if ('skipped' in report.page) lines.push(`Page health: not measured (${report.page.skipped})`);
  else lines.push(...pageLines(report.page));
  if (report.playFirst) lines.push('', ...playFirstLines([{ name: 'this build', result: report.playFirst }]));
  return lines.join('\n');
}

/** Each Chromium worker's start-up, in the order the bench created them (the first met a cold HTTP cache). */
function startupLines(columns: Column[]): string[] {
  const started = columns.filter((c) => c.startupMs);
  if (started.length === 0) return [];
  const lines = ['', 'Chromium worker start-up: imports (tfjs and the training core) done / backend started, ms'];
  for (const c of started) {
    const s = c.startupMs as { importMs: number; backendMs: number };
    lines.push(`- ${c.name}: ${s.importMs.toFixed(0)} / ${s.backendMs.toFixed(0)} ms`);
  }
  return lines;
}

/** The browser's Play-to-first-point for the served app (a failure is reported, not thrown). */
async function browserPlayFirst(
  browser: Browser,
  baseUrl: string,
  log: (line: string) => void,
): Promise<PlayFirstPoint | { skipped: string }> {
  const result = await playToFirstPoint(browser, baseUrl).catch((error: unknown) => ({ skipped: String(error) }));
  log(
    playFirstLines([{ name: 'this build', result }])
      .slice(4, 6)
      .join('\n'),
  );
  return result;
}

/** `--play-first --url AFTER [--before-url BEFORE]`: Play-to-first-point of served builds, side by side. */
async function playFirstMain(url: string | undefined, beforeUrl: string | undefined): Promise<void> {
  if (!url)
    throw new Error('--play-first needs --url http://host:port/ of a served build (and --before-url to compare)');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const builds: { name: string; result: PlayFirstPoint | { skipped: string } }[] = [];
    // The earlier build first: the later one then meets a machine no colder than the first did.
    if (beforeUrl)
      builds.push({ name: `before (${beforeUrl})`, result: await browserPlayFirst(browser, beforeUrl, () => {}) });
    builds.push({ name: `after (${url})`, result: await browserPlayFirst(browser, url, () => {}) });
    console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}; Chromium ${browser.version()}`);
    console.log(playFirstLines(builds).join('\n'));
    console.log(JSON.stringify(builds));
  } finally {
    await browser.close();
  }
}

/** The benchmark sweep: the tutorial's dense net, 8 learning rates x 8 thresholds + the unclipped column, 400 steps. */
export const SWEEP_BENCH = { lr: '0.001:0.3:8', clip: '0.1:10:8', steps: 400 } as const;

function sweepHash(lr: string, clip: string, steps: number, extra = ''): string {
  return `#v=1&preset=dense-explode${extra}&page=sweep&sweepLr=${lr}&sweepClip=${clip}&sweepSteps=${steps}`;
}

/** A sweep on the app's sweep page, timed by the page itself (worker start and data included); ms. */
async function pageSweepMs(browser: Browser, baseUrl: string, hash: string, cores: number | null): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  try {
    const page = await context.newPage();
    // The page runs as many one-at-a-time workers as it has cores (up to two): pretend to have fewer.
    if (cores !== null)
      await page.addInitScript((n) => Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => n }), cores);
    await page.goto(new URL(hash, baseUrl).href);
    await page.getByTestId('sweep-run').click();
    const status = page.getByTestId('sweep-status');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=sweep-status]')?.getAttribute('data-phase') !== 'running',
      undefined,
      { timeout: 600_000 },
    );
    if ((await status.getAttribute('data-phase')) !== 'finished')
      throw new Error(`the sweep did not finish: ${await status.textContent()}`);
    return Number(await status.getAttribute('data-elapsed-ms'));
  } finally {
    await context.close();
  }
}

/** `--sweep`: the sweep's timings in Node and in Chromium, side by side. */
async function sweepBench(url: string | undefined, log: (line: string) => void): Promise<string[]> {
  const config = { ...PRESETS['dense-explode'].config };
  const grid = (text: string) => {
    const [from = 0, to = 0, count = 0] = text.split(':').map(Number);
    return rangeValues({ from, to, count });
  };
  const cells = sweepCells(grid(SWEEP_BENCH.lr), grid(SWEEP_BENCH.clip));
  const label = `8 x 8 + unclipped = ${cells.length} cells x ${SWEEP_BENCH.steps} steps, dense net, SGD, batched`;
  const lines = [`Sweep: ${label}`, '', '| where | backend | seconds |', '|---|---|---|'];
  // WASM only: the CLI's choice for this model (CPU takes minutes).
  for (const backend of ['wasm'] as NodeBackend[]) {
    await startNodeBackend([backend]);
    const data = await loadTrainingData(config, nodeDataLoader);
    const started = performance.now();
    await runGridSweep(config, data, cells, SWEEP_BENCH.steps);
    const seconds = (performance.now() - started) / 1000;
    log(`node ${backend}: ${seconds.toFixed(1)} s`);
    lines.push(`| Node (gridSweep) | ${backend} | ${seconds.toFixed(1)} |`);
  }
  let server: { close: () => Promise<void> } | null = null;
  let baseUrl = url;
  if (!baseUrl) {
    const vite = await import('vite');
    await import('./buildMnistAsset.ts');
    await vite.build({ logLevel: 'warn' });
    const preview = await vite.preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    server = { close: () => preview.close() };
    baseUrl = preview.resolvedUrls?.local[0];
    if (!baseUrl) throw new Error('vite preview did not report a URL');
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const ms = await pageSweepMs(
      browser,
      baseUrl,
      sweepHash(SWEEP_BENCH.lr, SWEEP_BENCH.clip, SWEEP_BENCH.steps),
      null,
    );
    log(`chromium sweep page: ${(ms / 1000).toFixed(1)} s`);
    lines.push(`| Chromium ${browser.version()} (sweep page, its worker) | wasm | ${(ms / 1000).toFixed(1)} |`);
    lines.push('', 'One at a time (dense net + Adam, 4 x 4 + unclipped = 20 cells x 200 steps) on the sweep page:', '');
    lines.push('| workers | seconds |', '|---|---|');
    for (const cores of [1, 2]) {
      const oneAtATime = await pageSweepMs(
        browser,
        baseUrl,
        sweepHash('0.001:0.1:4', '0.1:10:4', 200, '&optimizer=adam'),
        cores,
      );
      log(`chromium one at a time, ${cores} worker(s): ${(oneAtATime / 1000).toFixed(1)} s`);
      lines.push(`| ${cores} | ${(oneAtATime / 1000).toFixed(1)} |`);
    }
  } finally {
    await browser.close();
    await server?.close();
  }
  return lines;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const at = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const out = at('--out') ?? 'bench-results/bench.json';
  if (args.includes('--unfused')) fusedCells.on = () => false;
  const url = at('--url');
  const scenario = at('--scenario') ?? 'all';
  if (scenario !== 'both' && scenario !== 'all' && !(PAGE_SCENARIO_IDS as string[]).includes(scenario))
    throw new Error(`--scenario ${scenario}: allowed: ${PAGE_SCENARIO_IDS.join(', ')}, both, all`);
  const scenarios =
    scenario === 'all' ? PAGE_SCENARIO_IDS : scenario === 'both' ? PAIR_SCENARIOS : [scenario as PageScenarioId];
  if (args.includes('--soak')) {
    const { soakMain } = await import('./soak.ts');
    await soakMain(args);
    return;
  }
  if (args.includes('--lighthouse')) {
    const { lighthouseBench } = await import('./lighthouse.ts');
    console.log((await lighthouseBench(args, (line) => console.error(line))).join('\n'));
    return;
  }
  if (args.includes('--sweep')) {
    console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}; Node ${process.version}`);
    console.log((await sweepBench(url, (line) => console.error(line))).join('\n'));
    return;
  }
  if (args.includes('--play-first')) {
    await playFirstMain(url, at('--before-url'));
    return;
  }
  if (args.includes('--lesson-walls')) {
    if (!url) throw new Error('--lesson-walls needs --url http://host:port/ of a served build (and --before-url)');
    const { lessonWalls } = await import('./lessonWalls.ts');
    const before = at('--before-url');
    const builds = [...(before ? [{ name: `before (${before})`, url: before }] : []), { name: `after (${url})`, url }];
    const only = at('--lessons')?.split(',').map(Number);
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}; Chromium ${browser.version()}`);
      console.log((await lessonWalls(browser, builds, (line) => console.error(line), only)).join('\n'));
    } finally {
      await browser.close();
    }
    return;
  }
  if (args.includes('--page-only')) {
    // Only the page's main-thread health, against an app already served (quick, for chart work).
    if (!url)
      throw new Error('--page-only needs --url http://host:port/ of a served build (npm run build && npm run preview)');
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await pageHealth(browser, url, smoke, scenarios, (line) => console.error(line));
    await browser.close();
    console.log(pageLines(page).join('\n'));
    console.log(JSON.stringify(page));
    if (at('--out')) writeFileSync(out, JSON.stringify(page, null, 2));
    return;
  }
  if (args.includes('--node-only')) {
    const wanted = at('--cases')?.split(',');
    const cases = casesFor(smoke).filter((c) => !wanted || wanted.includes(c.id));
    if (cases.length === 0) throw new Error(`--cases ${at('--cases')}: allowed: ${BENCH_CASES_IDS.join(', ')}`);
    const backends = (at('--backends')?.split(',') ?? ['wasm']) as BenchBackend[];
    const unknown = backends.filter((b) => !BROWSER_BACKENDS.includes(b));
    if (unknown.length > 0) throw new Error(`--backends ${unknown.join(',')}: allowed: ${BROWSER_BACKENDS.join(', ')}`);
    const withChromium = at('--chromium') ? { url: at('--chromium') ?? '', backends } : null;
    const rounds = Number(at('--rounds') ?? 1);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9) throw new Error(`--rounds ${at('--rounds')}: 1 to 9`);
    const report = await nodeOnlyBench(smoke, cases, (line) => console.error(line), withChromium, rounds);
    console.log(formatReport(report));
    if (report.ratioRounds) console.log(['', ...formatRounds(report.cases, report.ratioRounds)].join('\n'));
    return;
  }
  const unminified = args.includes('--unminified');
  const report = await runBench({ smoke, baseUrl: url, unminified, scenarios, log: (line) => console.error(line) });
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
