/**
 * Fused recurrent kernels: a whole layer's sequence, forward or backward, as ONE tfjs kernel on the
 * backends whose tensors live in CPU memory ('cpu', 'wasm'). Registered with tfjs's kernel registry and
 * run through the engine (tf.engine().runKernel), so outputs are ordinary tensors: tf.tidy, memory
 * accounting and tf.profile see one kernel. Inside, each time step is the backend's own untransposed
 * matMul (XNNPACK on wasm) and its own sigmoid and tanh, called directly (no engine dispatch) into
 * temporaries kept for the whole sequence, and a few passes of TypeScript over the rest of the gate
 * arithmetic, where the unfused layer launched 10-30 kernels a step (~13 us each on wasm).
 *
 * The forward mirrors the unfused ops: the same matMul and activation kernels, and every sum or product
 * a tfjs op would round to float32 rounded with Math.fround at the same place, so it is the unfused
 * forward to the bit on either backend (a JS tanh would differ in the last bit, which an exploding RNN
 * amplifies past any tolerance). The backward rounds as the unfused backward's ops do too: the same
 * gradients to the bit, and the same overflow to Infinity where a float32 product passes its range (a
 * float64 product would not overflow there, and an exploding run would not diverge where tfjs's does).
 * Layouts (all time-major, gates stacked along the last axis in torch's order):
 *   LSTM forward  (xw [T*B,4H] = x W_ih, whh [H,4H], bih, bhh [4H]) -> h, c, tanh(c) [T*B,H], gates [T*B,4H],
 *                 h_T [B,H]; gates hold the activations s(i), s(f), tanh(g), s(o)
 *   LSTM backward (dy, whh, gates, c, tanh(c)) -> dZ [T*B,4H], dH [T*B,H], dZ^T [4H,T*B], h_prev [T*B,H]
 *   RNN  forward  (xw [T*B,H], whh [H,H], bih, bhh) -> h [T*B,H], h_T [B,H]
 *   RNN  backward (dy, whh, h, x) -> dZ [T*B,H], dH [T*B,H], and the weight gradients themselves: dW_ih [I,H],
 *                 dW_hh [H,H], db [H] (one product of [x^T; h_prev^T; 1] and dZ: rnnWeightGrads)
 *   GRU  forward  (xw [T*B,3H], whh [H,3H], bih, bhh) -> h [T*B,H], gates r, z, n [T*B,3H], u_n [T*B,H], h_T
 *   GRU  backward (dy, whh, h, gates, u_n) -> dA [T*B,3H] (input side), dU [T*B,3H] (hidden side), dH, dA^T,
 *                 dU^T [3H,T*B], h_prev
 * dy is dL/dh_T [B,H], or dL/dh_t of every step [T*B,H] when the attribute returnSequence is set.
 * dH is the total dL/dh_t of every step (what the hidden-gradient sink measures). The LSTM's and GRU's transposed
 * gradients and h_prev = [0; h_1; ...; h_{T-1}] are what their weight gradients multiply (bptt.ts weightGrads): written here, block
 * by block while each step's block is in cache, they cost about half of what tfjs-wasm's Transpose kernel and a
 * read-back and upload cost (0.8 ms a step for the RNN 1x128's Transpose alone; docs/PERFORMANCE.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { backendMemory, fusedClock, FUSED_BACKENDS, type BackendMemory, type FusedBackend } from './backendMemory.ts';

type TensorInfo = tf.TensorInfo;

export const LSTM_FORWARD = 'GradLabLstmSequence';
export const LSTM_BACKWARD = 'GradLabLstmSequenceGrad';
export const RNN_FORWARD = 'GradLabRnnSequence';
export const RNN_BACKWARD = 'GradLabRnnSequenceGrad';
export const GRU_FORWARD = 'GradLabGruSequence';
export const GRU_BACKWARD = 'GradLabGruSequenceGrad';

const fround = Math.fround;

export interface SequenceAttrs {
  steps: number;
  returnSequence?: boolean;
}

function stepsOf(attrs: tf.NamedAttrMap): number {
  const steps = attrs['steps'];
  if (typeof steps !== 'number' || steps < 1) throw new Error('a fused recurrent kernel needs steps >= 1');
  return steps;
}

function input(inputs: tf.NamedTensorInfoMap, name: string): TensorInfo {
  const info = inputs[name];
  if (!info) throw new Error(`a fused recurrent kernel misses its input ${name}`);
  return info;
}

/** rows r0.. of `from` ([*, cols]) copied into `to` (a [rows, cols] temporary a matMul reads). */
function copyRows(from: Float32Array, r0: number, cols: number, to: Float32Array): void {
  to.set(from.subarray(r0 * cols, r0 * cols + to.length));
}

