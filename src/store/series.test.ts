import { describe, expect, it } from 'vitest';
import type { RunLayout, StepMetrics } from '../train/metrics.ts';
import { BUCKETS, HEAD, RunSeries, TAIL, layerColumn } from './series.ts';

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
});
