/**
 * `npm run lessons`: every tour lesson's claims checked on ten seeds (0-9), headless, on the lesson's own link as
 * the page trains it (scripts/lessons/play.ts). A claim holds in every seed, or its lesson states how often and
 * the count must be within one seed of it (scripts/lessons/verdict.ts). Prints one line per claim with the seeds
 * it held in and each seed's figure where it failed, the time each lesson took, and exits 1 if any claim failed.
 *
 *   npm run lessons                        every lesson, seeds 0-9, one process per core (at most 2)
 *   npm run lessons -- --lessons 8,9       some lessons
 *   npm run lessons -- --seeds 0-2         some seeds (a stated rate is then reported, not asserted)
 *   npm run lessons -- --jobs 1            one process
 *   npm run lessons -- --figures           every seed's figure for every claim
 *
 * Seeds run in one process each way (data loaded once per process): a lesson and a seed is a unit of work,
 * dealt to the next idle process, the longest first.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { startNodeBackend } from '../src/cli/nodeBackend.ts';
import { nodeDataLoader } from '../src/cli/nodeData.ts';
import { TOUR } from '../src/experiment/tour.ts';
import { LESSON_CHECKS, type LessonCheck, type Measured } from './lessons/claims.ts';
import { play, type LessonRuns } from './lessons/play.ts';
import { RATE_SEEDS, verdict } from './lessons/verdict.ts';

interface Unit {
  lesson: number;
  seed: number;
}

interface UnitResult extends Unit {
  /** Per claim, in LESSON_CHECKS order; null where the claim is not checked on this seed. */
  measured: (Measured | null)[];
  seconds: number;
  /** Set when training or a measure threw: every claim of the unit fails with it. */
  error?: string;
}

/** Rough seconds per seed (2 cores, WASM), to deal the longest units first. */
const COST: Record<number, number> = { 9: 120, 8: 25, 5: 10, 4: 8, 3: 4, 2: 2, 7: 2, 1: 1 };

function checkOf(lesson: number): LessonCheck {
  const check = LESSON_CHECKS.find((c) => c.lesson === lesson);
  if (!check) throw new Error(`lesson ${lesson} has no check`);
  return check;
}

