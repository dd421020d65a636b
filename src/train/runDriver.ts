/**
 * The one loop that drives runs: the worker, `gradlab run`, the sweep's cells and the lessons test all train
 * through `driveRuns`, so the evaluation policy and the handling of a divergence exist once.
 *
 * Per step of a run, observers hear (in the order they were given, like tfjs's callbacks in `model.fit`):
 *
 *   observe(metrics, stepMs)      every step, the diverging one too
 *   diverged(divergence)          the step went non-finite: the run is over and is NOT evaluated
 *   evaluating(step)              an evaluation is about to start (the worker flushes its metrics first)
 *   evaluated(evaluation)         every `evalEvery` steps and after the last step, for runs with a test set
 *   stepEnd(record)               the step with its evaluation, if any (one CSV row)
 *   ended(end)                    the run finished or diverged
 *
 * Several runs (a pair, a race) are stepped in lockstep: a round is one step of every run still training, so
 * their charts and rows stay aligned step for step. Between rounds the driver can stop (a cancel), stop at a
 * target step (the worker trains only the steps the page granted), and hand the event loop to its host now and
 * then (`pause`), so that a worker hears `advance` and `dispose`, and the CLI hears Ctrl-C.
 *
 * A schedule of knobs (experiment/schedule.ts) is applied here, so the page, the CLI and a replay take every change
 * at the same step: a change at step S reaches a run (`applyKnob`) just before its step S + 1, and its observers
 * hear `knob(change)` then. The host may add changes while the loop runs (the page's live knobs).
 *
 * Pure: no DOM, worker or Node API; the host passes its clock and its way of yielding.
 */
import type { KnobChange } from '../experiment/schedule.ts';
import type { TrainerPhase } from './runPhase.ts';
import type { Divergence, EvalMetrics, StepMetrics } from './metrics.ts';

/** What the driver needs of a run. `Run` has it; the worker's fail-over wrapper too. */
export interface DrivenRun {
  readonly step: number;
  readonly status: TrainerPhase;
  readonly divergence: Divergence | null;
  readonly hasTestSet: boolean;
  /** The run's own settings: how many steps, and how often it is evaluated (0: only at the end). */
  readonly config: { readonly steps: number; readonly evalEvery: number };
  trainStep(): Promise<StepMetrics>;
  evaluate(): Promise<EvalMetrics | null>;
  /** Takes a knob's change before its next step; false when the change is not this run's (another's clipping). */
  applyKnob?(change: KnobChange): boolean;
}

/** A step as a whole: its metrics, its evaluation (if one was due) and its divergence (if it went non-finite). */
export interface StepRecord {
  metrics: StepMetrics;
  evaluation: EvalMetrics | null;
  divergence: Divergence | null;
  /** Wall time of the training step, and of its evaluation (0 when none), by the host's clock. */
  stepMs: number;
  evalMs: number;
}

export interface RunEnd {
  status: Exclude<TrainerPhase, 'ready'>;
  step: number;
  divergence: Divergence | null;
}

/**
 * Anything that wants to hear a run: every method is optional, return values are ignored. The narrator
 * (`present/narrator.ts`'s `Narrator`: observe, evaluated, diverged) is one as it is.
 */
export interface RunObserver {
  observe?(metrics: StepMetrics, stepMs: number): unknown;
  diverged?(divergence: Divergence): unknown;
  evaluating?(step: number): unknown;
  evaluated?(evaluation: EvalMetrics): unknown;
  stepEnd?(record: StepRecord): unknown;
  ended?(end: RunEnd): unknown;
  /** A knob of this run was turned: the change is in force from step `change.step + 1`. */
  knob?(change: KnobChange): unknown;
}

/** A run with the observers that hear it. */
export interface DriveLane<R extends DrivenRun = DrivenRun> {
  run: R;
  observers?: readonly RunObserver[];
}

export interface DriveOptions {
  /** Train no run beyond this step (read before every round, so a host may raise it while the loop runs). */
  target?: number | (() => number) | undefined;
  /** Evaluate every this many steps; 0: only after the last step. Default: each run's `config.evalEvery`. */
  evalEvery?: number;
  /** Evaluate after the last step (default true); the sweep evaluates only its classifiers' cells. */
  evalAtEnd?: boolean;
  /** Checked before every round (and after every pause): true stops the loop. */
  stopped?: (() => boolean) | undefined;
  /** Hands the event loop to the host; called before a round once `pauseEveryMs` have passed since the last. */
  pause?: (() => Promise<void>) | undefined;
  pauseEveryMs?: number;
  /** The host's clock in ms (default Date.now; the worker passes performance.now). */
  now?: () => number;
  /** Knobs turned during the run, in step order (read before every step, so a host may add to it). */
  schedule?: readonly KnobChange[] | (() => readonly KnobChange[]) | undefined;
}

