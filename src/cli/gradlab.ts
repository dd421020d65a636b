/**
 * gradlab: trains an experiment link headless in Node, on the fastest tfjs
 * backend for that model, prints progress and a summary line per run, and
 * streams every step's metrics to a CSV as the step finishes.
 *
 * Promises to the user: a bad link, option or output path is refused before
 * any training (exit 2); each row is written whole as its step finishes, so a
 * killed run keeps every finished step (a SIGKILL that lands inside a row's
 * write can leave that one row cut short, without its newline: Linux stops a
 * file write at a page boundary on a fatal signal); Ctrl-C ends the runs
 * cleanly after the step in flight (exit 130); an unexpected error is one or
 * two lines, not a stack (unless --verbose).
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import {
  MAX_SEEDS,
  RUN_SIDES,
  seedConfig,
  seedOf,
  sidesOf,
  type ExperimentConfig,
  type RunSide,
} from '../experiment/config.ts';
import { parseExperiment } from '../experiment/urlCodec.ts';
import { describeClip, formatDuration, formatNumber, summarize } from '../present/describe.ts';
import { Narrator, compareRace, comparePair, summarizeStory, type NarrationEvent } from '../present/narrator.ts';
import { clipName } from '../present/clipName.ts';
import { loadTrainingData, trainRows, type TrainingData } from '../train/data/trainingData.ts';
import { EpochLossTracker } from '../train/epochLoss.ts';
import { csvHeader, csvRow, metricsTable, taskOf } from '../train/metricSchema.ts';
import type { EvalMetrics, StepMetrics } from '../train/metrics.ts';
import { driveRuns, type RunObserver } from '../train/runDriver.ts';
import { formatSchedule, knobWords } from '../experiment/schedule.ts';
import { Run } from '../train/trainer.ts';
import { SeedBands, dataFollowsSeed } from '../train/seedBands.ts';
import { pairSeedsClaim, runSeedsClaim } from '../present/seedClaims.ts';
import { pickNodeBackend, type NodeBackend } from './nodeBackend.ts';
import { MAX_AXIS, logRange, runSweep, sweepCsvHeader, type SweepArgs } from './sweepCommand.ts';
import { MAX_SWEEP_STEPS, sweepRefusal } from '../experiment/sweep.ts';
import { nodeDataLoader } from './nodeData.ts';

const USAGE = `usage: gradlab <command> [options]

commands:
  run '<link>'     train the experiment a Gradient Lab link describes (gradlab run --help)
  sweep '<link>'   train it for a grid of learning rates x clipping thresholds (gradlab sweep --help)
  metrics          list every CSV column with its unit and meaning (also in docs/METRICS.md)

Exit codes: 0 done, 2 refused input (link, option, output path), 1 unexpected error, 130 interrupted.`;

const RUN_USAGE = `usage: gradlab run '<experiment URL or query string>' [options]

  Trains the experiment a Gradient Lab link describes, in Node, prints progress
  and a summary line per run: where it diverged, or its final loss (the dense
  net's epoch loss, as the tutorial reports it) and test accuracy.

options:
  --out FILE      write every step's metrics as CSV, a row as each step finishes;
                  the path is checked before training. Columns: run (baseline,
                  clipped, third, fourth) and clip (its mode), then those of
                  gradlab metrics, or docs/METRICS.md. Test accuracy and loss
                  have their own columns, filled on the steps where the run was
                  evaluated (never after a divergence).
  --side S        both (default): every run of the pair or race; baseline,
                  clipped, third or fourth: that run only
  --seeds N       train every run over N seeds (1 to ${MAX_SEEDS}; default: the link's
                  seeds=, else 1): seed k trains from the link's seed + k. The CSV
                  then has a seed column after clip, a row per run, seed and step;
                  progress and events are the link's own seed's, and a line per
                  run says how many seeds diverged and how many learned
  --backend B     wasm or cpu: force a tfjs backend (default: the faster for this
                  model, found by timing a few steps of each)
  --every N       print progress every N steps (default: about 10 lines a run)
  --narrate       say in words what happens as it happens (clipping acting, spikes,
                  divergence, gradients vanishing or exploding through time), then
                  a paragraph per run and one comparing the pair
  --verbose       on an unexpected error, print its whole stack
  --help          this text`;

const SWEEP_USAGE = `usage: gradlab sweep '<experiment URL or query string>' --lr A:B:N --clip A:B:N [options]

  Trains the link's experiment for every learning rate x clipping threshold, plus
  an unclipped column, all from the same seed, weights and batches (the dense net
  with SGD as one batched program, any other experiment one cell at a time), and
  prints the map of outcomes: where each cell diverged, or its final loss (the
  dense net: the last epoch's loss over every row; recurrent nets: the mean
  training loss of the last 50 steps), and test accuracy for classifiers.

options:
  --lr A:B:N      N learning rates, log-spaced from A to B inclusive (N up to ${MAX_AXIS})
  --clip A:B:N    N thresholds in the link's clipping mode (clip=value: c of [-c, c];
                  norm, global, global-tf: the max norm), log-spaced, inclusive
  --steps S       steps per cell (default: the link's)
  --out FILE      one CSV row per cell: lr, clip (none for the unclipped column),
                  diverged_at (empty if never), final_loss, min_loss (the lowest
                  epoch loss, or 50-step mean), test_accuracy (classifiers; empty
                  otherwise or if diverged), steps; checked before training
  --verbose       on an unexpected error, print its whole stack`;

/** Input the user can fix: printed as is, exit 2. */
export class UsageError extends Error {}

