/**
 * The clipping kernel against the ops of clipping.ts, bit for bit, on both backends, for every mode: random
 * gradients at scales from 1e-3 to 1e3, zeros, gradients whose squares overflow float32, NaN and Infinity.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { NO_CLIP, type ClipConfig } from '../../experiment/config.ts';
import { applyClip, clipAndMeasure, stepNorms } from '../clipping.ts';
import { Rng } from '../rng.ts';
import { fusedCells } from './recurrentKernels.ts';

const onByDefault = fusedCells.on;
afterEach(() => {
  fusedCells.on = onByDefault;
});

const CLIPS: ClipConfig[] = [
  { ...NO_CLIP, mode: 'value', min: -1, max: 1 },
  { ...NO_CLIP, mode: 'value', min: -0.3, max: 2.7 },
  { ...NO_CLIP, mode: 'norm', threshold: 1 },
  { ...NO_CLIP, mode: 'norm', threshold: 0.1 },
  { ...NO_CLIP, mode: 'global', threshold: 1, normType: '2' },
  { ...NO_CLIP, mode: 'global', threshold: 0.7, normType: 'inf' },
  { ...NO_CLIP, mode: 'global-tf', threshold: 1 },
  { ...NO_CLIP, mode: 'global-tf', threshold: 3.3 },
];

/** Every clipped gradient, then the fraction and the scale, as plain numbers; with how many tensors it made. */
function clipOf(grads: number[][], shapes: number[][], clip: ClipConfig): { values: number[]; made: number } {
  return tf.tidy(() => {
    const tensors = grads.map((g, i) => tf.tensor(g, shapes[i]));
    const before = tf.memory().numTensors;
    const r = applyClip(tensors, clip);
    const made = tf.memory().numTensors - before;
    const values = [...r.grads.flatMap((g) => [...g.dataSync()]), ...r.fraction.dataSync(), ...r.scale.dataSync()];
    return { values, made };
  });
}

function randomGrads(seed: number, scale: number): number[][] {
  const rng = new Rng(seed);
  return [500, 20, 25, 1].map((size) => Array.from({ length: size }, () => rng.normal() * scale));
}

const SHAPES = [[25, 20], [20], [1, 25], [1]];