/** m [R, C] transposed into a new [C, R] temporary (once per backward: the backward's matMuls stay untransposed). */
function transposed(memory: BackendMemory, m: TensorInfo): TensorInfo {
  const [rows = 0, cols = 0] = m.shape;
  const out = memory.alloc([cols, rows]);
  transposeBlock(memory.view(m), 0, rows, cols, memory.view(out), rows);
  return out;
}

/** h_T [B, H]: the last B rows of h, the layer's output when it does not return its sequence. */
function lastRows(memory: BackendMemory, hs: TensorInfo, B: number): TensorInfo {
  const [rows = 0, H = 0] = hs.shape;
  const last = memory.alloc([B, H]);
  copyRows(memory.view(hs), rows - B, H, memory.view(last));
  return last;
}

/**
 * Rows r0..r0+B of m [R, G] into columns r0..r0+B of mT [G, R]: one step's block, transposed. Eight rows at a
 * time: each pass writes eight neighbouring values of a row of mT (half the time of one row at a time, measured).
 */
export function transposeBlock(m: Float32Array, r0: number, B: number, G: number, mT: Float32Array, R: number): void {
  let b = 0;
  for (; b + 8 <= B; b += 8) {
    const from = (r0 + b) * G;
    for (let k = 0; k < G; k++) {
      const to = k * R + r0 + b;
      const f = from + k;
      mT[to] = m[f]!;
      mT[to + 1] = m[f + G]!;
      mT[to + 2] = m[f + 2 * G]!;
      mT[to + 3] = m[f + 3 * G]!;
      mT[to + 4] = m[f + 4 * G]!;
      mT[to + 5] = m[f + 5 * G]!;
      mT[to + 6] = m[f + 6 * G]!;
      mT[to + 7] = m[f + 7 * G]!;
    }
  }
  for (; b < B; b++) {
    const from = (r0 + b) * G;
    for (let k = 0; k < G; k++) mT[k * R + r0 + b] = m[from + k]!;
  }
}

/** h_prev [T*B, H] = [0; h_1; ...; h_{T-1}]: h_{t-1} of every step t, the left factor of dW_hh. */
function previousRows(memory: BackendMemory, hs: TensorInfo, B: number): TensorInfo {
  const [rows = 0, H = 0] = hs.shape;
  const previous = memory.alloc([rows, H]);
  memory.view(previous).set(memory.view(hs).subarray(0, (rows - B) * H), B * H);
  return previous;
}

/** h_{t-1} W_hh into `rec` (h_{t-1} copied into `hPrev` for the product), or null at step 0, where h_0 = 0. */
function recurrentProduct(
  memory: BackendMemory,
  hs: TensorInfo,
  hPrev: TensorInfo,
  whh: TensorInfo,
  rec: TensorInfo,
  t: number,
  B: number,
  H: number,
): TensorInfo | null {
  if (t === 0) return null;
  copyRows(memory.view(hs), (t - 1) * B, H, memory.view(hPrev));
  memory.matMul(hPrev, whh, rec);
  return rec;
}

