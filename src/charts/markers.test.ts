import { describe, expect, it } from 'vitest';
import { NO_CLIP } from '../experiment/config.ts';
import type { RunView } from '../store/labStore.ts';
import { divergenceMarkers, knobMarkers, labelRows } from './markers.ts';

function run(side: RunView['side'], patch: Partial<RunView>): RunView {
  return {
    side,
    clip: NO_CLIP,
    phase: 'running',
    backend: null,
    layout: null,
    step: 0,
    divergence: null,
    error: null,
    notices: [],
    stepsPerSecond: null,
    lastEval: null,
    runId: null,
    ...patch,
  };
}

describe('knob markers', () => {
  it('one marker per change at its step: a learning rate both runs took is marked once', () => {
    const runs = {
      baseline: run('baseline', { knobMarks: [{ step: 40, label: 'lr 0.07 → 0.01' }] }),
      clipped: run('clipped', {
        knobMarks: [
          { step: 20, label: 'clip norm:1 → norm:0.1' },
          { step: 40, label: 'lr 0.07 → 0.01' },
        ],
      }),
    };
    expect(knobMarkers(runs)).toEqual([
      { step: 20, label: 'clip norm:1 → norm:0.1 (step 20)', kind: 'knob' },
      { step: 40, label: 'lr 0.07 → 0.01 (step 40)', kind: 'knob' },
    ]);
  });

  it('every chart draws them with the divergences', () => {
    const runs = {
      baseline: run('baseline', { divergence: { step: 5, what: 'loss', value: 'Infinity' } }),
      clipped: run('clipped', { knobMarks: [{ step: 7, label: 'lr 0.07 → 0.5' }] }),
    };
    expect(divergenceMarkers(runs).map((m) => m.step)).toEqual([5, 7]);
    expect(divergenceMarkers(runs)[1]?.label).toBe('lr 0.07 → 0.5 (step 7)');
    // A divergence is drawn red, a knob grey: the marker says which it is.
    expect(divergenceMarkers(runs).map((m) => m.kind)).toEqual([undefined, 'knob']);
  });
});

describe('the rows of labels at close steps', () => {
  it('puts a label in the first row whose last label ends before it, so none is drawn over another', () => {
    // Widths 8: at x 10 and 11 the second overlaps the first (ends at 18); at 40 the first row is free again.
    expect(
      labelRows([
        { x: 10, width: 8 },
        { x: 11, width: 8 },
        { x: 40, width: 8 },
      ]),
    ).toEqual([0, 1, 0]);
    // Given out of order, each keeps its own row; 20 starts 2 px after 18, the gap allowed.
    expect(
      labelRows([
        { x: 11, width: 8 },
        { x: 20, width: 8 },
        { x: 10, width: 8 },
        { x: 12, width: 8 },
      ]),
    ).toEqual([1, 0, 0, 2]);
    // 19 starts 1 px after 18, inside the gap: a row of its own.
    expect(
      labelRows([
        { x: 10, width: 8 },
        { x: 19, width: 8 },
      ]),
    ).toEqual([0, 1]);
    expect(labelRows([])).toEqual([]);
  });
});
