/**
 * Drives the sweep page's workers: starts a sweep of the current experiment and grid, gathers each cell's
 * outcome as it arrives, the progress and an ETA, cancels, and keeps the sweep in the sweep history (IndexedDB).
 * The dense net with SGD trains as one batched program in one worker; anything else is trained one cell at a
 * time, its cells dealt out to MAX_SWEEP_WORKERS workers (two cores train two cells at once). A worker that dies
 * ends the sweep with a message; the cells it finished are kept.
 */
import type { PresetId } from '../experiment/presets.ts';
import { storageProblem } from '../persist/storageProblem.ts';
import { cellExperiment, sweepGrid, sweepRefusal, type SweepCell } from '../experiment/sweep.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import { SweepHistory, type StoredSweep } from '../persist/sweepHistory.ts';
import { sweepJson } from '../persist/sweepExport.ts';
import { sweepMethod } from '../train/sweep/sweepMethod.ts';
import { WorkerPort, labWorker } from '../worker/client.ts';
import { unreachable, type DataProgress, type FromSweepWorker, type ToSweepWorker } from '../worker/protocol.ts';
import { pageLoad } from '../present/dataLoad.ts';
import { useLab, type SweepView } from './labStore.ts';
import { applyExperiment } from './session.ts';

type SweepPort = WorkerPort<ToSweepWorker, FromSweepWorker>;

/** At most this many workers train cells one at a time side by side (see docs/PERFORMANCE.md). */
export const MAX_SWEEP_WORKERS = 2;

interface Active {
  id: string;
  ports: Pick<SweepPort, 'send' | 'terminate'>[];
  /** Per worker: cell-steps done and its total. */
  progress: { done: number; total: number }[];
  /** Per worker: its MNIST download while it loads its data (null: not heard of yet), and whether it has started. */
  loads: (DataProgress | null)[];
  started: Set<number>;
  running: Set<number>;
  startedMs: number;
}

let active: Active | null = null;
let nextId = 1;

function sweepWorkerCount(method: 'batched' | 'one-at-a-time', cells: number): number {
  if (method === 'batched') return 1;
  const cores = typeof navigator !== 'undefined' ? (navigator.hardwareConcurrency ?? 1) : 1;
  return Math.max(1, Math.min(MAX_SWEEP_WORKERS, cores, cells));
}

export type SweepPortFactory = (
  onMessage: (m: FromSweepWorker) => void,
  onCrash: (reason: string) => void,
) => Pick<SweepPort, 'send' | 'terminate'>;

let createPort: SweepPortFactory = (onMessage, onCrash) =>
  new WorkerPort<ToSweepWorker, FromSweepWorker>(() => labWorker('sweep'), onMessage, onCrash);

/** Tests: workers that are not Web Workers. */
export function setSweepPortFactory(factory: SweepPortFactory): void {
  createPort = factory;
}

// --- history -------------------------------------------------------------------------------------------------

let opened: Promise<SweepHistory | null> | null = null;

function sweepHistory(): Promise<SweepHistory | null> {
  opened ??= SweepHistory.open().catch((error: unknown) => {
    useLab.setState({ sweepHistoryError: `Sweeps are not being saved: ${storageProblem(error)}.` });
    return null;
  });
  return opened;
}

function stored(view: SweepView): StoredSweep {
  const {
    done: _done,
    total: _total,
    etaMs: _eta,
    backend: _backend,
    workers: _workers,
    notices: _notices,
    ...record
  } = view;
  return record;
}

let saveTimer: ReturnType<typeof setTimeout> | null = null;

function saveNow(): void {
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = null;
  const view = useLab.getState().sweepRun;
  if (!view) return;
  const record = stored(view);
  void sweepHistory().then(async (history) => {
    if (!history) return;
    try {
      await history.save(record);
      await refreshSweepHistory();
    } catch (error) {
      useLab.setState({ sweepHistoryError: `Sweeps are not being saved: ${storageProblem(error)}.` });
    }
  });
}

/** Cells arrive in bursts (a batched sweep's all at once): one write for the burst. */
function saveSoon(): void {
  saveTimer ??= setTimeout(saveNow, 300);
}

export async function refreshSweepHistory(): Promise<void> {
  const history = await sweepHistory();
  if (!history) return;
  useLab.setState({ sweepHistory: await history.list() });
}

export async function deleteStoredSweep(id: string): Promise<void> {
  const history = await sweepHistory();
  await history?.delete(id);
  await refreshSweepHistory();
}