function lstmForward(memory: BackendMemory, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo[] {
  const steps = stepsOf(attrs);
  const xw = input(inputs, 'xw');
  const whh = input(inputs, 'whh');
  const [rows = 0, width = 0] = xw.shape;
  const H = width / 4;
  const B = rows / steps;
  const hs = memory.alloc([rows, H]);
  const cs = memory.alloc([rows, H]);
  const tcs = memory.alloc([rows, H]);
  const gates = memory.alloc([rows, 4 * H]);
  const hPrev = memory.alloc([B, H]);
  const z = memory.alloc([B, 4 * H]);
  const gPre = memory.alloc([B, H]);
  const cStep = memory.alloc([B, H]);
  const rec = memory.alloc([B, 4 * H]);
  const sig = memory.alloc([B, 4 * H]);
  const tanhG = memory.alloc([B, H]);
  const tanhC = memory.alloc([B, H]);
  for (let t = 0; t < steps; t++) {
    preActivations(memory, inputs, recurrentProduct(memory, hs, hPrev, whh, rec, t, B, H), t, B, 4 * H, z);
    // tanh(g) alone: the sigmoid of all four blocks costs less than cutting the three others out.
    const zv = memory.view(z);
    const gv0 = memory.view(gPre);
    for (let b = 0; b < B; b++) gv0.set(zv.subarray(b * 4 * H + 2 * H, b * 4 * H + 3 * H), b * H);
    memory.activation('Sigmoid', z, sig);
    memory.activation('Tanh', gPre, tanhG);
    {
      const s = memory.view(sig);
      const tg = memory.view(tanhG);
      const c = memory.view(cs);
      const cv = memory.view(cStep);
      const gv = memory.view(gates);
      for (let b = 0; b < B; b++) {
        const row = t * B + b;
        const zBase = row * 4 * H;
        const sBase = b * 4 * H;
        for (let j = 0; j < H; j++) {
          const i = s[sBase + j]!;
          const f = s[sBase + H + j]!;
          const g = tg[b * H + j]!;
          const o = s[sBase + 3 * H + j]!;
          const written = fround(i * g);
          const cell = t > 0 ? fround(fround(f * c[(row - B) * H + j]!) + written) : written;
          gv[zBase + j] = i;
          gv[zBase + H + j] = f;
          gv[zBase + 2 * H + j] = g;
          gv[zBase + 3 * H + j] = o;
          c[row * H + j] = cell;
          cv[b * H + j] = cell;
        }
      }
    }
    memory.activation('Tanh', cStep, tanhC);
    {
      const tcv = memory.view(tanhC);
      const gv = memory.view(gates);
      const tc = memory.view(tcs);
      const h = memory.view(hs);
      for (let b = 0; b < B; b++) {
        const row = t * B + b;
        for (let j = 0; j < H; j++) {
          const tanhCell = tcv[b * H + j]!;
          tc[row * H + j] = tanhCell;
          h[row * H + j] = fround(gv[row * 4 * H + 3 * H + j]! * tanhCell);
        }
      }
    }
  }
  for (const info of [hPrev, z, gPre, cStep, rec, sig, tanhG, tanhC]) memory.free(info);
  return [hs, cs, tcs, gates, lastRows(memory, hs, B)];
}

/**
 * Step t's pre-activations into `out` [B, G]: (x W_ih + b_ih) + b_hh, plus h_{t-1} W_hh from step 1 on,
 * rounded where the unfused ops round (the LSTM's and RNN's; the GRU keeps b_hh apart, see gruForward).
 */
function preActivations(
  memory: BackendMemory,
  inputs: tf.NamedTensorInfoMap,
  rec: TensorInfo | null,
  t: number,
  B: number,
  G: number,
  out: TensorInfo,
): void {
  const x = memory.view(input(inputs, 'xw'));
  const bi = memory.view(input(inputs, 'bih'));
  const bh = memory.view(input(inputs, 'bhh'));
  const r = rec ? memory.view(rec) : null;
  const z = memory.view(out);
  const base = t * B * G;
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < G; k++) {
      const projected = fround(fround(x[base + b * G + k]! + bi[k]!) + bh[k]!);
      z[b * G + k] = r ? fround(projected + r[b * G + k]!) : projected;
    }
  }
}

