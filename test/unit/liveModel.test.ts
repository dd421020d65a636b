/**
 * A chart's live model follows the series outside React. New steps rebuild the models a few per task, not all in
 * the store update's task; new runs rebuild them at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useLab } from '../../src/store/labStore.ts';
import { LiveModel, REFRESH_SLICE_MS, nextTask } from '../../src/charts/live.ts';

const stops: (() => void)[] = [];
/** The page's clock, moved only by the builds: how long a build takes is what the test says. */
let clockMs = 0;
beforeEach(() => {
  vi.spyOn(performance, 'now').mockImplementation(() => clockMs);
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.restoreAllMocks();
});

/** A model whose build takes `ms` on the page's clock and counts its builds. */
function model(ms: number) {
  const counted = { builds: 0 };
  const live = new LiveModel(() => {
    clockMs += ms;
    return ++counted.builds;
  });
  stops.push(live.start());
  return { live, counted };
}

/** Resolves after the task queued now (a task of its own, as the slices are). */
const afterNextTask = () => new Promise<void>((resolve) => nextTask(resolve));

const bumpSeries = () => useLab.setState((s) => ({ seriesVersion: s.seriesVersion + 1 }));

describe('live models', () => {
  it("rebuild for new steps after the store update's task, not in it", async () => {
    const { live, counted } = model(0);
    // Built when made, and again when started.
    expect(counted.builds).toBe(2);
    bumpSeries();
    expect(live.get()).toBe(2);
    await afterNextTask();
    expect(live.get()).toBe(3);
  });

  it('share the rebuilds out over tasks of about REFRESH_SLICE_MS', async () => {
    // Three models of 5 ms each: two fit in one slice of 8 ms (the second ends it), the third waits a task.
    const models = [model(5), model(5), model(5)];
    expect(REFRESH_SLICE_MS).toBe(8);
    bumpSeries();
    await afterNextTask();
    expect(models.map((m) => m.counted.builds)).toEqual([3, 3, 2]);
    await afterNextTask();
    expect(models.map((m) => m.counted.builds)).toEqual([3, 3, 3]);
  });

  it('rebuild at once for new runs, and never once stopped', async () => {
    const { live, counted } = model(0);
    useLab.setState((s) => ({ generation: s.generation + 1 }));
    expect(live.get()).toBe(3);
    bumpSeries();
    stops.splice(0).forEach((stop) => stop());
    await afterNextTask();
    await afterNextTask();
    expect(counted.builds).toBe(3);
  });
});
