/**
 * The hand-written recurrent layers' forward pass and their saturation figure, against a plain float64
 * forward written here from torch's equations (gate order: LSTM i, f, g, o; GRU r, z, n), and the Keras
 * initialisation's forget-gate bias, found where that forward reads the forget gate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import type { LayerWeights } from './bptt.ts';
import { gruLayer } from './gruLayer.ts';
import { lstmLayer } from './lstmLayer.ts';
import { MNIST_SEQUENCE, recurrentInitialWeights, type CellKind } from './recurrent.ts';
import { rnnLayer } from './rnnLayer.ts';
import { SATURATION_THRESHOLD, SaturationSink } from './saturationSink.ts';

const T = 12;
const B = 4;
const I = 3;
const H = 5;
const GATES: Record<CellKind, number> = { rnn: 1, lstm: 4, gru: 3 };
const LAYERS = { rnn: rnnLayer, lstm: lstmLayer, gru: gruLayer };
/** Weight scales at which a good share of the units saturate, but not all (the gated cells need more). */
const SCALE: Record<CellKind, number> = { rnn: 1, lstm: 4, gru: 3 };

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

interface Plain {
  wih: Float32Array;
  whh: Float32Array;
  bih: Float32Array;
  bhh: Float32Array;
  x: Float32Array;
}

/** Gate k's pre-activation parts for batch row b: input side (x W_ih + b_ih) and recurrent side (h W_hh + b_hh). */
function parts(w: Plain, cell: CellKind, t: number, b: number, h: number[], k: number, j: number): [number, number] {
  const g = GATES[cell] * H;
  let fromX = w.bih[k * H + j] ?? NaN;
  for (let i = 0; i < I; i++) fromX += (w.x[(t * B + b) * I + i] ?? NaN) * (w.wih[i * g + k * H + j] ?? NaN);
  let fromH = w.bhh[k * H + j] ?? NaN;
  for (let i = 0; i < H; i++) fromH += (h[i] ?? NaN) * (w.whh[i * g + k * H + j] ?? NaN);
  return [fromX, fromH];
}

/** h_1..h_T for every row, time-major like the layers' output, and (GRU) the candidate n_t the same way. */
function plainForward(w: Plain, cell: CellKind): { h: number[]; n: number[] } {
  const hs: number[] = [];
  const ns: number[] = [];
  for (let b = 0; b < B; b++) {
    let h = new Array<number>(H).fill(0);
    let c = new Array<number>(H).fill(0);
    for (let t = 0; t < T; t++) {
      const gate = (k: number, j: number) => parts(w, cell, t, b, h, k, j);
      const sum = (k: number, j: number) => gate(k, j)[0] + gate(k, j)[1];
      let next: number[];
      if (cell === 'rnn') next = h.map((_, j) => Math.tanh(sum(0, j)));
      else if (cell === 'lstm') {
        c = c.map((cj, j) => sigmoid(sum(1, j)) * cj + sigmoid(sum(0, j)) * Math.tanh(sum(2, j)));
        next = c.map((cj, j) => sigmoid(sum(3, j)) * Math.tanh(cj));
      } else {
        const n = h.map((_, j) => {
          const [x, rec] = gate(2, j);
          return Math.tanh(x + sigmoid(sum(0, j)) * rec);
        });
        next = h.map((hj, j) => (1 - sigmoid(sum(1, j))) * (n[j] ?? NaN) + sigmoid(sum(1, j)) * hj);
        n.forEach((v, j) => (ns[(t * B + b) * H + j] = v));
      }
      h = next;
      h.forEach((v, j) => (hs[(t * B + b) * H + j] = v));
    }
  }
  return { h: hs, n: ns };
}

function saturated(values: number[]): number {
  return values.filter((v) => Math.abs(v) > SATURATION_THRESHOLD).length / values.length;
}