// --- the sweep -------------------------------------------------------------------------------------------------

function patchSweep(id: string, patch: (view: SweepView) => Partial<SweepView>): void {
  useLab.setState((s) => {
    if (!s.sweepRun || s.sweepRun.id !== id) return s;
    return { sweepRun: { ...s.sweepRun, ...patch(s.sweepRun), updatedAt: Date.now() } };
  });
}

/** Ends the active sweep: workers go, the record is written. */
function finish(phase: StoredSweep['phase'], error: string | null): void {
  const current = active;
  if (!current) return;
  active = null;
  for (const port of current.ports) port.terminate();
  patchSweep(current.id, (v) => ({
    phase,
    error,
    elapsedMs: performance.now() - current.startedMs,
    etaMs: null,
    dataLoad: null,
    done: phase === 'finished' ? v.total : v.done,
  }));
  saveNow();
}

/** The bar the sweep page shows while its workers download MNIST: the slowest of those not yet training. */
function sweepDataLoad(current: Active): DataProgress | null {
  return pageLoad(current.loads.filter((_, w) => !current.started.has(w)));
}

function onProgress(current: Active): void {
  const done = current.progress.reduce((sum, p) => sum + p.done, 0);
  const total = current.progress.reduce((sum, p) => sum + p.total, 0);
  const elapsedMs = performance.now() - current.startedMs;
  patchSweep(current.id, (v) => ({
    done,
    total: Math.max(total, v.total),
    elapsedMs,
    etaMs: done > 0 ? (elapsedMs / done) * (v.total - done) : null,
  }));
}

function handle(current: Active, worker: number, message: FromSweepWorker): void {
  if (active !== current) return;
  switch (message.type) {
    case 'backend':
      patchSweep(current.id, () => ({ backend: message.backend }));
      return;
    case 'notice':
      patchSweep(current.id, (v) => ({ notices: [...v.notices, message.message] }));
      return;
    case 'started':
      current.started.add(worker);
      patchSweep(current.id, () => ({
        method: message.method,
        classifier: message.classifier,
        dataLoad: sweepDataLoad(current),
      }));
      return;
    case 'data-progress':
      current.loads[worker] = { loadedBytes: message.loadedBytes, totalBytes: message.totalBytes };
      patchSweep(current.id, () => ({ dataLoad: sweepDataLoad(current) }));
      return;
    case 'progress':
      current.progress[worker] = { done: message.done, total: message.total };
      onProgress(current);
      return;
    case 'cell':
      patchSweep(current.id, (v) => {
        const outcomes = v.outcomes.slice();
        outcomes[message.index] = message.outcome;
        return { outcomes };
      });
      saveSoon();
      return;
    case 'done':
      current.running.delete(worker);
      if (current.running.size === 0) finish(message.cancelled ? 'cancelled' : 'finished', null);
      return;
    case 'error':
      fail(current, `The sweep stopped: ${message.message}`);
      return;
    default:
      unreachable(message);
  }
}

function fail(current: Active, why: string): void {
  if (active !== current) return;
  const view = useLab.getState().sweepRun;
  const kept = view ? view.outcomes.filter((o) => o !== null).length : 0;
  const cells = kept === 1 ? 'the 1 finished cell is kept' : `the ${kept} finished cells are kept`;
  finish('failed', `${why}; ${cells}. Press Run sweep to train the grid again.`);
}