async function runUnit({ lesson, seed }: Unit): Promise<UnitResult> {
  const started = performance.now();
  const check = checkOf(lesson);
  try {
    const runs: Record<string, LessonRuns> = {};
    for (const [name, { config, stopWhen }] of Object.entries(check.experiments(seed))) {
      runs[name] = await play(config, nodeDataLoader, stopWhen);
    }
    const measured = check.claims.map((claim) =>
      claim.seeds && !claim.seeds.includes(seed) ? null : claim.measure(runs),
    );
    return { lesson, seed, measured, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { lesson, seed, measured: [], seconds: (performance.now() - started) / 1000, error: message };
  }
}

/** A child: trains the units its parent sends, one at a time, and answers each with its result. */
async function child(): Promise<void> {
  await startNodeBackend(['wasm']);
  process.on('message', (unit: Unit | 'done') => {
    if (unit === 'done') {
      process.disconnect();
      return;
    }
    void runUnit(unit).then((result) => process.send?.(result));
  });
  process.send?.('ready');
}

function parseList(text: string | undefined, all: readonly number[]): number[] {
  if (text === undefined) return [...all];
  const out: number[] = [];
  for (const part of text.split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) for (let n = Number(range[1]); n <= Number(range[2]); n++) out.push(n);
    else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new Error(`not a number or range: "${part}"`);
  }
  return out;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

/** Deals the units to `jobs` children, the longest first, each to the next one idle. */
function runAll(units: Unit[], jobs: number, onResult: (r: UnitResult) => void): Promise<void> {
  const queue = [...units].sort((a, b) => (COST[b.lesson] ?? 1) - (COST[a.lesson] ?? 1));
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    let live = 0;
    const workers: ChildProcess[] = [];
    const next = (worker: ChildProcess) => {
      const unit = queue.shift();
      worker.send(unit ?? 'done');
    };
    for (let j = 0; j < Math.min(jobs, queue.length); j++) {
      live += 1;
      const worker = fork(script, ['--child'], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      worker.on('message', (message: UnitResult | 'ready') => {
        if (message !== 'ready') onResult(message);
        next(worker);
      });
      workers.push(worker);
      worker.on('exit', (code) => {
        live -= 1;
        if (code !== 0) {
          // One process lost: the others' results could not be complete either, so stop them too.
          for (const other of workers) if (other !== worker && other.exitCode === null) other.kill();
          reject(new Error(`a lessons process exited with code ${code}`));
        } else if (live === 0) resolve();
      });
    }
  });
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--child')) {
    await child();
    return -1;
  }
  const lessons = parseList(
    option(args, '--lessons'),
    LESSON_CHECKS.map((c) => c.lesson),
  );
  const seeds = parseList(option(args, '--seeds'), RATE_SEEDS);
  const jobs = Number(option(args, '--jobs') ?? Math.min(2, cpus().length));
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new Error(`--jobs must be a whole number of at least 1`);
  const figures = args.includes('--figures');
  for (const lesson of lessons) checkOf(lesson);

  const started = performance.now();
  const results: UnitResult[] = [];
  const units = lessons.flatMap((lesson) => seeds.map((seed) => ({ lesson, seed })));
  console.log(`lessons ${lessons.join(', ')} on seeds ${seeds.join(', ')}, ${units.length} units on ${jobs} processes`);
  await runAll(units, jobs, (r) => {
    results.push(r);
    const failed = r.error ? ` ERROR ${r.error}` : '';
    console.log(`  lesson ${r.lesson} seed ${r.seed}: ${r.seconds.toFixed(1)} s${failed}`);
    // As each unit ends, so that a check cut short still shows what it measured.
    if (figures)
      r.measured.forEach((m, i) => m && console.log(`    ${i + 1}. ${m.held ? 'held' : 'FAILED'}: ${m.figure}`));
  });

  let failures = 0;
  for (const lesson of lessons) {
    const check = checkOf(lesson);
    const title = TOUR.find((l) => l.n === lesson)?.title ?? '';
    const mine = results.filter((r) => r.lesson === lesson).sort((a, b) => a.seed - b.seed);
    const seconds = mine.reduce((sum, r) => sum + r.seconds, 0);
    console.log(`\nLesson ${lesson}: ${title} (${seconds.toFixed(0)} s of training over ${mine.length} seeds)`);
    for (const r of mine.filter((x) => x.error)) {
      failures += 1;
      console.log(`  FAIL seed ${r.seed}: ${r.error}`);
    }
    check.claims.forEach((claim, i) => {
      const checked = mine.filter((r) => !r.error && r.measured[i] !== null && r.measured[i] !== undefined);
      const held = checked.filter((r) => r.measured[i]?.held).map((r) => r.seed);
      const result = verdict(
        held,
        checked.map((r) => r.seed),
        claim.rate,
      );
      if (!result.ok) failures += 1;
      console.log(`  ${result.ok ? 'ok  ' : 'FAIL'} ${claim.says}: ${result.summary}`);
      for (const r of checked) {
        const m = r.measured[i];
        if (m && (figures || !m.held))
          console.log(`         seed ${r.seed}: ${m.held ? 'held' : 'failed'}, ${m.figure}`);
      }
    });
  }
  const total = (performance.now() - started) / 1000;
  console.log(
    `\n${failures === 0 ? 'every claim held as its lesson says' : `${failures} claim(s) failed`}: ${total.toFixed(0)} s`,
  );
  return failures === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) {
      void tf.setBackend('cpu');
      process.exitCode = code;
    }
  },
  (error: unknown) => {
    console.error(`lessons: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