describe.each(['rnn', 'lstm', 'gru'] as const)('the %s layer', (cell) => {
  it('computes torch’s forward, and reports the fraction of |h| > 0.99 over every step and row', async () => {
    const rng = new Rng(7).fork(cell);
    const g = GATES[cell] * H;
    const draw = (n: number, scale: number) =>
      Float32Array.from({ length: n }, () => rng.uniformIn(-scale * SCALE[cell], scale * SCALE[cell]));
    const plain: Plain = {
      wih: draw(I * g, 2.5),
      whh: draw(H * g, 1.5),
      bih: draw(g, 1),
      bhh: draw(g, 1),
      x: draw(T * B * I, 2),
    };
    const before = tf.memory().numTensors;
    const sink = new SaturationSink(1);
    const [hidden, fraction] = tf.tidy(() => {
      const w: LayerWeights = {
        wih: tf.tensor2d(plain.wih, [I, g]),
        whh: tf.tensor2d(plain.whh, [H, g]),
        bih: tf.tensor1d(plain.bih),
        bhh: tf.tensor1d(plain.bhh),
      };
      sink.arm();
      const out = LAYERS[cell](tf.tensor2d(plain.x, [T * B, I]), w, {
        steps: T,
        returnSequence: true,
        inputNeedsGrad: false,
        saturation: { sink, layer: 0 },
      });
      return [out, sink.take()];
    });
    const h = Array.from(await hidden.data());
    const [reported = NaN] = await fraction.data();
    tf.dispose([hidden, fraction]);
    expect(tf.memory().numTensors).toBe(before);

    const expected = plainForward(plain, cell);
    expect(h).toHaveLength(T * B * H);
    expect(Math.max(...h.map((v, k) => Math.abs(v - (expected.h[k] ?? NaN))))).toBeLessThan(1e-5);
    const truth = saturated(expected.h);
    // Some saturated units, and not all: enough for a wrong count to show.
    expect(truth * h.length).toBeGreaterThanOrEqual(5);
    expect(truth).toBeLessThan(0.95);
    // float32 against float64: an element within 1e-5 of 0.99 may fall either side; none does here.
    expect(reported).toBeCloseTo(truth, 7);
    if (cell === 'gru') {
      // h_t = (1 - z) n + z h_{t-1} is not n_t: the candidate saturates a different share, so measuring n shows.
      expect(Math.abs(saturated(expected.n) - truth)).toBeGreaterThan(0.05);
    }
  });
});

describe('the Keras initialisation', () => {
  it('puts the LSTM forget gate’s bias at 1 (unit_forget_bias), the second of torch’s i, f, g, o blocks, and only there', () => {
    const weights = recurrentInitialWeights(new Rng(3).fork('init'), {
      cell: 'lstm',
      hidden: H,
      layers: 2,
      init: 'keras',
      recScale: 1,
      sequence: MNIST_SEQUENCE,
    });
    for (const layer of ['lstm0', 'lstm1']) {
      const bih = Array.from(weights[`${layer}.b_ih`] ?? []);
      expect(bih).toEqual([...Array<number>(H).fill(0), ...Array<number>(H).fill(1), ...Array<number>(2 * H).fill(0)]);
      expect(Array.from(weights[`${layer}.b_hh`] ?? [])).toEqual(Array<number>(4 * H).fill(0));
    }
  });

  it('gives the GRU and the RNN zero biases: unit_forget_bias is the LSTM’s alone', () => {
    for (const cell of ['gru', 'rnn'] as const) {
      const weights = recurrentInitialWeights(new Rng(3).fork('init'), {
        cell,
        hidden: H,
        layers: 1,
        init: 'keras',
        recScale: 1,
        sequence: MNIST_SEQUENCE,
      });
      const zeros = Array<number>(GATES[cell] * H).fill(0);
      expect(Array.from(weights[`${cell}0.b_ih`] ?? [])).toEqual(zeros);
      expect(Array.from(weights[`${cell}0.b_hh`] ?? [])).toEqual(zeros);
    }
  });
});