interface CliOptions {
  command: 'run' | 'metrics' | 'sweep';
  sweep: SweepArgs;
  link: string;
  out: string | null;
  side: 'both' | RunSide;
  backend: NodeBackend | null;
  every: number | null;
  /** --seeds: replaces the link's seeds (null: the link's). */
  seeds: number | null;
  narrate: boolean;
  verbose: boolean;
}

export function parseArgs(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    throw new UsageError(USAGE);
  }
  const options: CliOptions = {
    command: 'run',
    sweep: { lr: [], clip: [], steps: null },
    link: '',
    out: null,
    side: 'both',
    backend: null,
    every: null,
    seeds: null,
    narrate: false,
    verbose: false,
  };
  if (command === 'metrics') return { ...options, command: 'metrics' };
  if (command !== 'run' && command !== 'sweep') throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  options.command = command;
  const usage = command === 'sweep' ? SWEEP_USAGE : RUN_USAGE;
  const range = (name: string, text: string): number[] => {
    const values = logRange(text, name);
    if (typeof values === 'string') throw new UsageError(values);
    return values;
  };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const value = (): string => {
      const next = rest[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value\n\n${RUN_USAGE}`);
      return next;
    };
    if (arg === '--help' || arg === '-h') throw new UsageError(usage);
    else if (command === 'sweep' && arg === '--lr') options.sweep.lr = range('lr', value());
    else if (command === 'sweep' && arg === '--clip') options.sweep.clip = range('clip', value());
    else if (command === 'sweep' && arg === '--steps') {
      const text = value();
      const steps = Number(text);
      if (!Number.isInteger(steps) || steps < 1 || steps > MAX_SWEEP_STEPS) {
        throw new UsageError(`--steps ${text}: allowed: an integer from 1 to ${MAX_SWEEP_STEPS}`);
      }
      options.sweep.steps = steps;
    } else if (arg === '--out') options.out = value();
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--narrate') options.narrate = true;
    else if (arg === '--side') {
      const side = value();
      if (side !== 'both' && !(RUN_SIDES as readonly string[]).includes(side)) {
        throw new UsageError(`--side ${side}: allowed: both (every run), ${RUN_SIDES.join(', ')}`);
      }
      options.side = side as RunSide | 'both';
    } else if (arg === '--backend') {
      const backend = value();
      if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend ${backend}: allowed: wasm, cpu`);
      options.backend = backend;
    } else if (arg === '--every') {
      const text = value();
      const every = Number(text);
      if (!Number.isInteger(every) || every < 1) throw new UsageError(`--every ${text}: allowed: a positive integer`);
      options.every = every;
    } else if (command === 'run' && arg === '--seeds') {
      const text = value();
      const seeds = Number(text);
      if (!/^\d+$/.test(text) || seeds < 1 || seeds > MAX_SEEDS)
        throw new UsageError(`--seeds ${text}: allowed: an integer from 1 to ${MAX_SEEDS}`);
      options.seeds = seeds;
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}\n\n${usage}`);
    else positional.push(arg);
  }
  const [link] = positional;
  if (link === undefined || positional.length !== 1) {
    throw new UsageError(`'${command}' takes exactly one experiment link, got ${positional.length}\n\n${usage}`);
  }
  if (command === 'sweep' && (options.sweep.lr.length === 0 || options.sweep.clip.length === 0)) {
    throw new UsageError(`'sweep' needs --lr A:B:N and --clip A:B:N\n\n${SWEEP_USAGE}`);
  }
  options.link = link;
  return options;
}

/** An error's message in one line of at most `max` characters: a library may put kilobytes of its source in one. */
export function shortMessage(error: unknown, max = 200): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? 'no message').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What gradlab prints for an error it did not expect: two lines, or the stack with --verbose. */
export function unexpectedErrorLines(error: unknown, verbose: boolean): string[] {
  const lines = [`gradlab: unexpected error: ${shortMessage(error)}`];
  if (verbose && error instanceof Error && error.stack) lines.push(error.stack);
  else lines.push('Run the same command with --verbose to see where it happened; please report it if it persists.');
  return lines;
}

/** The CSV file, opened before any training so that a bad path costs nothing. */
class CsvOut {
  private constructor(
    private readonly fd: number,
    readonly path: string,
  ) {}

  static open(path: string): CsvOut {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why =
        code === 'ENOENT'
          ? 'its folder does not exist'
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? 'it may not be written here'
            : code === 'EISDIR'
              ? 'it is a folder'
              : shortMessage(error);
      throw new UsageError(`cannot write --out ${path}: ${why}. Choose a file in a folder you can write to.`);
    }
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw new UsageError(`cannot write --out ${path}: it is a folder. Choose a file in a folder you can write to.`);
    }
    return new CsvOut(fd, path);
  }

  /** Synchronous, one write a row: once a step is done its row is the operating system's to keep. */
  row(cells: readonly (number | string)[]): void {
    writeSync(this.fd, `${cells.join(',')}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface CliDeps {
  error: (line: string) => void;
  loadData: (config: ExperimentConfig) => Promise<TrainingData>;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: the runs stop after the step in flight. */
  signal?: AbortSignal;
}

