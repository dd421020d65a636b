/**
 * `npm run bench -- --lighthouse`: Lighthouse (the pinned devDependency) on the production build, served by a
 * plain static server (scripts/staticServer.ts), in Debian's Chromium: three runs with `--preset=desktop` and
 * three with Lighthouse's default mobile profile; prints the median of each figure beside its target.
 *
 *   --dist DIR      serve this build instead of building dist/ first
 *   --url URL       measure a page already served there (no build, no server)
 *   --runs N        runs per profile (default 3)
 *
 * Not a test: scores on a shared machine move by a few points from run to run, hence the median of three.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from './staticServer.ts';

type Profile = 'desktop' | 'mobile';

interface Figure {
  label: string;
  /** Reads the figure from a Lighthouse JSON report. */
  read: (report: LighthouseReport) => number;
  unit: '' | 'ms' | 'KiB';
  /** The target per profile: at least (`min`) or under (`max`); none for figures only reported. */
  target?: { kind: 'min' | 'max'; desktop: number; mobile: number };
}

interface LighthouseReport {
  lighthouseVersion: string;
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { numericValue?: number; details?: { overallSavingsBytes?: number } }>;
}

const score = (id: string) => (r: LighthouseReport) => Math.round((r.categories[id]?.score ?? NaN) * 100);
const audit = (id: string) => (r: LighthouseReport) => r.audits[id]?.numericValue ?? NaN;

/** The issue's targets (docs/PERFORMANCE.md): performance and blocking time, and the other categories kept. */
export const FIGURES: Figure[] = [
  { label: 'performance', read: score('performance'), unit: '', target: { kind: 'min', desktop: 95, mobile: 90 } },
  {
    label: 'accessibility',
    read: score('accessibility'),
    unit: '',
    target: { kind: 'min', desktop: 100, mobile: 100 },
  },
  {
    label: 'best practices',
    read: score('best-practices'),
    unit: '',
    target: { kind: 'min', desktop: 96, mobile: 96 },
  },
  { label: 'SEO', read: score('seo'), unit: '', target: { kind: 'min', desktop: 91, mobile: 91 } },
  {
    label: 'total blocking time',
    read: audit('total-blocking-time'),
    unit: 'ms',
    target: { kind: 'max', desktop: 150, mobile: 600 },
  },
  { label: 'first contentful paint', read: audit('first-contentful-paint'), unit: 'ms' },
  { label: 'largest contentful paint', read: audit('largest-contentful-paint'), unit: 'ms' },
  { label: 'speed index', read: audit('speed-index'), unit: 'ms' },
  { label: 'time to interactive', read: audit('interactive'), unit: 'ms' },
  { label: 'JavaScript execution', read: audit('bootup-time'), unit: 'ms' },
  {
    label: 'unused JavaScript',
    read: (r) => (r.audits['unused-javascript']?.details?.overallSavingsBytes ?? 0) / 1024,
    unit: 'KiB',
  },
];

/** The median of the runs that produced the figure (a run can fail to, e.g. NO_FCP on a loaded machine). */
export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One Lighthouse run, as its JSON report. */
async function runLighthouse(url: string, profile: Profile, outDir: string, index: number): Promise<LighthouseReport> {
  const out = path.join(outDir, `${profile}-${index}.json`);
  const args = [
    url,
    '--output=json',
    `--output-path=${out}`,
    '--quiet',
    '--chrome-flags=--headless=new --no-sandbox',
    ...(profile === 'desktop' ? ['--preset=desktop'] : []),
  ];
  // Asynchronously: the static server answers from this same process.
  const child = spawn(path.resolve('node_modules/.bin/lighthouse'), args, {
    env: { ...process.env, CHROME_PATH: process.env['CHROME_PATH'] ?? '/usr/bin/chromium' },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (status !== 0) throw new Error(`lighthouse ${profile} failed (exit ${status}): ${stderr.trim()}`);
  return JSON.parse(readFileSync(out, 'utf8')) as LighthouseReport;
}

function formatValue(value: number, unit: Figure['unit']): string {
  if (unit === '') return value.toFixed(0);
  if (unit === 'KiB') return `${value.toFixed(0)} KiB`;
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

/** The table: one row per figure, the median per profile, its target and whether it is met. */
export function lighthouseLines(medians: Record<Profile, number[]>, runs: number): string[] {
  const lines = [`Lighthouse, median of ${runs} runs per profile:`];
  lines.push(`${'figure'.padEnd(26)}${'desktop'.padEnd(36)}mobile`);
  FIGURES.forEach((figure, i) => {
    const cell = (profile: Profile): string => {
      const value = medians[profile][i] as number;
      const shown = formatValue(value, figure.unit);
      if (!figure.target) return shown;
      const goal = figure.target[profile];
      const met = figure.target.kind === 'min' ? value >= goal : value < goal;
      const wanted = figure.target.kind === 'min' ? `>= ${goal}` : `< ${formatValue(goal, figure.unit)}`;
      return `${shown} (target ${wanted}${met ? '' : ', MISSED'})`;
    };
    lines.push(`${figure.label.padEnd(26)}${cell('desktop').padEnd(36)}${cell('mobile')}`);
  });
  return lines;
}

export async function lighthouseBench(args: string[], log: (line: string) => void): Promise<string[]> {
  const at = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const runs = Number(at('--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${at('--runs')}: a whole number from 1`);
  let url = at('--url');
  let server: { close: () => Promise<void> } | null = null;
  if (!url) {
    let dist = at('--dist');
    if (!dist) {
      const vite = await import('vite');
      await import('./buildMnistAsset.ts');
      await vite.build({ logLevel: 'warn' });
      dist = 'dist';
    }
    const served = await serveStatic(dist, '/', { gzip: true });
    server = served;
    url = served.url;
  }
  const outDir = path.resolve('bench-results/lighthouse');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const medians = {} as Record<Profile, number[]>;
  let version = '';
  try {
    for (const profile of ['desktop', 'mobile'] as Profile[]) {
      const reports: LighthouseReport[] = [];
      for (let i = 0; i < runs; i++) {
        const report = await runLighthouse(url, profile, outDir, i);
        version = report.lighthouseVersion;
        reports.push(report);
        log(
          `${profile} run ${i + 1}: ${FIGURES.map((f) => `${f.label} ${formatValue(f.read(report), f.unit)}`).join(', ')}`,
        );
      }
      medians[profile] = FIGURES.map((figure) => median(reports.map(figure.read)));
    }
  } finally {
    await server?.close();
  }
  return [
    `Lighthouse ${version} on ${url} (reports: ${path.relative('.', outDir)}/)`,
    ...lighthouseLines(medians, runs),
  ];
}