describe.each(['cpu', 'wasm'] as const)('the clipping kernel on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await startNodeBackend(['wasm']);
    else await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: [string, number[][]][] = [
    ['small (1e-3)', randomGrads(1, 1e-3)],
    ['unit', randomGrads(2, 1)],
    ['large (1e3)', randomGrads(3, 1e3)],
    ['zeros', SHAPES.map((s) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => 0))],
    [
      'a square past float32 (1e20)',
      randomGrads(4, 1).map((g, i) => (i === 1 ? g.map((v, j) => (j === 3 ? 1e20 : v)) : g)),
    ],
    ['a NaN', randomGrads(5, 1).map((g, i) => (i === 0 ? g.map((v, j) => (j === 7 ? NaN : v)) : g))],
    // Twenty more scales: a last-bit slip in a coefficient shows on some of them, not on every one.
    ...Array.from({ length: 20 }, (_, k): [string, number[][]] => [
      `seed ${10 + k}`,
      randomGrads(10 + k, 10 ** ((k % 7) - 3)),
    ]),
    ['an Infinity', randomGrads(6, 1).map((g, i) => (i === 2 ? g.map((v, j) => (j === 0 ? -Infinity : v)) : g))],
  ];

  for (const clip of CLIPS) {
    const name = `${clip.mode} ${clip.mode === 'value' ? `[${clip.min}, ${clip.max}]` : clip.threshold} ${clip.normType}`;
    it(`${name}: the ops' values to the bit, in one kernel`, () => {
      for (const [what, grads] of cases) {
        fusedCells.on = () => false;
        const ops = clipOf(grads, SHAPES, clip);
        fusedCells.on = onByDefault;
        const fused = clipOf(grads, SHAPES, clip);
        // toEqual tells NaN from a number and -0 from 0 no more than the ops do: Object.is over every value.
        const differ = fused.values.findIndex(
          (v, i) => !Object.is(v, ops.values[i]) && !(v === 0 && ops.values[i] === 0),
        );
        expect(differ, `${what}: value ${differ}: fused ${fused.values[differ]}, ops ${ops.values[differ]}`).toBe(-1);
        expect(fused.values.length).toBe(ops.values.length);
        // n clipped gradients, the fraction and the scale: the kernel's outputs and nothing in between.
        expect(fused.made, what).toBe(grads.length + 2);
        expect(ops.made, what).toBeGreaterThan(grads.length + 2);
      }
    });
  }

  it('hand-worked: (3, -4) and (12) by value in [-1, 1] -> (1, -1), (1); 3 of 3 changed; scale sqrt(3) / 13', () => {
    const { values } = clipOf([[3, -4], [12]], [[2], [1]], { ...NO_CLIP, mode: 'value', min: -1, max: 1 });
    expect(values.slice(0, 4)).toEqual([1, -1, 1, 1]);
    expect(values[4]).toBeCloseTo(Math.sqrt(3) / 13, 6);
  });

  it('hand-worked: (3, -4) and (12) by global norm 6.5 (torch): total 13, coef 6.5 / (13 + 1e-6) -> (1.5, -2), (6)', () => {
    const { values } = clipOf([[3, -4], [12]], [[2], [1]], { ...NO_CLIP, mode: 'global', threshold: 6.5 });
    expect(values[0]).toBeCloseTo(1.5, 5);
    expect(values[1]).toBeCloseTo(-2, 5);
    expect(values[2]).toBeCloseTo(6, 5);
    expect(values[3]).toBe(1);
    expect(values[4]).toBeCloseTo(0.5, 6);
  });

  it('hand-worked: (3, -4) and (12) per tensor by norm 6: (3, -4) kept, (12) -> (6); 1 of 3 changed; scale 0.5', () => {
    const { values } = clipOf([[3, -4], [12]], [[2], [1]], { ...NO_CLIP, mode: 'norm', threshold: 6 });
    expect(values.slice(0, 3)).toEqual([3, -4, 6]);
    expect(values[3]).toBeCloseTo(1 / 3, 6);
    expect(values[4]).toBe(0.5);
  });

  it('a refused setting still gets the ops’ message; no tensor outlives a clipping', () => {
    expect(() => clipOf([[1]], [[1]], { ...NO_CLIP, mode: 'value', min: 2, max: 1 })).toThrow(
      /min \(2\) must be at most max/,
    );
    const before = tf.memory().numTensors;
    clipOf(randomGrads(7, 1), SHAPES, { ...NO_CLIP, mode: 'global', threshold: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clipping and measuring in one kernel gives applyClip’s values and stepNorms’ block, every mode and none', () => {
    const weights = randomGrads(40, 0.5);
    for (const clip of [{ ...NO_CLIP }, ...CLIPS]) {
      for (const [what, grads] of cases) {
        const [together, apart, kernelsMade] = tf.tidy(() => {
          const g = grads.map((v, i) => tf.tensor(v, SHAPES[i]));
          const w = weights.map((v, i) => tf.tensor(v, SHAPES[i]));
          const before = tf.memory().numTensors;
          const one = clipAndMeasure(g, clip, w);
          const made = tf.memory().numTensors - before;
          const two = applyClip(g, clip);
          const flat = (r: { grads: tf.Tensor[]; fraction: tf.Tensor; scale: tf.Tensor }, norms: tf.Tensor) => [
            ...r.grads.flatMap((t) => [...t.dataSync()]),
            ...r.fraction.dataSync(),
            ...r.scale.dataSync(),
            ...norms.dataSync(),
          ];
          return [flat(one, one.norms), flat(two, stepNorms(g, two.grads, w)), made];
        });
        const differ = together.findIndex((v, i) => !Object.is(v, apart[i]) && !(v === 0 && apart[i] === 0));
        expect(differ, `${clip.mode} ${what}: value ${differ}: ${together[differ]} vs ${apart[differ]}`).toBe(-1);
        // One kernel: its clipped gradients (none for 'none'), the fraction, the scale and the norms block.
        expect(kernelsMade, `${clip.mode} ${what}`).toBe((clip.mode === 'none' ? 0 : grads.length) + 3);
      }
    }
  });
});
