import { describe, expect, it } from 'vitest';
import { progressOf } from './progress.ts';
import { RateMeter } from './rateMeter.ts';

/**
 * A 5-minute race on a fake clock: 20 s at 30 steps a second (kernels compiling, the backend being timed), then 330
 * steps a second, then from 150 s 180 steps a second (another tab takes a core), reported in batches every 100 ms
 * with a jitter of up to 40 ms and a 400 ms stall every 10 s.
 */
const CHANGES_MS = [20_000, 150_000];
const rateAt = (timeMs: number) => (timeMs < CHANGES_MS[0]! ? 30 : timeMs < CHANGES_MS[1]! ? 330 : 180);
function race(): { timeMs: number; step: number; trueRate: number }[] {
  const out: { timeMs: number; step: number; trueRate: number }[] = [];
  let step = 0;
  let timeMs = 0;
  let k = 0;
  while (timeMs < 300_000) {
    const rate = rateAt(timeMs);
    const dt = 100 + ((k * 37) % 41) + (k % 100 === 99 ? 400 : 0);
    timeMs += dt;
    step += (rate * dt) / 1000;
    out.push({ timeMs, step: Math.floor(step), trueRate: rate });
    k += 1;
  }
  return out;
}

describe('the speed over a recent window', () => {
  it('pins the rate by hand: 50 steps over the 5 s window is 10 steps a second, older samples forgotten', () => {
    const meter = new RateMeter(5000);
    expect(meter.rate()).toBeNull();
    meter.add(0, 0);
    expect(meter.rate()).toBeNull();
    meter.add(1000, 1000); // a burst, then slow
    meter.add(6000, 1050);
    // The sample at 1000 ms is the last at or before the window's start (6000 - 5000): 50 steps in 5 s.
    expect(meter.rate()).toBe(10);
    meter.add(8000, 1070);
    // Now 3000 ms is the window's start; 1000 is the last before it: (1070 - 1000) / 7 s.
    expect(meter.rate()).toBe(10);
    meter.reset();
    expect(meter.rate()).toBeNull();
  });

  it('stays within 20% of the true rate through a 5-minute race with a slow start, and the time left too', () => {
    const samples = race();
    const last = samples[samples.length - 1];
    if (!last) throw new Error('no samples');
    const total = last.step;
    const meter = new RateMeter();
    let worst = 0;
    let wholeRunWorst = 0;
    for (const s of samples) {
      meter.add(s.timeMs, s.step);
      // From 6 s after each change of pace (the window plus a stall).
      if (s.timeMs < CHANGES_MS[0]! + 6000 || (s.timeMs > CHANGES_MS[1]! && s.timeMs < CHANGES_MS[1]! + 6000)) continue;
      const rate = meter.rate() ?? 0;
      worst = Math.max(worst, Math.abs(rate - s.trueRate) / s.trueRate);
      wholeRunWorst = Math.max(wholeRunWorst, Math.abs((s.step * 1000) / s.timeMs - s.trueRate) / s.trueRate);
      // The time left assumes today's pace goes on: judged while it does, before the last change.
      if (s.timeMs < CHANGES_MS[1]!) {
        const { secondsLeft } = progressOf([{ phase: 'running', step: s.step, stepsPerSecond: rate }], total);
        const trueLeft = (total - s.step) / s.trueRate;
        expect(Math.abs((secondsLeft ?? 0) - trueLeft) / trueLeft).toBeLessThan(0.2);
      }
    }
    expect(worst).toBeLessThan(0.2);
    // A rate over the whole run, for contrast, is well outside 20% after the changes.
    expect(wholeRunWorst).toBeGreaterThan(0.3);
  });
});

describe('the speed and time left shown for a race', () => {
  it('counts only the runs still training: a diverged run, stuck at its last speed, neither slows nor delays the race', () => {
    const progress = progressOf(
      [
        { phase: 'diverged', step: 5, stepsPerSecond: 3 },
        { phase: 'running', step: 9000, stepsPerSecond: 330 },
        { phase: 'running', step: 8800, stepsPerSecond: 320 },
        { phase: 'finished', step: 10000, stepsPerSecond: 400 },
      ],
      10_000,
    );
    // The slowest training run (320) and the one furthest behind (8800): 1200 / 320 = 3.75 s.
    expect(progress).toEqual({ step: 10000, stepsPerSecond: 320, secondsLeft: 3.75 });
  });

  it('once no run trains, keeps the pace the runs last had (the slowest) and gives no time left', () => {
    expect(
      progressOf(
        [
          { phase: 'finished', step: 10, stepsPerSecond: 5 },
          { phase: 'diverged', step: 4, stepsPerSecond: 7 },
          { phase: 'crashed', step: 2, stepsPerSecond: null },
        ],
        10,
      ),
    ).toEqual({ step: 10, stepsPerSecond: 5, secondsLeft: null });
  });

  it('once a race is over, the pace is that of the runs that went the distance, not of one that diverged at step 5', () => {
    // The unclipped run diverged during the paced first steps (4 a second); the others finished at full speed.
    const race = progressOf(
      [
        { phase: 'diverged', step: 5, stepsPerSecond: 4.33 },
        { phase: 'finished', step: 400, stepsPerSecond: 52 },
        { phase: 'finished', step: 400, stepsPerSecond: 48 },
        { phase: 'finished', step: 400, stepsPerSecond: 50 },
      ],
      400,
    );
    expect(race).toEqual({ step: 400, stepsPerSecond: 48, secondsLeft: null });
  });

  it("gives no time left while the first steps are paced for watching: their pace is not the run's", () => {
    // Lesson 8 at step 3 of 2,000, paced to step 12 at about 4.6 a second: "about 7 min to go" would be false.
    const opening = progressOf([{ phase: 'running', step: 3, stepsPerSecond: 4.6 }], 2000, 12);
    expect(opening).toEqual({ step: 3, stepsPerSecond: 4.6, secondsLeft: null, slowUntil: 12 });
    // From step 12 the time left is back: 1988 steps at 400 a second.
    expect(progressOf([{ phase: 'running', step: 12, stepsPerSecond: 400 }], 2000, 12)).toEqual({
      step: 12,
      stepsPerSecond: 400,
      secondsLeft: 4.97,
    });
    // A run no longer than the pace is paced to its end: its time left is true (8 steps at 4 a second).
    expect(progressOf([{ phase: 'running', step: 2, stepsPerSecond: 4 }], 10, 12)).toEqual({
      step: 2,
      stepsPerSecond: 4,
      secondsLeft: 2,
    });
  });

  it('says nothing of speed when no run has one yet, training or not', () => {
    expect(progressOf([{ phase: 'running', step: 0, stepsPerSecond: null }], 10)).toEqual({
      step: 0,
      stepsPerSecond: null,
      secondsLeft: null,
    });
    expect(progressOf([{ phase: 'finished', step: 10, stepsPerSecond: null }], 10).stepsPerSecond).toBeNull();
    // A training run without a speed yet: the finished run's speed is not the race's pace.
    expect(
      progressOf(
        [
          { phase: 'running', step: 3, stepsPerSecond: null },
          { phase: 'finished', step: 10, stepsPerSecond: 5 },
        ],
        10,
      ).stepsPerSecond,
    ).toBeNull();
  });
});