/**
 * dL/dh_t of the step the loop is at: the recurrent part (from step t+1's dz) plus, when the layer
 * returns its sequence, dy's row block t; at the last step dy alone.
 */
function upstream(
  dy: Float32Array,
  returnSequence: boolean,
  recurrent: Float32Array | null,
  t: number,
  B: number,
  H: number,
  out: Float32Array,
  direct: Float32Array | null = null,
): void {
  const n = B * H;
  // The commonest cases are copies: a branch per value cost more than the sums (0.65 ms a step of the RNN 1x128).
  if (!recurrent) {
    out.set(returnSequence ? dy.subarray(t * n, (t + 1) * n) : dy.subarray(0, n));
    return;
  }
  if (!direct && !returnSequence) {
    out.set(recurrent.subarray(0, n));
    return;
  }
  for (let k = 0; k < n; k++) {
    const fromNext = direct ? fround(recurrent[k]! + direct[k]!) : recurrent[k]!;
    out[k] = returnSequence ? fround(fromNext + dy[t * n + k]!) : fromNext;
  }
}

/** s (1 - s) as the ops form it from the sigmoid's output: s - s^2, each rounded to float32. */
function sigmoidDerivative(s: number): number {
  return fround(s - fround(s * s));
}

/** 1 - t^2 as the ops form it from tanh's output, each rounded to float32. */
function oneMinusSquare(t: number): number {
  return fround(1 - fround(t * t));
}

function lstmBackward(memory: BackendMemory, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo[] {
  const steps = stepsOf(attrs);
  const returnSequence = attrs['returnSequence'] === true;
  const gates = input(inputs, 'gates');
  const [rows = 0, width = 0] = gates.shape;
  const H = width / 4;
  const B = rows / steps;
  const dZ = memory.alloc([rows, 4 * H]);
  const dH = memory.alloc([rows, H]);
  const dZT = memory.alloc([4 * H, rows]);
  const dcNext = new Float32Array(B * H);
  const dzStep = memory.alloc([B, 4 * H]);
  const whhT = transposed(memory, input(inputs, 'whh'));
  // dL/dh_t through W_hh, from the step after t (none at the last step).
  const rec = memory.alloc([B, H]);
  for (let t = steps - 1; t >= 0; t--) {
    const dhAll = memory.view(dH);
    const dh = dhAll.subarray(t * B * H, (t + 1) * B * H);
    upstream(memory.view(input(inputs, 'dy')), returnSequence, t < steps - 1 ? memory.view(rec) : null, t, B, H, dh);
    const gv = memory.view(gates);
    const c = memory.view(input(inputs, 'c'));
    const tc = memory.view(input(inputs, 'tanhC'));
    const dz = memory.view(dZ);
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      const zBase = row * 4 * H;
      for (let j = 0; j < H; j++) {
        const u = b * H + j;
        const i = gv[zBase + j]!;
        const f = gv[zBase + H + j]!;
        const g = gv[zBase + 2 * H + j]!;
        const o = gv[zBase + 3 * H + j]!;
        const tanhC = tc[row * H + j]!;
        const dhU = dh[u]!;
        // dc_t = dh_t s(o) (1 - tanh^2 c_t) + dc_{t+1} s(f_{t+1}), rounded as the ops round it
        const dcFromH = fround(dhU * fround(o * oneMinusSquare(tanhC)));
        const dc = t < steps - 1 ? fround(dcFromH + fround(dcNext[u]! * gv[zBase + 4 * H * B + H + j]!)) : dcFromH;
        dcNext[u] = dc;
        const cPrev = t > 0 ? c[(row - B) * H + j]! : 0;
        dz[zBase + j] = fround(dc * fround(g * sigmoidDerivative(i)));
        dz[zBase + H + j] = fround(dc * fround(cPrev * sigmoidDerivative(f)));
        dz[zBase + 2 * H + j] = fround(dc * fround(i * oneMinusSquare(g)));
        dz[zBase + 3 * H + j] = fround(dhU * fround(tanhC * sigmoidDerivative(o)));
      }
    }
    transposeBlock(dz, t * B, B, 4 * H, memory.view(dZT), rows);
    if (t > 0) {
      copyRows(dz, t * B, 4 * H, memory.view(dzStep));
      memory.matMul(dzStep, whhT, rec);
    }
  }
  for (const info of [dzStep, whhT, rec]) memory.free(info);
  return [dZ, dH, dZT, previousRows(memory, input(inputs, 'h'), B)];
}