const DEFAULT_DEPS: CliDeps = {
  error: (line) => console.error(line),
  loadData: (config) => loadTrainingData(config, nodeDataLoader),
};

/** Runs the command; returns the exit code. Never throws: every failure becomes its message and a code. */
export async function runCli(
  argv: string[],
  log: (line: string) => void = console.log,
  deps: Partial<CliDeps> = {},
): Promise<number> {
  const { error, loadData, signal } = { ...DEFAULT_DEPS, ...deps };
  const verbose = argv.includes('--verbose');
  let csv: CsvOut | null = null;
  try {
    const options = parseArgs(argv);
    if (options.command === 'metrics') {
      log(metricsTable());
      return 0;
    }
    const parsed = parseExperiment(options.link);
    if (!parsed.ok) throw new UsageError(`the experiment link was refused:\n${parsed.reason}`);
    if (options.command === 'sweep') {
      const refused = sweepRefusal(parsed.config);
      if (refused) throw new UsageError(refused);
    }
    if (options.out) csv = CsvOut.open(options.out);
    if (options.command === 'sweep') {
      const out = csv;
      out?.row(sweepCsvHeader(parsed.config.seeds));
      const data = await loadData(parsed.config);
      // Over several seeds (the link's seeds=), each seed's data where the data is drawn from the seed.
      const seedData = [data];
      for (let k = 1; k < parsed.config.seeds; k++)
        seedData.push(dataFollowsSeed(parsed.config) ? await loadData(seedConfig(parsed.config, k)) : data);
      const toRow = out ? (cells: (number | string)[]) => out.row(cells) : null;
      await runSweep(parsed.config, data, options.sweep, log, toRow, signal, seedData);
      if (out) log(`sweep written to ${out.path}`);
      return signal?.aborted ? 130 : 0;
    }
    const config = options.seeds === null ? parsed.config : { ...parsed.config, seeds: options.seeds };
    return await train(config, options, csv, log, loadData, signal);
  } catch (caught) {
    if (caught instanceof UsageError) error(`gradlab: ${caught.message}`);
    else for (const line of unexpectedErrorLines(caught, verbose)) error(line);
    return caught instanceof UsageError ? 2 : 1;
  } finally {
    csv?.close();
  }
}

/** What `gradlab run` keeps of each run for its summary. */
interface RunState {
  last: StepMetrics | undefined;
  /** The latest evaluation; a run that diverged is not evaluated again. */
  evaluation: EvalMetrics | null;
  epochs: EpochLossTracker;
  narrator: Narrator;
}

function clock(ms: number): string {
  return formatDuration(ms / 1000);
}