/** Starts a sweep of the page's experiment and grid (a running one is cancelled first). */
export function startSweep(): void {
  const { config, preset, view } = useLab.getState();
  const refused = sweepRefusal(config);
  if (refused) throw new Error(refused);
  if (active) finish('cancelled', null);
  const settings = structuredClone(view.sweep);
  const { lr, clip, cells } = sweepGrid(settings);
  const steps = settings.steps ?? config.steps;
  const { method } = sweepMethod(config);
  const id = `sweep-${Date.now().toString(36)}-${nextId++}`;
  const now = Date.now();
  const record: SweepView = {
    id,
    createdAt: now,
    updatedAt: now,
    preset,
    link: encodeExperiment(config, preset, { ...view, page: 'sweep', sweep: settings, locked: [] }),
    config,
    settings,
    lr,
    clip,
    steps,
    method,
    classifier: null,
    outcomes: cells.map(() => null),
    phase: 'running',
    elapsedMs: 0,
    error: null,
    done: 0,
    total: cells.length * steps,
    etaMs: null,
    backend: null,
    workers: sweepWorkerCount(method, cells.length),
    notices: [],
  };
  useLab.setState({ sweepRun: record });
  const { workers } = record;
  const current: Active = {
    id,
    ports: [],
    progress: Array.from({ length: workers }, () => ({ done: 0, total: 0 })),
    loads: Array.from({ length: workers }, () => null),
    started: new Set(),
    running: new Set(Array.from({ length: workers }, (_, w) => w)),
    startedMs: performance.now(),
  };
  active = current;
  for (let w = 0; w < workers; w++) {
    // Dealt round-robin, so every worker gets small and large learning rates alike.
    const indices = cells.map((_, k) => k).filter((k) => k % workers === w);
    const port = createPort(
      (message) => handle(current, w, message),
      (reason) => fail(current, `A sweep worker stopped (${reason})`),
    );
    current.ports.push(port);
    port.send({
      type: 'start',
      config,
      cells: indices.map((k) => cells[k] as SweepCell),
      indices,
      steps,
      method,
    });
  }
  saveNow();
}

/** Stops the sweep after the step in flight; finished cells stay. */
export function cancelSweep(): void {
  const current = active;
  if (!current) return;
  for (const port of current.ports) port.send({ type: 'cancel' });
  // A worker busy in a long step still ends: the finished cells are already here.
  setTimeout(() => {
    if (active === current) finish('cancelled', null);
  }, 2000);
}

/** Shows a stored sweep on the page, with its experiment and grid. */
export function reopenSweep(sweep: StoredSweep): void {
  if (active) finish('cancelled', null);
  applyExperiment(structuredClone(sweep.config), sweep.preset);
  const total = sweep.outcomes.length * sweep.steps;
  useLab.setState((s) => ({
    view: { ...s.view, sweep: structuredClone(sweep.settings) },
    sweepRun: {
      ...structuredClone(sweep),
      done: sweep.phase === 'finished' ? total : 0,
      total,
      etaMs: null,
      backend: null,
      workers: 0,
      notices: [],
    },
  }));
}

/**
 * Shows an imported sweep on the sweep page at once (viewing never waits on storage), then keeps it in the sweep
 * history where the browser keeps one: the returned promise settles once that is done or has failed (a failure is
 * said once, in Past sweeps, as for any sweep). A stored sweep with the same id is never overwritten: the same sweep
 * is not stored twice, a different one gets an id of its own. Refused while a sweep trains, which showing another
 * would cancel.
 */
export function showImportedSweep(sweep: StoredSweep, fileName: string): { kept: Promise<void> } {
  if (active)
    throw new Error('a sweep is training on the sweep page; import the file once it has finished or been cancelled');
  reopenSweep(sweep);
  const from = fileName.length > 80 ? `${fileName.slice(0, 79)}…` : fileName;
  useLab.setState((s) => ({
    view: { ...s.view, page: 'sweep' },
    sweepRun: s.sweepRun && { ...s.sweepRun, notices: [`Imported from ${from}.`] },
  }));
  return { kept: keepImported(sweep) };
}

async function keepImported(sweep: StoredSweep): Promise<void> {
  const history = await sweepHistory();
  if (!history) return;
  try {
    const existing = await history.get(sweep.id);
    if (existing && sweepJson(existing) === sweepJson(sweep)) return refreshSweepHistory();
    const record = existing ? { ...sweep, id: `${sweep.id}:imported-${Date.now().toString(36)}` } : sweep;
    await history.save(record);
    if (record !== sweep)
      useLab.setState((s) => (s.sweepRun?.id === sweep.id ? { sweepRun: { ...s.sweepRun, id: record.id } } : s));
    await refreshSweepHistory();
  } catch (error) {
    useLab.setState({ sweepHistoryError: `Sweeps are not being saved: ${storageProblem(error)}.` });
  }
}

/** Opens a cell's pair (or race) on the training page: that learning rate and threshold, the sweep's steps. */
export function openSweepCell(sweep: Pick<StoredSweep, 'config' | 'preset' | 'steps'>, cell: SweepCell): void {
  applyExperiment(cellExperiment(sweep.config, cell, sweep.steps), sweep.preset as PresetId);
  useLab.setState((s) => ({ view: { ...s.view, page: 'runs' } }));
}

/** Test hook: the active sweep's id, or null. */
export function activeSweepId(): string | null {
  return active?.id ?? null;
}