function rnnForward(memory: BackendMemory, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo[] {
  const steps = stepsOf(attrs);
  const whh = input(inputs, 'whh');
  const [rows = 0, H = 0] = input(inputs, 'xw').shape;
  const B = rows / steps;
  const hs = memory.alloc([rows, H]);
  const hPrev = memory.alloc([B, H]);
  const z = memory.alloc([B, H]);
  const rec = memory.alloc([B, H]);
  const h = memory.alloc([B, H]);
  const simd = memory.simd();
  const whhPanels = simd ? panelsForGemm(memory, whh, B) : null;
  for (let t = 0; t < steps; t++) {
    let recurrent: TensorInfo | null;
    if (simd && whhPanels) {
      // h_{t-1} W_hh read from h's rows in place: no copy into a temporary, no call through tfjs-wasm.
      recurrent = t > 0 ? rec : null;
      if (t > 0) simd.gemm(hs, whhPanels, rec, (t - 1) * B, B);
    } else recurrent = recurrentProduct(memory, hs, hPrev, whh, rec, t, B, H);
    if (simd) {
      // The same sums and tanh in one pass, written straight into h's rows of step t.
      simd.rnnStep(input(inputs, 'xw'), input(inputs, 'bih'), input(inputs, 'bhh'), recurrent, hs, t * B, B);
      continue;
    }
    preActivations(memory, inputs, recurrent, t, B, H, z);
    memory.activation('Tanh', z, h);
    memory.view(hs).set(memory.view(h), t * B * H);
  }
  for (const info of [hPrev, z, rec, h, ...(whhPanels ? [whhPanels] : [])]) memory.free(info);
  return [hs, lastRows(memory, hs, B)];
}

/**
 * w [K, N] in the SIMD gemm's panels, where a product of `rows` rows by w can be the gemm's: rows a multiple of 4 and
 * N of 8 (its tile; then the product is tf.matMul's to the bit), else null and the backend's matMul runs.
 */
function panelsForGemm(memory: BackendMemory, w: TensorInfo, rows: number): TensorInfo | null {
  const simd = memory.simd();
  const [K = 0, N = 0] = w.shape;
  if (!simd || rows % 4 !== 0 || N % 8 !== 0) return null;
  const panels = memory.alloc([N / 8, K, 8]);
  simd.toPanels(w, 0, K, panels);
  return panels;
}

function rnnBackward(memory: BackendMemory, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo[] {
  const steps = stepsOf(attrs);
  const returnSequence = attrs['returnSequence'] === true;
  const hsInfo = input(inputs, 'h');
  const [rows = 0, H = 0] = hsInfo.shape;
  const B = rows / steps;
  const dZ = memory.alloc([rows, H]);
  const dH = memory.alloc([rows, H]);
  const dzStep = memory.alloc([B, H]);
  const whhT = transposed(memory, input(inputs, 'whh'));
  const rec = memory.alloc([B, H]);
  const simd = memory.simd();
  // dZ again in gemm's panels, block by block while each is in cache: the weight gradients' right operand.
  const panels = simd ? memory.alloc([Math.ceil(H / 8), rows, 8]) : null;
  const whhTPanels = simd ? panelsForGemm(memory, whhT, B) : null;
  for (let t = steps - 1; t >= 0; t--) {
    const dh = memory.view(dH).subarray(t * B * H, (t + 1) * B * H);
    upstream(memory.view(input(inputs, 'dy')), returnSequence, t < steps - 1 ? memory.view(rec) : null, t, B, H, dh);
    const dz = memory.view(dZ);
    if (simd && panels) {
      simd.tanhGrad(dH, hsInfo, dZ, t * B * H, B * H);
      simd.toPanels(dZ, t * B, B, panels);
    } else {
      const h = memory.view(hsInfo);
      const base = t * B * H;
      for (let k = 0; k < B * H; k++) {
        dz[base + k] = fround(dh[k]! * oneMinusSquare(h[base + k]!));
      }
    }
    if (t > 0 && simd && whhTPanels) simd.gemm(dZ, whhTPanels, rec, t * B, B);
    else if (t > 0) {
      copyRows(memory.view(dZ), t * B, H, memory.view(dzStep));
      memory.matMul(dzStep, whhT, rec);
    }
  }
  for (const info of [dzStep, whhT, rec, ...(whhTPanels ? [whhTPanels] : [])]) memory.free(info);
  return [dZ, dH, ...rnnWeightGrads(memory, input(inputs, 'x'), hsInfo, B, dZ, panels)];
}

/**
 * The RNN's dW_ih [I, H], dW_hh [H, H] and bias gradient [H] as the rows of ONE product, S dZ, with S = [x^T;
 * h_prev^T; 1] [I + H + 1, T*B] and h_prev = [0; h_1; ...; h_{T-1}]: on wasm the SIMD module's gemm on dZ's panels
 * (no packing of a right operand), else the backend's matMul. Both are tf.matMul's sums, so the bits of
 * x^T dZ, h_prev^T dZ and 1^T dZ as three products (simdCells.test.ts, bptt.test.ts).
 */
function rnnWeightGrads(
  memory: BackendMemory,
  x: TensorInfo,
  hs: TensorInfo,
  B: number,
  dZ: TensorInfo,
  panels: TensorInfo | null,
): TensorInfo[] {
  const [rows = 0, I = 0] = x.shape;
  const H = hs.shape[1] ?? 0;
  // S's rows padded to a multiple of 4 (gemm's tile), the padding zero: their products are dropped.
  const stacked = memory.alloc([Math.ceil((I + H + 1) / 4) * 4, rows]);
  const simd = memory.simd();
  if (simd) {
    simd.transposeBlock(x, 0, rows, stacked);
    simd.transposeBlock(hs, 0, rows - B, stacked, I * rows + B);
  } else {
    const out = memory.view(stacked);
    transposeBlock(memory.view(x), 0, rows, I, out, rows);
    transposeBlock(memory.view(hs), 0, rows - B, H, out.subarray(I * rows + B), rows);
  }
  memory.view(stacked).fill(1, (I + H) * rows, (I + H + 1) * rows);
  const width = panels ? 8 * (panels.shape[0] ?? 0) : H;
  const product = memory.alloc([stacked.shape[0] ?? 0, width]);
  if (simd && panels) simd.gemm(stacked, panels, product);
  else memory.matMul(stacked, dZ, product);
  const [dWih, dWhh, db] = [memory.alloc([I, H]), memory.alloc([H, H]), memory.alloc([H])];
  const all = memory.view(product);
  for (const [out, first, count] of [
    [dWih, 0, I],
    [dWhh, I, H],
    [db, I + H, 1],
  ] as const) {
    const to = memory.view(out);
    for (let r = 0; r < count; r++) to.set(all.subarray((first + r) * width, (first + r) * width + H), r * H);
  }
  for (const info of [stacked, product, ...(panels ? [panels] : [])]) memory.free(info);
  return [dWih, dWhh, db];
}

function gruForward(memory: BackendMemory, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo[] {
  const steps = stepsOf(attrs);
  const xw = input(inputs, 'xw');
  const whh = input(inputs, 'whh');
  const [rows = 0, width = 0] = xw.shape;
  const H = width / 3;
  const B = rows / steps;
  const hs = memory.alloc([rows, H]);
  const gates = memory.alloc([rows, 3 * H]);
  const uNs = memory.alloc([rows, H]);
  const hPrev = memory.alloc([B, H]);
  const rzPre = memory.alloc([B, 2 * H]);
  const nPre = memory.alloc([B, H]);
  const recOut = memory.alloc([B, 3 * H]);
  const rz = memory.alloc([B, 2 * H]);
  const n = memory.alloc([B, H]);
  for (let t = 0; t < steps; t++) {
    const rec = recurrentProduct(memory, hs, hPrev, whh, recOut, t, B, H);
    {
      // a = x W_ih + b_ih; u = h_{t-1} W_hh + b_hh (b_hh alone at step 0, where h_0 = 0)
      const x = memory.view(xw);
      const bi = memory.view(input(inputs, 'bih'));
      const bh = memory.view(input(inputs, 'bhh'));
      const r = rec ? memory.view(rec) : null;
      const rzv = memory.view(rzPre);
      const un = memory.view(uNs);
      for (let b = 0; b < B; b++) {
        const row = t * B + b;
        for (let k = 0; k < 3 * H; k++) {
          const u = r ? fround(r[b * 3 * H + k]! + bh[k]!) : bh[k]!;
          if (k < 2 * H) rzv[b * 2 * H + k] = fround(fround(x[row * 3 * H + k]! + bi[k]!) + u);
          else un[row * H + k - 2 * H] = u;
        }
      }
    }
    memory.activation('Sigmoid', rzPre, rz);
    {
      const x = memory.view(xw);
      const bi = memory.view(input(inputs, 'bih'));
      const s = memory.view(rz);
      const un = memory.view(uNs);
      const np = memory.view(nPre);
      for (let b = 0; b < B; b++) {
        const row = t * B + b;
        for (let j = 0; j < H; j++) {
          const a = fround(x[row * 3 * H + 2 * H + j]! + bi[2 * H + j]!);
          np[b * H + j] = fround(a + fround(s[b * 2 * H + j]! * un[row * H + j]!));
        }
      }
    }
    memory.activation('Tanh', nPre, n);
    {
      const s = memory.view(rz);
      const nv = memory.view(n);
      const h = memory.view(hs);
      const gv = memory.view(gates);
      for (let b = 0; b < B; b++) {
        const row = t * B + b;
        for (let j = 0; j < H; j++) {
          const reset = s[b * 2 * H + j]!;
          const update = s[b * 2 * H + H + j]!;
          const candidate = nv[b * H + j]!;
          const previous = t > 0 ? h[(row - B) * H + j]! : 0;
          gv[row * 3 * H + j] = reset;
          gv[row * 3 * H + H + j] = update;
          gv[row * 3 * H + 2 * H + j] = candidate;
          h[row * H + j] = fround(candidate + fround(update * fround(previous - candidate)));
        }
      }
    }
  }
  for (const info of [hPrev, rzPre, nPre, recOut, rz, n]) memory.free(info);
  return [hs, gates, uNs, lastRows(memory, hs, B)];
}

function gruBackward(memory: BackendMemory, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo[] {
  const steps = stepsOf(attrs);
  const returnSequence = attrs['returnSequence'] === true;
  const hsInfo = input(inputs, 'h');
  const [rows = 0, H = 0] = hsInfo.shape;
  const B = rows / steps;
  const dA = memory.alloc([rows, 3 * H]);
  const dU = memory.alloc([rows, 3 * H]);
  const dH = memory.alloc([rows, H]);
  const dAT = memory.alloc([3 * H, rows]);
  const dUT = memory.alloc([3 * H, rows]);
  const duStep = memory.alloc([B, 3 * H]);
  const whhT = transposed(memory, input(inputs, 'whh'));
  const rec = memory.alloc([B, H]);
  // dh_t z_t, the direct path of h_t = n + z (h_{t-1} - n) into dL/dh_{t-1}.
  const direct = new Float32Array(B * H);
  for (let t = steps - 1; t >= 0; t--) {
    const dh = memory.view(dH).subarray(t * B * H, (t + 1) * B * H);
    upstream(
      memory.view(input(inputs, 'dy')),
      returnSequence,
      t < steps - 1 ? memory.view(rec) : null,
      t,
      B,
      H,
      dh,
      direct,
    );
    const h = memory.view(hsInfo);
    const gv = memory.view(input(inputs, 'gates'));
    const un = memory.view(input(inputs, 'uN'));
    const da = memory.view(dA);
    const du = memory.view(dU);
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      const zBase = row * 3 * H;
      for (let j = 0; j < H; j++) {
        const u = b * H + j;
        const reset = gv[zBase + j]!;
        const update = gv[zBase + H + j]!;
        const n = gv[zBase + 2 * H + j]!;
        const previous = t > 0 ? h[(row - B) * H + j]! : 0;
        const dhU = dh[u]!;
        const kN = fround(fround(1 - update) * oneMinusSquare(n));
        const kZ = fround(fround(previous - n) * sigmoidDerivative(update));
        const kR = fround(fround(kN * un[row * H + j]!) * sigmoidDerivative(reset));
        da[zBase + j] = fround(dhU * kR);
        da[zBase + H + j] = fround(dhU * kZ);
        da[zBase + 2 * H + j] = fround(dhU * kN);
        du[zBase + j] = fround(dhU * kR);
        du[zBase + H + j] = fround(dhU * kZ);
        du[zBase + 2 * H + j] = fround(dhU * fround(kN * reset));
        direct[u] = fround(dhU * update);
      }
    }
    transposeBlock(da, t * B, B, 3 * H, memory.view(dAT), rows);
    transposeBlock(du, t * B, B, 3 * H, memory.view(dUT), rows);
    if (t > 0) {
      copyRows(du, t * B, 3 * H, memory.view(duStep));
      memory.matMul(duStep, whhT, rec);
    }
  }
  for (const info of [duStep, whhT, rec]) memory.free(info);
  return [dA, dU, dH, dAT, dUT, previousRows(memory, hsInfo, B)];
}

type FusedKernel = (memory: BackendMemory, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => TensorInfo[];

const KERNELS: Record<string, FusedKernel> = {
  [LSTM_FORWARD]: lstmForward,
  [LSTM_BACKWARD]: lstmBackward,
  [RNN_FORWARD]: rnnForward,
  [RNN_BACKWARD]: rnnBackward,
  [GRU_FORWARD]: gruForward,
  [GRU_BACKWARD]: gruBackward,
};

const memories = new WeakMap<object, BackendMemory>();

function memoryOf(backendName: FusedBackend, backend: object): BackendMemory {
  let memory = memories.get(backend);
  if (!memory) {
    memory = backendMemory(backendName, backend);
    memories.set(backend, memory);
  }
  return memory;
}

/** Registers every fused kernel for 'cpu' and 'wasm' (once; a second call finds them registered). */
export function registerRecurrentKernels(): void {
  for (const backendName of FUSED_BACKENDS) {
    for (const [kernelName, run] of Object.entries(KERNELS)) {
      if (tf.getKernel(kernelName, backendName)) continue;
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: ({ inputs, backend, attrs }) => {
          const start = fusedClock.on ? tf.util.now() : 0;
          const out = run(memoryOf(backendName, backend), inputs, attrs ?? {});
          if (fusedClock.on) fusedClock.kernelMs += tf.util.now() - start;
          return out;
        },
      });
    }
  }
}

/**
 * Whether the fused kernels run on this backend: registered, and the backend keeps tensors in CPU memory.
 * A field, so that tests can run the unfused ops on the CPU too.
 */
export const fusedCells = {
  on: (backendName: string): boolean => (FUSED_BACKENDS as readonly string[]).includes(backendName),
};

/** Whether the layers take the fused kernels now (registering them the first time they are asked about). */
export function fusedOnCurrentBackend(): boolean {
  const backendName = tf.getBackend();
  if (!fusedCells.on(backendName)) return false;
  if (!tf.getKernel(LSTM_FORWARD, backendName)) registerRecurrentKernels();
  return true;
}

/** Runs a fused kernel through the engine: its outputs are tracked tensors like any op's. */
export function runFused(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: SequenceAttrs): tf.Tensor2D[] {
  const out = tf.engine().runKernel(kernelName, inputs as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap);
  return (Array.isArray(out) ? out : [out]) as tf.Tensor2D[];
}
