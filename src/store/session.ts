/**
 * Drives the runs of the current experiment: one worker per run, kept in step
 * by granting each worker steps up to a shared target, about a quarter of a
 * second of work at a time. A run that finishes, diverges or crashes drops
 * out; the other goes on. Every message from a worker lands in the store
 * (status) or in its RunSeries (metrics).
 */
import { sidesOf, clipOf, type ExperimentConfig, type RunSide } from '../experiment/config.ts';
import { canonicalChange, changeConcerns, withChange, type KnobChange } from '../experiment/schedule.ts';
import type { PresetId } from '../experiment/presets.ts';
import { RunClient } from '../worker/client.ts';
import { onQuietChange } from './quiet.ts';
import { workerDuty } from '../worker/workerShare.ts';
/** The page's first paint, which the workers wait for: the service worker's registration waits for it too. */
export { afterFirstPaint } from '../worker/client.ts';
import {
  unreachable,
  type BackendChoice,
  type FromWorker,
  type SimulatedFault,
  type ToWorker,
} from '../worker/protocol.ts';
import {
  dropStagedRuns,
  markSeriesDirty,
  reportedRuns,
  seriesBySide,
  stageRun,
  updateRun,
  useLab,
  type LabState,
  type RunView,
} from './labStore.ts';
import { clipChangesOf, knobMarksOf } from '../present/knobMarks.ts';
import { clearNarration, narrateEnd, narrateEval, narrateKnob, narrateSteps, startNarration } from './narration.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import type { StoredRun } from '../persist/runHistory.ts';
import { recordEval, recordRunStarted, recordStatus, recordSteps, type StoredRunView } from './historySession.ts';
import { BandSeries, RunSeries } from './series.ts';
import { RateMeter } from './rateMeter.ts';
import { withoutStop } from '../persist/storageProblem.ts';

let now: () => number = () => performance.now();

/** Replaces the clock the speed readout is measured with (for tests with a fake clock). */
export function setClock(clock: () => number): void {
  now = clock;
}

const CHUNK_SECONDS = 0.25;
const MAX_CHUNK = 500;

/** What the session needs of a worker; tests pass a fake one. */
export interface WorkerClient {
  send(message: ToWorker): void;
  terminate(): void;
  dispose(): void;
}

export type ClientFactory = (
  onMessage: (message: FromWorker) => void,
  onCrash: (reason: string) => void,
) => WorkerClient;

let createClient: ClientFactory = (onMessage, onCrash) => new RunClient(onMessage, onCrash);

/** Replaces how workers are made (for tests in Node, where there are no Web Workers). */
export function setClientFactory(factory: ClientFactory): void {
  createClient = factory;
}

interface Handle {
  client: WorkerClient;
  /** The step this run has been granted up to. */
  target: number;
  /** The highest step ever granted (a pause lowers `target`, not this): no knob may be turned before it. */
  granted: number;
  /** Its history record, written with its first steps: runs that never train do not clutter the history. */
  unsaved: StoredRun | null;
  /** The worker's own steps per second while it computes (smoothed): how much to grant at a time. */
  computeSpeed: number | null;
  /** The steps per second the run actually makes, over the last few seconds of wall-clock time: what is shown. */
  meter: RateMeter;
}

const handles = new Map<RunSide, Handle>();

function activeSides(): RunSide[] {
  const { runs } = useLab.getState();
  return (Object.keys(runs) as RunSide[]).filter((side) => {
    const phase = runs[side]?.phase;
    return phase === 'ready' || phase === 'running' || phase === 'paused';
  });
}

let quietNow = false;
let followingQuiet = false;

/** Whether the page is quiet now; from the first call on, every change is sent to the runs' workers. */
function pageQuiet(): boolean {
  if (!followingQuiet) {
    followingQuiet = true;
    onQuietChange((quiet) => {
      if (quiet === quietNow) return;
      quietNow = quiet;
      for (const handle of handles.values()) handle.client.send({ type: 'quiet', quiet });
    });
  }
  return quietNow;
}

/** The share of its time each training worker computes: where they outnumber the cores, they rest in turn. */
function duty(): number {
  return workerDuty(activeSides().length, globalThis.navigator?.hardwareConcurrency ?? NaN);
}

