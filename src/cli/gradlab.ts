/**
 * gradlab: trains an experiment link headless in Node, on the fastest tfjs
 * backend that starts, prints progress and a one-line summary per run, and
 * writes every step's metrics as CSV.
 *
 *   gradlab run '<experiment URL or its query string>' [--out metrics.csv]
 *               [--side both|clipped|baseline] [--backend wasm|cpu] [--every N]
 *
 * The link is decoded strictly by the browser's own codec: any unknown,
 * malformed or out-of-range parameter is an error (exit 2).
 */
import { createWriteStream } from 'node:fs';
import { sidesOf, type ExperimentConfig, type RunSide } from '../experiment/config.ts';
import { parseExperiment } from '../experiment/urlCodec.ts';
import { loadTrainingData } from '../train/data/trainingData.ts';
import { csvHeader, csvRow, type EvalMetrics, type StepMetrics } from '../train/metrics.ts';
import { Run } from '../train/trainer.ts';
import { describeClip, formatNumber, summarize } from '../present/describe.ts';
import { startNodeBackend, type NodeBackend } from './nodeBackend.ts';
import { nodeDataLoader } from './nodeData.ts';

const USAGE = `usage: gradlab run '<experiment URL or query string>' [--out metrics.csv] [--side both|clipped|baseline] [--backend wasm|cpu] [--every N]

  Trains the experiment a Gradient Lab link describes, in Node, and prints a
  summary line per run (diverged at step N, or final loss / test accuracy).
  --out FILE      write every step's metrics as CSV
  --side          both runs of the pair (default), or one of them
  --backend       force a tfjs backend (default: wasm, then cpu)
  --every N       print progress every N steps (default: about 10 lines a run)`;

export class UsageError extends Error {}

interface CliOptions {
  link: string;
  out: string | null;
  side: 'both' | RunSide;
  backend: NodeBackend | null;
  every: number | null;
}

export function parseArgs(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') throw new UsageError(USAGE);
  if (command !== 'run') throw new UsageError(`unknown command '${command}': the only command is 'run'\n\n${USAGE}`);
  const options: CliOptions = { link: '', out: null, side: 'both', backend: null, every: null };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = (): string => {
      const next = rest[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--out') options.out = value();
    else if (arg === '--side') {
      const side = value();
      if (side !== 'both' && side !== 'clipped' && side !== 'baseline') throw new UsageError(`--side ${side}: allowed: both, clipped, baseline`);
      options.side = side;
    } else if (arg === '--backend') {
      const backend = value();
      if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend ${backend}: allowed: wasm, cpu`);
      options.backend = backend;
    } else if (arg === '--every') {
      const every = Number(value());
      if (!Number.isInteger(every) || every < 1) throw new UsageError(`--every ${rest[i]}: allowed: a positive integer`);
      options.every = every;
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}\n\n${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError(`'run' takes exactly one experiment link, got ${positional.length}\n\n${USAGE}`);
  options.link = positional[0];
  return options;
}

export async function runCli(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  let options: CliOptions;
  let config: ExperimentConfig;
  try {
    options = parseArgs(argv);
    const parsed = parseExperiment(options.link);
    if (!parsed.ok) throw new UsageError(`the experiment link was refused:\n${parsed.reason}`);
    config = parsed.config;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`gradlab: ${error.message}`);
      return 2;
    }
    throw error;
  }

  const { backend, failures } = await startNodeBackend(options.backend ? [options.backend] : ['wasm', 'cpu']);
  log(`backend: ${backend}${failures.length ? ` (skipped: ${failures.join('; ')})` : ''}`);
  const data = await loadTrainingData(config, nodeDataLoader);
  const sides = sidesOf(config).filter((s) => options.side === 'both' || s === options.side);
  const runs = sides.map((side) => new Run({ config, side, data }));
  const history = new Map<Run, StepMetrics[]>(runs.map((r) => [r, []]));
  const evaluations = new Map<Run, EvalMetrics | null>(runs.map((r) => [r, null]));
  const every = options.every ?? Math.max(1, Math.round(config.steps / 10));
  const csv = options.out ? createWriteStream(options.out) : null;
  if (csv) csv.write(`${['run', 'clip', ...csvHeader(runs[0].layout)].join(',')}\n`);

  for (const run of runs) log(`${run.side}: ${describeClip(run.clip)}`);
  const startedMs = performance.now();
  // The runs of a pair progress together, step by step, as on the page.
  while (runs.some((r) => r.status === 'ready')) {
    for (const run of runs) {
      if (run.status !== 'ready') continue;
      const m = await run.trainStep();
      history.get(run)?.push(m);
      csv?.write(`${[run.side, run.clip.mode, ...csvRow(run.layout, m)].join(',')}\n`);
      const evalDue = config.evalEvery > 0 && m.step % config.evalEvery === 0;
      if (run.layout.classifier && (evalDue || run.status !== 'ready')) evaluations.set(run, await run.evaluate());
      if (m.step % every === 0 || run.status !== 'ready') {
        const evaluation = evaluations.get(run);
        const accuracy = evaluation && evaluation.step === m.step ? `  test acc ${(evaluation.testAccuracy * 100).toFixed(1)}%` : '';
        log(`${run.side.padEnd(8)} step ${String(m.step).padStart(6)}/${config.steps}  loss ${formatNumber(m.loss, 4).padStart(10)}  grad norm ${formatNumber(m.globalNormPre).padStart(9)}${accuracy}`);
      }
    }
  }
  const seconds = (performance.now() - startedMs) / 1000;
  const totalSteps = runs.reduce((n, r) => n + r.step, 0);
  log(`trained ${totalSteps} steps in ${seconds.toFixed(1)} s (${((seconds * 1000) / Math.max(totalSteps, 1)).toFixed(1)} ms/step on ${backend})`);
  for (const run of runs) {
    const steps = history.get(run) ?? [];
    log(`${run.side} (${describeClip(run.clip)}): ${summarize(steps[steps.length - 1], run.divergence, evaluations.get(run) ?? null)}`);
    run.dispose();
  }
  if (csv) {
    await new Promise<void>((resolve, reject) => csv.end((error?: Error | null) => (error ? reject(error) : resolve())));
    log(`metrics written to ${options.out}`);
  }
  return 0;
}