/** Why the loop returned: every run finished or diverged, the target step was reached, or `stopped` said so. */
export type DriveResult = 'ended' | 'target' | 'stopped';

const DEFAULT_PAUSE_MS = 40;

/** Whether a finite step of `run` is followed by an evaluation: every `evalEvery` steps, and after the last. */
export function evaluationDue(run: DrivenRun, step: number, evalEvery: number, evalAtEnd: boolean): boolean {
  if (!run.hasTestSet || run.status === 'diverged') return false;
  if (evalEvery > 0 && step % evalEvery === 0) return true;
  return evalAtEnd && run.status === 'finished';
}

function targetOf(options: DriveOptions): number {
  const { target } = options;
  if (target === undefined) return Infinity;
  return typeof target === 'number' ? target : target();
}

/** The changes each run has taken, by `step:knob`: a host drives a run in many calls (the worker, per grant). */
const knobsTaken = new WeakMap<DrivenRun, Set<string>>();

function scheduleOf(options: DriveOptions): readonly KnobChange[] {
  const { schedule } = options;
  if (schedule === undefined) return [];
  return typeof schedule === 'function' ? schedule() : schedule;
}

/**
 * Every change due before the run's next step that it has not taken: at or before the step it has done. (A change
 * at a step already passed is taken late rather than lost; the page never sends one, see store/session.ts.)
 */
function applyDueKnobs(lane: DriveLane, options: DriveOptions): void {
  const { run } = lane;
  const taken = knobsTaken.get(run) ?? new Set<string>();
  knobsTaken.set(run, taken);
  for (const change of scheduleOf(options)) {
    const key = `${change.step}:${change.knob}`;
    if (change.step > run.step || taken.has(key)) continue;
    taken.add(key);
    if (run.applyKnob?.(change)) for (const o of lane.observers ?? []) o.knob?.(change);
  }
}

/** One step of one lane, with every observer told, in order. */
async function stepLane(lane: DriveLane, options: DriveOptions, now: () => number): Promise<void> {
  const { run } = lane;
  const observers = lane.observers ?? [];
  applyDueKnobs(lane, options);
  const started = now();
  const metrics = await run.trainStep();
  const stepMs = now() - started;
  for (const o of observers) o.observe?.(metrics, stepMs);
  const divergence = run.status === 'diverged' ? run.divergence : null;
  if (divergence) for (const o of observers) o.diverged?.(divergence);
  let evaluation: EvalMetrics | null = null;
  let evalMs = 0;
  const evalEvery = options.evalEvery ?? run.config.evalEvery;
  if (evaluationDue(run, metrics.step, evalEvery, options.evalAtEnd ?? true)) {
    for (const o of observers) o.evaluating?.(metrics.step);
    const evalStarted = now();
    evaluation = await run.evaluate();
    evalMs = now() - evalStarted;
    if (evaluation) for (const o of observers) o.evaluated?.(evaluation);
  }
  const record: StepRecord = { metrics, evaluation, divergence, stepMs, evalMs };
  for (const o of observers) o.stepEnd?.(record);
  if (run.status !== 'ready') {
    const end: RunEnd = { status: run.status, step: run.step, divergence: run.divergence };
    for (const o of observers) o.ended?.(end);
  }
}

/**
 * Trains the lanes' runs in lockstep until every one has finished or diverged, the target step is reached, or
 * `stopped()` says so. A run that is not ready when called (already over) is left alone.
 */
export async function driveRuns(lanes: readonly DriveLane[], options: DriveOptions = {}): Promise<DriveResult> {
  const now = options.now ?? Date.now;
  const pauseEvery = options.pauseEveryMs ?? DEFAULT_PAUSE_MS;
  let lastPause = now();
  for (;;) {
    if (options.pause && now() - lastPause >= pauseEvery) {
      await options.pause();
      lastPause = now();
    }
    if (options.stopped?.()) return 'stopped';
    const ready = lanes.filter((lane) => lane.run.status === 'ready');
    if (ready.length === 0) return 'ended';
    const target = targetOf(options);
    const due = ready.filter((lane) => lane.run.step < target);
    if (due.length === 0) return 'target';
    for (const lane of due) await stepLane(lane, options, now);
  }
}

/** One run: `driveRuns` with a single lane. */
export function driveRun(
  run: DrivenRun,
  observers: readonly RunObserver[] = [],
  options: DriveOptions = {},
): Promise<DriveResult> {
  return driveRuns([{ run, observers }], options);
}