function grantTo(handle: Handle, target: number): void {
  handle.target = target;
  handle.granted = Math.max(handle.granted, target);
  handle.client.send({ type: 'advance', toStep: target, duty: duty() });
}

/**
 * The first seconds are paced, so the explosion is watched as it happens: one step at a time, PACED_STEPS_PER_SECOND
 * a second, until a run diverges or PACED_UNTIL_STEP is reached, then full speed; slow motion keeps the pace.
 * Only when steps are granted changes: the numbers are the same.
 */
export const PACED_STEPS_PER_SECOND = 4;
export const PACED_UNTIL_STEP = 12;
let lastPacedGrantMs = -Infinity;
let pacedTimer: ReturnType<typeof setTimeout> | null = null;
let pacingOn = true;

/** Turns the pacing of the first seconds off (tests of the lockstep that want every grant at once) or on. */
export function setPacing(on: boolean): void {
  pacingOn = on;
}

function paced(): boolean {
  const { slowMotion } = useLab.getState();
  const runs = reportedRuns();
  if (slowMotion) return true;
  if (!pacingOn) return false;
  const views = Object.values(runs).filter((r): r is RunView => r !== undefined);
  if (views.some((r) => r.divergence !== null)) return false;
  // Only the runs still training count: a run that crashed (or finished) early would hold the others to the
  // pace for ever.
  const active = activeSides().map((side) => runs[side]?.step ?? 0);
  return active.length > 0 && Math.min(...active) < PACED_UNTIL_STEP;
}

/** The step the opening pace lasts to while it holds (not slow motion, which is chosen for the whole run), else null. */
export function openingPaceUntil(): number | null {
  return paced() && !useLab.getState().slowMotion ? PACED_UNTIL_STEP : null;
}

/** Grants more steps so the runs move together: nobody gets more than a chunk ahead of the slowest. */
function grant(): void {
  const { playing, config } = useLab.getState();
  const runs = reportedRuns();
  if (!playing) return;
  if (paced()) {
    grantPaced();
    return;
  }
  if (Object.values(runs).some((r) => r?.phase === 'starting')) return;
  const active = activeSides();
  if (active.length === 0) {
    useLab.setState({ playing: false });
    return;
  }
  const views = active.map((side) => runs[side] as RunView);
  const floor = Math.min(...views.map((r) => r.step));
  // Until every run has reported a speed, grant little: the unknown one may be the slow one.
  const speeds = active.map((side) => handles.get(side)?.computeSpeed ?? 0);
  const speed = speeds.every((s) => s > 0) ? Math.min(...speeds) : 4;
  const chunk = Math.max(1, Math.min(MAX_CHUNK, Math.round(speed * CHUNK_SECONDS)));
  for (const side of active) {
    const handle = handles.get(side);
    const run = runs[side] as RunView;
    if (!handle) continue;
    const target = Math.min(config.steps, Math.max(handle.target, floor + chunk));
    if (handle.target - run.step <= chunk / 2 && target > handle.target) {
      grantTo(handle, target);
    }
    if (run.phase !== 'running') updateRun(side, { phase: 'running' });
  }
}

/** One step of every active run once the last has reported the one before, at most PACED_STEPS_PER_SECOND a second. */
function grantPaced(): void {
  const { config } = useLab.getState();
  const runs = reportedRuns();
  if (Object.values(runs).some((r) => r?.phase === 'starting')) return;
  const active = activeSides();
  if (active.length === 0) {
    useLab.setState({ playing: false });
    return;
  }
  // Wait for every run to have reported what it was granted: the charts show each step of both runs together.
  if (active.some((side) => (runs[side]?.step ?? 0) < (handles.get(side)?.target ?? 0))) return;
  const waitMs = lastPacedGrantMs + 1000 / PACED_STEPS_PER_SECOND - now();
  if (waitMs > 0) {
    if (pacedTimer === null)
      pacedTimer = setTimeout(() => {
        pacedTimer = null;
        grant();
      }, waitMs);
    return;
  }
  lastPacedGrantMs = now();
  const floor = Math.min(...active.map((side) => runs[side]?.step ?? 0));
  for (const side of active) {
    const handle = handles.get(side);
    if (!handle) continue;
    const target = Math.min(config.steps, floor + 1);
    if (target > handle.target) grantTo(handle, target);
    if (runs[side]?.phase !== 'running') updateRun(side, { phase: 'running' });
  }
}