async function train(
  config: ExperimentConfig,
  options: CliOptions,
  csv: CsvOut | null,
  log: (line: string) => void,
  loadData: CliDeps['loadData'],
  signal: AbortSignal | undefined,
): Promise<number> {
  const data = await loadData(config);
  // Unless --backend forces one, the fastest backend for this model: a few timed steps on a throwaway run.
  const { backend, line } = await pickNodeBackend(config, data, options.backend);
  log(line);
  const sides = sidesOf(config).filter((s) => options.side === 'both' || s === options.side);
  // Over several seeds, every run of every seed, each seed's run from its own seed (and data, where the data is
  // drawn from the seed); all of them step in lockstep.
  const seedCount = config.seeds;
  const seedData: TrainingData[] = [data];
  for (let k = 1; k < seedCount; k++)
    seedData.push(dataFollowsSeed(config) ? await loadData(seedConfig(config, k)) : data);
  const seedOfRun = new Map<Run, number>();
  const runs: Run[] = [];
  for (let k = 0; k < seedCount; k++)
    for (const side of sides) {
      const run = new Run({ config: k === 0 ? config : seedConfig(config, k), side, data: seedData[k] ?? data });
      seedOfRun.set(run, k);
      runs.push(run);
    }
  const bandsOf = new Map(
    sides.map((side) => [side, new SeedBands(seedData.map((_, k) => seedOf(config, k)))] as const),
  );
  const seedColumn = seedCount > 1;
  const kOf = (run: Run) => seedOfRun.get(run) ?? 0;
  const [first] = runs;
  if (!first) throw new UsageError(`--side ${options.side}: this experiment has no ${options.side} run`);
  const rows = trainRows(data);
  const state = new Map<Run, RunState>(
    runs.map((r) => [
      r,
      {
        last: undefined,
        evaluation: null,
        epochs: new EpochLossTracker(rows, config.batch),
        narrator: new Narrator(r.clip, r.layout, config.lr),
      },
    ]),
  );
  const stateOf = (run: Run): RunState => {
    const s = state.get(run);
    if (!s) throw new Error(`no state for the ${run.side} run`);
    return s;
  };
  const every = options.every ?? Math.max(1, Math.round(config.steps / 10));
  csv?.row(['run', 'clip', ...(seedColumn ? ['seed'] : []), ...csvHeader(first.layout)]);
  for (const run of runs) if (kOf(run) === 0) log(`${run.side}: ${describeClip(run.clip)}`);
  if (seedColumn) log(`seeds: ${seedCount}, from seed ${seedOf(config, 0)} to ${seedOf(config, seedCount - 1)}`);
  for (const change of config.schedule)
    log(
      `knob: ${knobWords(change.knob)} becomes ${formatSchedule([change]).split('=').slice(1).join('=')} after step ${change.step}`,
    );
  log(`progress: loss is the batch's; the gradient norm is the global one, before clipping`);

  const startedMs = performance.now();
  let trainMs = 0;
  let evalMs = 0;
  const progress = (run: Run, s: RunState): RunObserver => ({
    stepEnd({ metrics: m, evaluation, stepMs, evalMs: evalTook }) {
      trainMs += stepMs;
      evalMs += evalTook;
      s.last = m;
      s.epochs.add(m.step, m.epoch, m.loss);
      if (evaluation) s.evaluation = evaluation;
      csv?.row([
        run.side,
        run.clip.mode,
        ...(seedColumn ? [seedOf(config, kOf(run))] : []),
        ...csvRow(run.layout, m, evaluation),
      ]);
      // Progress is the link's own seed's: ten seeds' lines would bury it.
      if (kOf(run) !== 0) return;
      if (m.step % every !== 0 && run.status === 'ready') return;
      const done = runs.reduce((n, r) => n + r.step, 0);
      const elapsedMs = performance.now() - startedMs;
      // A run that diverged or finished has no steps left.
      const left = runs.reduce((n, r) => n + (r.status === 'ready' ? config.steps - r.step : 0), 0);
      const etaMs = done > 0 ? (elapsedMs / done) * left : NaN;
      const accuracy = !evaluation
        ? ''
        : evaluation.testAccuracy !== null
          ? `  test acc ${(evaluation.testAccuracy * 100).toFixed(1)}%`
          : `  test mse ${formatNumber(evaluation.testLoss, 4)}`;
      log(
        `${run.side.padEnd(8)} step ${String(m.step).padStart(6)}/${config.steps}` +
          `  elapsed ${clock(elapsedMs)}  eta ${run.status === 'ready' ? clock(etaMs) : '-'}` +
          `  loss ${formatNumber(m.loss, 4).padStart(10)}  grad norm ${formatNumber(m.globalNormPre).padStart(9)}${accuracy}`,
      );
    },
  });
  // The narrator hears the run as any observer does; with --narrate its events are printed as they happen.
  const spoken = (run: Run, narrator: Narrator): RunObserver => {
    const say = (events: NarrationEvent[]) => {
      if (options.narrate) for (const event of events) log(`${run.side.padEnd(8)} > ${event.sentence}`);
    };
    return {
      observe: (m) => say(narrator.observe(m)),
      evaluated: (e) => narrator.evaluated(e),
      diverged: (d) => say([narrator.diverged(d)]),
      knob: (change) => narrator.knob(change),
    };
  };
  // The runs of a pair progress together, step by step, as on the page. tfjs's CPU backend resolves its
  // promises without leaving the microtask queue; a turn of the event loop now and then lets a Ctrl-C be heard.
  const result = await driveRuns(
    runs.map((run) => {
      const s = stateOf(run);
      const bands = bandsOf.get(run.side);
      const told = kOf(run) === 0 ? [spoken(run, s.narrator)] : [];
      return { run, observers: [...told, progress(run, s), ...(bands ? [bands.observer(kOf(run))] : [])] };
    }),
    {
      stopped: () => signal?.aborted ?? false,
      pause: () => new Promise((resolve) => setImmediate(resolve)),
      pauseEveryMs: 50,
      now: () => performance.now(),
      // Knobs turned on the page travel in the link: the same changes at the same steps, the same numbers.
      schedule: config.schedule,
    },
  );
  const interrupted = result === 'stopped';
  const steps = runs.reduce((n, r) => n + r.step, 0);
  const perStep = steps > 0 ? (trainMs / steps).toFixed(1) : '-';
  const evalPart = evalMs > 0 ? `; evaluation ${formatDuration(evalMs / 1000)} apart` : '';
  log(`trained ${steps} steps in ${formatDuration(trainMs / 1000)}: ${perStep} ms a step on ${backend}${evalPart}`);
  for (const run of runs) {
    const s = state.get(run);
    const summary = summarize({
      steps: run.step,
      lastBatchLoss: s?.last?.loss ?? null,
      // The dense net's loss is reported as the tutorial does: per epoch, over every row.
      epochLoss: run.hasTestSet ? null : (s?.epochs.lastCompleteEpoch() ?? null),
      divergence: run.divergence,
      evaluation: s?.evaluation ?? null,
      interrupted: interrupted && run.status === 'ready',
    });
    const seedPart = seedColumn ? ` seed ${seedOf(config, kOf(run))}` : '';
    log(`${run.side}${seedPart} (${describeClip(run.clip)}): ${summary}`);
    run.dispose();
  }
  if (seedColumn) {
    const outcomes = (side: RunSide) => bandsOf.get(side)?.outcomes() ?? [];
    const pair = sides.length === 2 && config.baseClip.mode === 'none' && config.clip.mode !== 'none';
    const claim = pair ? pairSeedsClaim(outcomes('baseline'), outcomes('clipped'), taskOf(config)) : null;
    if (claim) log(`seeds: ${claim.text}`);
    else
      for (const side of sides) {
        const one = runSeedsClaim(`${side} run`, outcomes(side), taskOf(config));
        if (one) log(`seeds: ${one.text}`);
      }
  }
  if (options.narrate) {
    for (const run of runs.filter((r) => kOf(r) === 0)) {
      const story = state.get(run)?.narrator.story();
      if (story) log(`${run.side}: ${summarizeStory(story, run.clip)}`);
    }
    const [baseline, clipped] = ['baseline', 'clipped'].map((side) =>
      runs.find((r) => r.side === side && kOf(r) === 0),
    );
    const stories = [baseline, clipped].map((r) => (r ? state.get(r)?.narrator.story() : undefined));
    if (sides.length > 2) {
      const entries = runs.flatMap((r) => {
        if (kOf(r) !== 0) return [];
        const story = state.get(r)?.narrator.story();
        return story ? [{ name: clipName(r.clip), clip: r.clip, story }] : [];
      });
      log(`the race: ${compareRace(entries)}`);
    } else if (stories[0] && stories[1]) log(`the pair: ${comparePair(stories[0], stories[1])}`);
  }
  if (csv) log(`metrics written to ${csv.path} (columns: gradlab metrics, or docs/METRICS.md)`);
  return interrupted ? 130 : 0;
}
