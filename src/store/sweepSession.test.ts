/** The sweep session without a browser: fake sweep workers record what they are told and answer like real ones. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import { DEFAULT_VIEW } from '../experiment/urlCodec.ts';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import type { FromSweepWorker, ToSweepWorker } from '../worker/protocol.ts';
import { useLab } from './labStore.ts';
import { setClientFactory } from './session.ts';
import { cancelSweep, openSweepCell, setSweepPortFactory, startSweep } from './sweepSession.ts';

interface FakePort {
  sent: ToSweepWorker[];
  emit: (message: FromSweepWorker) => void;
  crash: (reason: string) => void;
  terminated: boolean;
}

let ports: FakePort[] = [];

const grid = { lr: { from: 0.01, to: 0.1, count: 2 }, clip: { from: 1, to: 1, count: 1 }, steps: 10 };

function outcome(lr: number, clip: number | null, divergedAt: number | null = null): CellOutcome {
  return { lr, clip, divergedAt, finalLoss: 2, minLoss: 1, testAccuracy: null, steps: divergedAt ?? 10 };
}

beforeEach(() => {
  ports = [];
  setSweepPortFactory((onMessage, onCrash) => {
    const port: FakePort = { sent: [], emit: onMessage, crash: onCrash, terminated: false };
    ports.push(port);
    return { send: (m) => port.sent.push(m), terminate: () => (port.terminated = true) };
  });
  // Opening a cell starts the training page's pair: its workers are fakes too.
  setClientFactory(() => ({ send: () => {}, terminate: () => {}, dispose: () => {} }));
  useLab.setState({
    config: PRESETS['dense-explode'].config,
    preset: 'dense-explode',
    view: { ...DEFAULT_VIEW, page: 'sweep', sweep: grid },
    sweepRun: null,
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('the sweep session', () => {
  it('sends a batched sweep to one worker and fills cells, progress and an ETA as they come', () => {
    startSweep();
    expect(ports).toHaveLength(1);
    const start = ports[0]?.sent[0];
    expect(start).toMatchObject({ type: 'start', method: 'batched', steps: 10, indices: [0, 1, 2, 3] });
    ports[0]?.emit({ type: 'progress', done: 10, total: 40 });
    expect(useLab.getState().sweepRun).toMatchObject({ phase: 'running', done: 10, total: 40 });
    expect(useLab.getState().sweepRun?.etaMs).not.toBeNull();
    ports[0]?.emit({ type: 'cell', index: 3, outcome: outcome(0.1, null, 5) });
    expect(useLab.getState().sweepRun?.outcomes.map((o) => o?.divergedAt ?? null)).toEqual([null, null, null, 5]);
    for (const [k, lr, clip] of [
      [0, 0.01, 1],
      [1, 0.01, null],
      [2, 0.1, 1],
    ] as const)
      ports[0]?.emit({ type: 'cell', index: k, outcome: outcome(lr, clip) });
    ports[0]?.emit({ type: 'done', cancelled: false });
    expect(useLab.getState().sweepRun).toMatchObject({ phase: 'finished', done: 40, error: null });
    expect(ports[0]?.terminated).toBe(true);
  });

  it('deals a one-at-a-time sweep to two workers; a dead worker stops it with a message and keeps the cells', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
    useLab.setState({ config: { ...PRESETS['dense-explode'].config, optimizer: 'adam' } });
    startSweep();
    expect(ports.map((p) => (p.sent[0]?.type === 'start' ? p.sent[0].indices : []))).toEqual([
      [0, 2],
      [1, 3],
    ]);
    ports[1]?.emit({ type: 'cell', index: 1, outcome: outcome(0.01, null) });
    ports[0]?.crash('out of memory');
    const sweep = useLab.getState().sweepRun;
    expect(sweep?.phase).toBe('failed');
    expect(sweep?.error).toBe(
      'A sweep worker stopped (out of memory); the 1 finished cell is kept. Press Run sweep to train the grid again.',
    );
    expect(sweep?.outcomes[1]).toMatchObject({ lr: 0.01, clip: null });
    expect(ports.every((p) => p.terminated)).toBe(true);
    // A late message from the dead sweep changes nothing.
    ports[1]?.emit({ type: 'cell', index: 3, outcome: outcome(0.1, null) });
    expect(useLab.getState().sweepRun?.outcomes[3]).toBeNull();
  });

  it('shows the MNIST download of the worker furthest from done, until every worker trains', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
    useLab.setState({ config: { ...PRESETS['dense-explode'].config, optimizer: 'adam' } });
    startSweep();
    expect(ports).toHaveLength(2);
    const load = () => useLab.getState().sweepRun?.dataLoad ?? null;
    expect(load()).toBeNull();
    // One worker has 0.5 of 1.6 MB; the other, not heard of yet, counts as nothing of the same total.
    ports[0]?.emit({ type: 'data-progress', loadedBytes: 500_000, totalBytes: 1_600_000 });
    expect(load()).toEqual({ loadedBytes: 0, totalBytes: 1_600_000 });
    ports[1]?.emit({ type: 'data-progress', loadedBytes: 300_000, totalBytes: 1_600_000 });
    expect(load()).toEqual({ loadedBytes: 300_000, totalBytes: 1_600_000 });
    // The slower one has its data and trains: the bar follows the other.
    ports[1]?.emit({ type: 'data-progress', loadedBytes: 1_600_000, totalBytes: 1_600_000 });
    ports[1]?.emit({ type: 'started', method: 'one-at-a-time', classifier: true });
    expect(load()).toEqual({ loadedBytes: 500_000, totalBytes: 1_600_000 });
    ports[0]?.emit({ type: 'started', method: 'one-at-a-time', classifier: true });
    expect(load()).toBeNull();
  });

  it('cancels, and opens a cell as the pair on the training page', () => {
    startSweep();
    cancelSweep();
    expect(ports[0]?.sent.at(-1)).toEqual({ type: 'cancel' });
    ports[0]?.emit({ type: 'done', cancelled: true });
    const sweep = useLab.getState().sweepRun;
    expect(sweep?.phase).toBe('cancelled');
    if (!sweep) return;
    openSweepCell(sweep, { lr: 0.1, clip: 1 });
    const { config, view } = useLab.getState();
    expect(view.page).toBe('runs');
    expect(config).toMatchObject({ lr: 0.1, steps: 10, pair: true, clip: { mode: 'value', min: -1, max: 1 } });
  });

  it('refuses to sweep without a clipping mode', () => {
    useLab.setState({
      config: { ...PRESETS['dense-explode'].config, clip: { ...PRESETS['dense-explode'].config.clip, mode: 'none' } },
    });
    expect(() => startSweep()).toThrow(/^clip=none: /);
    expect(ports).toHaveLength(0);
  });
});