function onMessage(side: RunSide, message: FromWorker): void {
  const run = reportedRuns()[side];
  if (!run) return;
  switch (message.type) {
    case 'ready':
      if (run.runId) recordStatus(run.runId, { phase: 'ready', backend: message.backend, layout: message.layout });
      seriesBySide.set(side, new RunSeries(message.layout));
      // A run over several seeds gets its bands beside the link's own seed's series.
      if (useLab.getState().config.seeds > 1) (seriesBySide.get(side) as RunSeries).bands = new BandSeries();
      startNarration(side, run.clip, message.layout, useLab.getState().config);
      updateRun(side, { phase: 'ready', backend: message.backend, layout: message.layout, dataProgress: null });
      markSeriesDirty();
      grant();
      return;
    case 'notice':
      updateRun(side, { notices: [...run.notices, message.message] });
      return;
    case 'data-progress':
      updateRun(side, { dataProgress: { loadedBytes: message.loadedBytes, totalBytes: message.totalBytes } });
      return;
    case 'backend':
      if (run.runId) recordStatus(run.runId, { backend: message.backend });
      updateRun(side, { backend: message.backend });
      return;
    case 'backend-choice':
      updateRun(side, { backendChoice: message.choice });
      return;
    case 'metrics': {
      const last = message.steps[message.steps.length - 1];
      if (!last) return;
      seriesBySide.get(side)?.append(message.steps);
      narrateSteps(side, message.steps);
      const handle = handles.get(side);
      if (handle?.unsaved) {
        recordRunStarted({ ...handle.unsaved, backend: run.backend, layout: run.layout });
        handle.unsaved = null;
      }
      if (run.runId) recordSteps(run.runId, message.steps, { phase: 'running' });
      let stepsPerSecond = run.stepsPerSecond;
      if (handle) {
        const measured = message.elapsedMs > 0 ? (message.steps.length * 1000) / message.elapsedMs : null;
        if (measured !== null)
          handle.computeSpeed = handle.computeSpeed === null ? measured : 0.7 * handle.computeSpeed + 0.3 * measured;
        handle.meter.add(now(), last.step);
        // The worker's compute speed only until the window has two samples (it leaves out waiting, so runs high).
        stepsPerSecond = handle.meter.rate() ?? handle.computeSpeed;
      }
      // Shown with the charts' next redraw (see stageRun); the grants below go by it at once.
      stageRun(side, { step: last.step, stepsPerSecond });
      grant();
      return;
    }
    case 'eval':
      seriesBySide.get(side)?.addEval(message.result);
      if (run.runId) recordEval(run.runId, message.result);
      updateRun(side, { lastEval: message.result });
      narrateEval(side, message.result);
      markSeriesDirty();
      return;
    case 'seeds': {
      seriesBySide.get(side)?.bands?.add(message.rows, message.evals);
      // Once the link's own seed has diverged, the other seeds' steps are what moves the run on.
      const last = message.rows[message.rows.length - 1];
      updateRun(side, { seeds: message.outcomes, step: Math.max(run.step, last?.step ?? 0) });
      markSeriesDirty();
      grant();
      return;
    }
    case 'status': {
      const playing = useLab.getState().playing;
      const phase = message.status === 'ready' ? (playing ? 'running' : 'paused') : message.status;
      updateRun(side, { phase, step: message.step, divergence: message.divergence });
      if (message.status !== 'ready') narrateEnd(side, message.divergence);
      if (run.runId && message.status !== 'ready')
        recordStatus(run.runId, { phase: message.status, divergence: message.divergence });
      grant();
      return;
    }
    case 'error':
      stopRun(side, `The run stopped at step ${message.step}: ${withoutStop(message.message)}.`);
      return;
    default:
      unreachable(message);
  }
}

function stopRun(side: RunSide, why: string): void {
  const handle = handles.get(side);
  handle?.client.terminate();
  handles.delete(side);
  const steps = seriesBySide.get(side)?.count ?? 0;
  // Only the runs still training go on: one that already stopped, finished or diverged does not.
  const others = activeSides().filter((s) => s !== side).length;
  const goOn =
    others === 0 ? ' nothing else was lost.' : others === 1 ? ' the other run goes on.' : ' the other runs go on.';
  const error = `${why} Its ${steps} finished steps are kept;${goOn}`;
  updateRun(side, { phase: 'crashed', error });
  const runId = useLab.getState().runs[side]?.runId;
  if (runId) recordStatus(runId, { phase: 'crashed', error });
  grant();
}

