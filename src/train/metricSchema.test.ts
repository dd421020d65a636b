import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS, csvHeader, csvRow, metricsTable, type MetricSpec } from './metricSchema.ts';
import type { EvalMetrics, RunLayout, StepMetrics } from './metrics.ts';

const layout: RunLayout = {
  params: [
    { name: 'rnn0.W_ih', layer: 'rnn0', size: 4 },
    { name: 'rnn0.b_ih', layer: 'rnn0', size: 2 },
    { name: 'out.weight', layer: 'out', size: 2 },
  ],
  layers: ['rnn0', 'out'],
  hiddenLayers: 1,
  timeSteps: 2,
  classifier: true,
};

const step: StepMetrics = {
  step: 7,
  epoch: 2,
  loss: 0.5,
  accuracy: 0.25,
  globalNormPre: 13,
  globalNormPost: 1,
  clipFraction: 1,
  clipScale: 1 / 13,
  gradNormPre: [3, 4, 12],
  gradNormPost: [3 / 13, 4 / 13, 12 / 13],
  weightNorm: [1, 2, 3],
  updateRatio: [0.1, 0.2, 0.3],
  layerNormPre: [5, 12],
  layerNormPost: [5 / 13, 12 / 13],
  hiddenGradNorms: [0.5, 2],
  spectralNorm: [1.25],
  saturation: [0.5],
};

describe('the metric schema', () => {
  it('names every column of a layout once, in a fixed order', () => {
    const header = csvHeader(layout);
    expect(header.slice(0, 11)).toEqual([
      'step',
      'epoch',
      'batch_loss',
      'batch_accuracy',
      'global_grad_norm_pre',
      'global_grad_norm_post',
      'clip_fraction',
      'clip_scale',
      'clip_cosine',
      'test_accuracy',
      'test_loss',
    ]);
    expect(header).toContain('rnn0_weight_grad_norm_post');
    expect(header).toContain('rnn0.b_ih_grad_norm_pre');
    expect(header.slice(-2)).toEqual(['dL_dh_l0_t1', 'dL_dh_l0_t2']);
    expect(new Set(header).size).toBe(header.length);
    // 11 per step, 4 per layer, 4 per parameter, 2 per recurrent layer, 1 per layer and time step.
    expect(header).toHaveLength(11 + 4 * 2 + 4 * 3 + 2 + 2);
    expect(header).toContain('rnn0_whh_spectral_norm');
    expect(header).toContain('rnn0_saturated_fraction');
    expect(header).not.toContain('out_whh_spectral_norm');
  });

  it('writes each figure under its own column; weights-only norms leave the biases out', () => {
    const header = csvHeader(layout);
    const row = csvRow(layout, step);
    expect(row).toHaveLength(header.length);
    const value = (column: string) => row[header.indexOf(column)];
    expect(value('batch_loss')).toBe(0.5);
    expect(value('rnn0_grad_norm_pre')).toBe(5); // sqrt(3^2 + 4^2): W_ih and b_ih
    expect(value('rnn0_weight_grad_norm_pre')).toBe(3); // W_ih only
    expect(value('out_weight_grad_norm_post')).toBeCloseTo(12 / 13, 12);
    expect(value('rnn0.W_ih_update_ratio')).toBe(0.1);
    expect(value('dL_dh_l0_t2')).toBe(2);
    expect(value('rnn0_whh_spectral_norm')).toBe(1.25);
    expect(value('rnn0_saturated_fraction')).toBe(0.5);
    expect(value('test_accuracy')).toBe('');
  });

  it('fills the evaluation columns only on an evaluated step', () => {
    const header = csvHeader(layout);
    const evaluation: EvalMetrics = { step: 7, testAccuracy: 0.9, testLoss: 0.3, examples: 1000 };
    const row = csvRow(layout, step, evaluation);
    expect(row[header.indexOf('test_accuracy')]).toBe(0.9);
    expect(row[header.indexOf('test_loss')]).toBe(0.3);
  });

  it('leaves a cell empty, not the row shifted, when a figure is missing', () => {
    const row = csvRow(layout, { ...step, hiddenGradNorms: null, accuracy: null });
    expect(row).toHaveLength(csvHeader(layout).length);
    expect(row.slice(-2)).toEqual(['', '']);
  });

  it('every metric has a unit and a sentence, and docs/METRICS.md lists exactly the schema', () => {
    for (const spec of Object.values(METRICS) as MetricSpec[]) {
      expect(spec.unit.length, spec.column).toBeGreaterThan(0);
      expect(spec.meaning, spec.column).toMatch(/^\S.{20,}\.$/s);
    }
    const doc = readFileSync(new URL('../../docs/METRICS.md', import.meta.url), 'utf8');
    const start = doc.indexOf('<!-- metrics table: generated from src/train/metricSchema.ts -->');
    const end = doc.indexOf('<!-- end of metrics table -->');
    expect(start, 'the table markers in docs/METRICS.md').toBeGreaterThan(0);
    expect(doc.slice(start, end).split('\n').slice(1).join('\n').trim()).toBe(metricsTable());
  });
});
