import { describe, expect, it } from 'vitest';
import type { RunLayout, StepMetrics } from '../train/metrics.ts';
import { downsampleMinMax } from './downsample.ts';
import { BUCKETS, BandSeries, HEAD, RunSeries, TAIL, layerColumn } from './series.ts';

const LAYOUT: RunLayout = {
  params: [{ name: 'w', layer: 'fc1', size: 4 }],
  layers: ['fc1'],
  hiddenLayers: 0,
  timeSteps: 0,
  classifier: false,
};

function step(n: number, loss: number): StepMetrics {
  return {
    step: n,
    epoch: 1,
    loss,
    accuracy: null,
    globalNormPre: loss,
    globalNormPost: 1,
    clipFraction: n % 3 === 0 ? 0.5 : 0,
    clipScale: 1,
    gradNormPre: [loss],
    gradNormPost: [1],
    weightNorm: [1],
    updateRatio: [0],
    layerNormPre: [loss],
    layerNormPost: [1],
    hiddenGradNorms: null,
  };
}

function fill(series: RunSeries, from: number, to: number, lossOf: (n: number) => number): void {
  const batch: StepMetrics[] = [];
  for (let n = from; n <= to; n++) batch.push(step(n, lossOf(n)));
  series.append(batch);
}

describe('a run series in bounded memory', () => {
  it("keeps a recurrent layer's ||W_hh|| and saturated fraction under the schema's names", () => {
    const layout: RunLayout = { ...LAYOUT, layers: ['rnn0', 'out'], hiddenLayers: 1, timeSteps: 28 };
    const s = new RunSeries(layout);
    s.append([
      { ...step(1, 2), layerNormPre: [3, 4], spectralNorm: [2.5], saturation: [0.25] },
      { ...step(2, 2), layerNormPre: [3, 4], spectralNorm: [0.75], saturation: [0.5] },
    ]);
    expect(s.points(layerColumn('spectralNorm', 'rnn0'), [1, 2], 10).map((p) => p.y)).toEqual([2.5, 0.75]);
    expect(s.points(layerColumn('saturation', 'rnn0'), [1, 2], 10).map((p) => p.y)).toEqual([0.25, 0.5]);
    expect(s.points(layerColumn('layerNormPre', 'out'), [1, 2], 10).map((p) => p.y)).toEqual([4, 4]);
  });

  it("keeps every charted metric of the registry, a figure a record lacks as a gap, and each recurrent layer's own", () => {
    const layout: RunLayout = { ...LAYOUT, layers: ['gru0', 'gru1', 'out'], hiddenLayers: 2, timeSteps: 28 };
    const s = new RunSeries(layout);
    const { clipCosine, ...older } = { ...step(1, 2), clipCosine: 0.5 };
    expect(clipCosine).toBe(0.5);
    s.append([
      { ...older, accuracy: 0.75, layerNormPost: [1, 2, 3], spectralNorm: [1.5, 2.5], saturation: [0.1, 0.2] },
      { ...step(2, 3), clipCosine: 0.25, layerNormPost: [4, 5, 6], spectralNorm: [3.5, 4.5], saturation: [0.3, 0.4] },
    ]);
    const ys = (column: Parameters<RunSeries['points']>[0]) => s.points(column, [1, 2], 10).map((p) => [p.x, p.y]);
    expect(ys('accuracy')).toEqual([[1, 0.75]]);
    expect(ys('clipCosine')).toEqual([[2, 0.25]]);
    expect(ys('clipScale')).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(ys(layerColumn('layerNormPost', 'gru1'))).toEqual([
      [1, 2],
      [2, 5],
    ]);
    expect(ys(layerColumn('spectralNorm', 'gru1'))).toEqual([
      [1, 2.5],
      [2, 4.5],
    ]);
    expect(ys(layerColumn('saturation', 'gru0'))).toEqual([
      [1, 0.1],
      [2, 0.3],
    ]);
    expect(ys(layerColumn('spectralNorm', 'out'))).toEqual([]);
  });

  it('keeps every step of a short run at full resolution', () => {
    const s = new RunSeries(LAYOUT);
    fill(s, 1, 500, (n) => n);
    expect(s.points('loss', [1, 500], 10_000).map((p) => p.x)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(s.recentRows).toHaveLength(500);
  });

  it('a 100,000-step run keeps a fixed amount of data, and a one-step spike in the middle survives', () => {
    const s = new RunSeries(LAYOUT);
    const SPIKE = 54_321;
    for (let from = 1; from <= 100_000; from += 1000)
      fill(s, from, from + 999, (n) => (n === SPIKE ? 1e9 : 1 + (n % 7)));
    expect(s.count).toBe(100_000);
    expect(s.recentRows).toHaveLength(TAIL);
    expect(s.last?.step).toBe(100_000);
    expect(s.first?.step).toBe(1);
    const whole = s.points('loss', [1, 100_000], 600);
    expect(whole.length).toBeLessThanOrEqual(600);
    expect(Math.max(...whole.map((p) => p.y))).toBe(1e9);
    expect(whole.find((p) => p.y === 1e9)?.x).toBe(SPIKE);
    // The first HEAD and the last TAIL steps stay exact.
    expect(s.points('loss', [1, HEAD], 10_000)).toHaveLength(HEAD);
    expect(s.points('loss', [100_000 - TAIL + 1, 100_000], 10_000)).toHaveLength(TAIL);
  });

  it('memory does not grow with the run: the same buckets after 10,000 and 100,000 steps', () => {
    const s = new RunSeries(LAYOUT);
    fill(s, 1, 10_000, (n) => n);
    const early = s.points('loss', [1, 10_000], 1e9).length;
    fill(s, 10_001, 100_000, (n) => n);
    const late = s.points('loss', [1, 100_000], 1e9).length;
    expect(early).toBeLessThanOrEqual(2 * BUCKETS);
    expect(late).toBeLessThanOrEqual(2 * BUCKETS);
  });

  it('never hands a chart NaN or Infinity', () => {
    const s = new RunSeries(LAYOUT);
    fill(s, 1, 5, (n) => (n === 5 ? Infinity : n === 4 ? NaN : n));
    expect(s.points('loss', [1, 5], 100).map((p) => p.x)).toEqual([1, 2, 3]);
  });

  it('gives, from its fixed arrays, the points a plain reading of every step would: head, tail and buckets', () => {
    // A plain reference: the run's every loss, grouped into buckets of the width the series has reached (the
    // smallest power of two that fits the run in BUCKETS), each bucket's earliest lowest and highest finite value.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const count = 3 * BUCKETS * 2 + 123;
    // A flat stretch: a bucket whose lowest and highest value are one step's.
    const loss = Array.from({ length: count }, (_, k) => {
      const r = random();
      if (k >= 6000 && k < 6100) return 3;
      return r < 0.01 ? NaN : r < 0.02 ? Infinity : Math.floor(random() * 20) - 5;
    });
    const s = new RunSeries(LAYOUT);
    for (let from = 1; from <= count; from += 97) fill(s, from, Math.min(count, from + 96), (n) => loss[n - 1] ?? NaN);
    let width = 1;
    while (Math.ceil(count / width) > BUCKETS) width *= 2;
    const buckets: [number[], number[]] = [[], []];
    for (let start = 1; start <= count; start += width) {
      let [lo, hi] = [start, start];
      let [min, max] = [NaN, NaN];
      for (let n = start; n < start + width && n <= count; n++) {
        const y = loss[n - 1] ?? NaN;
        if (!Number.isFinite(y)) continue;
        if (!(y >= min)) [min, lo] = [y, n];
        if (!(y <= max)) [max, hi] = [y, n];
      }
      for (const [x, y] of lo <= hi
        ? [
            [lo, min],
            [hi, max],
          ]
        : [
            [hi, max],
            [lo, min],
          ]) {
        if (buckets[0].at(-1) === x) continue;
        buckets[0].push(x as number);
        buckets[1].push(y as number);
      }
    }
    const reference = ([from, to]: [number, number], maxPoints: number, positiveOnly: boolean) => {
      if (to <= HEAD || from > count - TAIL) {
        const xs = Array.from({ length: to - from + 1 }, (_, k) => from + k);
        return downsampleMinMax(
          xs,
          xs.map((x) => loss[x - 1] ?? NaN),
          maxPoints,
          { positiveOnly },
        );
      }
      const kept = buckets[0].flatMap((x, k) => (x >= from && x <= to ? [k] : []));
      const xs = kept.map((k) => buckets[0][k] as number);
      return downsampleMinMax(
        xs,
        kept.map((k) => buckets[1][k] as number),
        maxPoints,
        { positiveOnly },
      );
    };
    const windows: [number, number][] = [
      [1, count],
      [1, HEAD],
      [200, 1500],
      [count - TAIL + 1, count],
      [count - 300, count],
      [HEAD - 10, count - 10],
      [5000, 9000],
    ];
    for (const window of windows)
      for (const maxPoints of [1e9, 600, 37])
        for (const positiveOnly of [false, true])
          expect(s.points('loss', window, maxPoints, { positiveOnly }), `${window.join('-')} ${maxPoints}`).toEqual(
            reference(window, maxPoints, positiveOnly),
          );
  });
});

describe("a run's seed bands", () => {
  it('keeps each step’s median, lowest and highest seed, and a gap where no seed was finite', () => {
    const bands = new BandSeries();
    const band = (median: number, min: number, max: number) => ({ median, min, max, finite: 3 });
    // Past the first 256 rows, so the arrays have to grow.
    const rows = Array.from({ length: 300 }, (_, i) => ({
      step: i + 1,
      loss: i === 9 ? null : band(10 + i, 5 + i, 20 + i),
      globalNorm: band(1, 0.5, 2),
    }));
    bands.add(rows, [{ step: 300, test: band(0.1, 0.05, 0.2) }]);
    expect(bands.count).toBe(300);
    expect(bands.lastStep).toBe(300);
    expect(bands.points('loss', 'median', [1, 3], 100)).toEqual([
      { x: 1, y: 10 },
      { x: 2, y: 11 },
      { x: 3, y: 12 },
    ]);
    expect(bands.points('loss', 'min', [299, 300], 100)).toEqual([
      { x: 299, y: 303 },
      { x: 300, y: 304 },
    ]);
    expect(bands.points('loss', 'max', [9, 11], 100).map((p) => p.x)).toEqual([9, 11]);
    expect(bands.points('globalNorm', 'max', [1, 300], 100).every((p) => p.y === 2)).toBe(true);
    expect(bands.tests).toEqual([{ step: 300, test: band(0.1, 0.05, 0.2) }]);
  });
});