function disposeAll(): void {
  for (const handle of handles.values()) handle.client.dispose();
  handles.clear();
  dropStagedRuns();
  seriesBySide.clear();
  clearNarration();
}

/** A knob to turn: the change without its step, which the session picks. */
export type KnobTurnRequest = KnobChange extends infer C ? (C extends KnobChange ? Omit<C, 'step'> : never) : never;

/**
 * Whether a knob turned now acts on the runs as they train: some run is training or paused part-way. Otherwise
 * (before the first step, or once every run is over) a change is a new experiment, as any other setting.
 */
export function knobsAreLive(): boolean {
  const { playing } = useLab.getState();
  const runs = reportedRuns();
  return activeSides().some((side) => playing || (runs[side]?.step ?? 0) > 0 || (handles.get(side)?.granted ?? 0) > 0);
}

/**
 * Turns a knob of the runs as they train: the change is taken after the highest step granted to any run (none has
 * passed it), by every run it concerns at that same step, and goes into the experiment's schedule, so the link
 * replays it. Returns the step, or null when the runs are not training (see knobsAreLive).
 */
export function turnKnob(request: KnobTurnRequest): number | null {
  if (!knobsAreLive()) return null;
  const { config } = useLab.getState();
  const runs = reportedRuns();
  const active = activeSides();
  const step = Math.max(...active.map((side) => Math.max(handles.get(side)?.granted ?? 0, runs[side]?.step ?? 0)));
  if (step >= config.steps) return null;
  const change = canonicalChange({ ...request, step } as KnobChange);
  const schedule = withChange(config.schedule, change);
  const next = { ...config, schedule };
  useLab.setState({ config: next });
  // The history keeps the link with the change in it, so a reopened run says what it trained with.
  const link = encodeExperiment(next, useLab.getState().preset);
  for (const side of sidesOf(next)) {
    const handle = handles.get(side);
    const runId = runs[side]?.runId;
    if (handle?.unsaved) handle.unsaved = { ...handle.unsaved, link, config: next };
    else if (runId) recordStatus(runId, { link, config: next });
  }
  for (const side of active) {
    handles.get(side)?.client.send({ type: 'knob', change });
    if (changeConcerns(change, side)) {
      updateRun(side, {
        knobMarks: knobMarksOf(config, schedule, side),
        clipChanges: clipChangesOf(schedule, side),
      });
      narrateKnob(side, change);
    }
  }
  return step;
}

/** Forgets the knobs turned: the experiment goes back to its settings at the start, with fresh runs. */
export function forgetKnobs(): void {
  const { config, preset } = useLab.getState();
  applyExperiment({ ...config, schedule: [] }, preset);
}

/** Slow motion: the whole run at the pace of its first seconds. */
export function setSlowMotion(on: boolean): void {
  useLab.setState({ slowMotion: on });
  grant();
}

/** Replaces the current runs with fresh workers for the current config (paused). */
export function resetRuns(): void {
  disposeAll();
  // Fresh runs start at the pace of the first seconds, their first step at once.
  lastPacedGrantMs = -Infinity;
  if (pacedTimer !== null) clearTimeout(pacedTimer);
  pacedTimer = null;
  const { config, backendChoice, preset } = useLab.getState();
  const runs: Partial<Record<RunSide, RunView>> = {};
  // One session id for the pair or race, so the history can reopen it as it trained.
  const session = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const now = Date.now();
  const link = encodeExperiment(config, preset);
  for (const side of sidesOf(config)) {
    const runId = `${session}:${side}`;
    runs[side] = {
      side,
      clip: clipOf(config, side),
      phase: 'starting',
      backend: null,
      layout: null,
      step: 0,
      divergence: null,
      error: null,
      notices: [],
      stepsPerSecond: null,
      lastEval: null,
      runId,
      knobMarks: knobMarksOf(config, config.schedule, side),
      clipChanges: clipChangesOf(config.schedule, side),
    };
  }
  useLab.setState((s) => ({ runs, playing: false, generation: s.generation + 1 }));
  for (const side of sidesOf(config)) {
    // A disposed worker can still send a message or two before it closes: only the current one may touch the runs.
    const current = () => handles.get(side)?.client === client;
    const client: WorkerClient = createClient(
      (message) => {
        if (current()) onMessage(side, message);
      },
      (reason) => {
        if (current()) stopRun(side, `The training worker stopped unexpectedly (${reason}).`);
      },
    );
    const record: StoredRun = {
      id: `${session}:${side}`,
      session,
      createdAt: now,
      updatedAt: now,
      side,
      preset,
      link,
      config,
      clip: clipOf(config, side),
      phase: 'starting',
      step: 0,
      backend: null,
      layout: null,
      divergence: null,
      error: null,
    };
    handles.set(side, { client, target: 0, granted: 0, unsaved: record, computeSpeed: null, meter: new RateMeter() });
    client.send({ type: 'init', config, side, backend: backendChoice });
    client.send({ type: 'quiet', quiet: pageQuiet() });
  }
  markSeriesDirty();
}

