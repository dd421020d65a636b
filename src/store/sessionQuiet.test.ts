/**
 * The runs' workers hear whether the page is quiet (auto's backend trial waits for it): the state when a worker
 * starts, then every change. Quietness itself is store/quiet.ts's, tested in quiet.test.ts; here it is a stand-in.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESETS } from '../experiment/presets.ts';
import type { ToWorker } from '../worker/protocol.ts';
import { useLab } from './labStore.ts';

const quietness = vi.hoisted(() => ({ listener: null as ((quiet: boolean) => void) | null }));
vi.mock('./quiet.ts', () => ({
  onQuietChange: (listener: (quiet: boolean) => void) => {
    quietness.listener = listener;
    listener(false);
    return () => {};
  },
}));

const { applyExperiment, setClientFactory } = await import('./session.ts');

let sent: ToWorker[][] = [];

beforeEach(() => {
  sent = [];
  setClientFactory(() => {
    const mine: ToWorker[] = [];
    sent.push(mine);
    return { send: (m) => mine.push(m), terminate: () => {}, dispose: () => {} };
  });
  useLab.setState({ runs: {}, playing: false });
});

const quietSent = (messages: ToWorker[]) => messages.filter((m) => m.type === 'quiet').map((m) => m.quiet);

describe('the workers hear when the page is quiet', () => {
  it('each new worker after its init, then every change, and only changes', () => {
    applyExperiment(PRESETS['dense-explode'].config, 'dense-explode');
    expect(sent).toHaveLength(2);
    for (const messages of sent) {
      expect(messages.map((m) => m.type)).toEqual(['init', 'quiet']);
      expect(quietSent(messages)).toEqual([false]);
    }
    quietness.listener?.(true);
    quietness.listener?.(true);
    quietness.listener?.(false);
    for (const messages of sent) expect(quietSent(messages)).toEqual([false, true, false]);
    // A new pair, made while the page is quiet, starts with that.
    quietness.listener?.(true);
    applyExperiment(PRESETS['dense-explode'].config, 'dense-explode');
    expect(sent).toHaveLength(4);
    for (const messages of sent.slice(2)) expect(quietSent(messages)).toEqual([true]);
  });
});