/**
 * A new experiment: the old runs are discarded, never mixed into the new charts. `alongside` changes the rest of
 * the page's state (a link's view) in the same store change.
 */
export function applyExperiment(
  config: ExperimentConfig,
  preset: PresetId,
  alongside: Partial<Pick<LabState, 'view' | 'cliff' | 'linkIssues'>> = {},
): void {
  useLab.setState({ ...alongside, config, preset });
  resetRuns();
}

export function setBackendChoice(choice: BackendChoice): void {
  useLab.setState({ backendChoice: choice });
  resetRuns();
}

export function play(): void {
  // Runs still starting are not finished: Play waits for them (grant() starts them once ready). Restarting them
  // here threw away the workers' start-up, most of a second, on every Play pressed before they were ready.
  const starting = Object.values(useLab.getState().runs).some((r) => r?.phase === 'starting');
  const finished = !starting && activeSides().length === 0;
  if (finished) resetRuns();
  useLab.setState({ playing: true });
  grant();
}

export function pause(): void {
  useLab.setState({ playing: false });
  const runs = reportedRuns();
  for (const side of activeSides()) {
    const handle = handles.get(side);
    const run = runs[side] as RunView;
    if (!handle) continue;
    handle.target = run.step;
    handle.meter.reset();
    handle.client.send({ type: 'advance', toStep: run.step, duty: duty() });
    // A knob turned now goes in after the highest step granted: the worker may be past run.step already.
    updateRun(side, { phase: 'paused' });
  }
}

/** One step of every active run. */
export function stepOnce(): void {
  useLab.setState({ playing: false });
  const { config } = useLab.getState();
  const runs = reportedRuns();
  // A run still starting takes the step too: its worker keeps the grant and takes it once it is ready.
  const active = (Object.keys(runs) as RunSide[]).filter(
    (side) => runs[side]?.phase === 'starting' || activeSides().includes(side),
  );
  if (active.length === 0) return;
  // By the steps granted, not the steps reported: a second press before a run has reported its first step
  // would otherwise only repeat the first grant and be lost.
  const granted = (side: RunSide) => Math.max(handles.get(side)?.target ?? 0, (runs[side] as RunView).step);
  const floor = Math.min(...active.map(granted));
  for (const side of active) {
    const handle = handles.get(side);
    if (!handle || granted(side) > floor) continue; // the one ahead waits for the other
    grantTo(handle, Math.min(config.steps, floor + 1));
  }
}

/**
 * Shows stored runs on the charts in place of the live ones (which are discarded).
 * Play or Reset trains the experiment afresh.
 */
export function showStoredRuns(stored: StoredRunView[], config: ExperimentConfig, preset: PresetId): void {
  disposeAll();
  const runs: Partial<Record<RunSide, RunView>> = {};
  for (const { side, view, series } of stored) {
    runs[side] = view;
    seriesBySide.set(side, series);
  }
  useLab.setState((s) => ({ config, preset, runs, playing: false, generation: s.generation + 1 }));
  markSeriesDirty();
}

/** Fault injection, used by the tests and by "what happens if" demos. */
export function simulateFault(side: RunSide, fault: SimulatedFault): void {
  handles.get(side)?.client.send({ type: 'simulate', fault });
}
