/**
 * An optimiser's whole update, every parameter, as ONE kernel on the backends whose tensors live in CPU memory
 * ('cpu', 'wasm'). As ops (optimizers.ts) Adam is about 16 kernels a parameter (each ~13 us of dispatch on wasm):
 * 128 of the 237 kernels of lesson 9's RNN step (issue 23).
 *
 * The arithmetic is the ops' to the bit: every product, sum, quotient and square root a tfjs op would round to
 * float32 is rounded with Math.fround at the same place, and every coefficient is the float32 scalar tensor the ops
 * make of a JS number (fround of the same double). IEEE +, -, *, / and sqrt of float32 values computed in float64
 * and rounded once are the float32 results, so the new weights and state equal the ops' on either backend.
 * ||update|| per parameter is summed as fusedL2Norm sums (float64, rounded once): a metric, not fed back.
 *
 * Inputs p0.. (weights), g0.. (gradients), and per rule's state slot k: s{k}_{i}. Outputs, per parameter i in
 * order: new p_i, then its new state slots; last, the [n] update norms.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedBackend } from './backendMemory.ts';
import { fusedKernelOn, memoryFor } from './fusedRegistry.ts';

export const OPTIMIZER_STEP = 'GradLabOptimizerStep';

const fround = Math.fround;

/**
 * An update rule and its float32 coefficients (each the fround of what the ops multiply, divide or add by):
 *   sgd:      delta = g lr
 *   momentum: b' = b m + g;  delta = b' lr                                    (state: b)
 *   adam:     m' = m b1 + g c1;  v' = v b2 + g^2 c2;  delta = (m' / (sqrt(v') / s + e)) k   (state: m, v)
 *             (keras's form: sqrt(v') + e, signalled by s = 1 and `keras`)
 *   rmsprop:  q' = q a + g^2 ca;  u = g / (sqrt(q') + e);  delta = u lr, or with momentum b' = b m + u, delta = b' lr
 * and p' = p - delta.
 */
export type UpdateRule =
  | { rule: 'sgd'; lr: number }
  | { rule: 'momentum'; lr: number; momentum: number }
  | { rule: 'adam'; b1: number; c1: number; b2: number; c2: number; s: number; keras: boolean; e: number; k: number }
  | { rule: 'rmsprop'; lr: number; a: number; ca: number; e: number; momentum: number | null };

/** How many state tensors a parameter has under a rule. */
export function stateSlots(rule: UpdateRule): number {
  switch (rule.rule) {
    case 'sgd':
      return 0;
    case 'momentum':
      return 1;
    case 'adam':
      return 2;
    case 'rmsprop':
      return rule.momentum === null ? 1 : 2;
  }
}

/** One parameter's update in place into the outputs' views; returns the sum of delta^2 in float64. */
function updateOne(rule: UpdateRule, p: Float32Array, g: Float32Array, s: Float32Array[], out: Float32Array[]): number {
  const [pOut, ...sOut] = out as [Float32Array, ...Float32Array[]];
  let squares = 0;
  const n = p.length;
  switch (rule.rule) {
    case 'sgd': {
      const lr = rule.lr;
      for (let j = 0; j < n; j++) {
        const delta = fround(g[j]! * lr);
        pOut[j] = fround(p[j]! - delta);
        squares += delta * delta;
      }
      break;
    }
    case 'momentum': {
      const { lr, momentum } = rule;
      const [b, bOut] = [s[0]!, sOut[0]!];
      for (let j = 0; j < n; j++) {
        const buf = fround(fround(b[j]! * momentum) + g[j]!);
        const delta = fround(buf * lr);
        bOut[j] = buf;
        pOut[j] = fround(p[j]! - delta);
        squares += delta * delta;
      }
      break;
    }
    case 'adam': {
      const { b1, c1, b2, c2, s: scale, keras, e, k } = rule;
      const [m, v, mOut, vOut] = [s[0]!, s[1]!, sOut[0]!, sOut[1]!];
      for (let j = 0; j < n; j++) {
        const gj = g[j]!;
        const m1 = fround(fround(m[j]! * b1) + fround(gj * c1));
        const v1 = fround(fround(v[j]! * b2) + fround(fround(gj * gj) * c2));
        const root = fround(Math.sqrt(v1));
        const denominator = fround((keras ? root : fround(root / scale)) + e);
        const delta = fround(fround(m1 / denominator) * k);
        mOut[j] = m1;
        vOut[j] = v1;
        pOut[j] = fround(p[j]! - delta);
        squares += delta * delta;
      }
      break;
    }
    case 'rmsprop': {
      const { lr, a, ca, e, momentum } = rule;
      const [q, qOut] = [s[0]!, sOut[0]!];
      for (let j = 0; j < n; j++) {
        const gj = g[j]!;
        const q1 = fround(fround(q[j]! * a) + fround(fround(gj * gj) * ca));
        const scaled = fround(gj / fround(fround(Math.sqrt(q1)) + e));
        qOut[j] = q1;
        let delta: number;
        if (momentum === null) delta = fround(scaled * lr);
        else {
          const buf = fround(fround(s[1]![j]! * momentum) + scaled);
          sOut[1]![j] = buf;
          delta = fround(buf * lr);
        }
        pOut[j] = fround(p[j]! - delta);
        squares += delta * delta;
      }
      break;
    }
  }
  return squares;
}

function optimizerKernel(backendName: FusedBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const n = Number(attrs?.['n']);
    const rule = JSON.parse(String(attrs?.['rule'])) as UpdateRule;
    const slots = stateSlots(rule);
    const memory = memoryFor(backendName, backend);
    const input = (name: string): tf.TensorInfo => {
      const t = inputs[name];
      if (!t || t.dtype !== 'float32') throw new Error(`${OPTIMIZER_STEP} reads float32 tensors; ${name}?`);
      return t;
    };
    // Every output first: on wasm a view dies when the heap grows, so views are taken after the last allocation.
    const outputs: tf.TensorInfo[][] = [];
    for (let i = 0; i < n; i++) {
      const shape = input(`p${i}`).shape;
      outputs.push(Array.from({ length: 1 + slots }, () => memory.alloc(shape)));
    }
    const norms = memory.alloc([n]);
    const normValues = memory.view(norms);
    for (let i = 0; i < n; i++) {
      const p = memory.view(input(`p${i}`));
      const g = memory.view(input(`g${i}`));
      if (g.length !== p.length) throw new Error(`${OPTIMIZER_STEP}: g${i} and p${i} differ in size`);
      const state = Array.from({ length: slots }, (_, k) => memory.view(input(`s${k}_${i}`)));
      const squares = updateOne(
        rule,
        p,
        g,
        state,
        outputs[i]!.map((o) => memory.view(o)),
      );
      normValues[i] = Math.sqrt(fround(squares));
    }
    return [...outputs.flat(), norms];
  };
}

/**
 * The update of every parameter in one kernel on cpu and wasm: the new weights and state are assigned, and the
 * [n] update norms returned; null on other backends (the caller then uses the ops). `state[k][i]` is parameter
 * i's state slot k.
 */
export function fusedUpdate(
  rule: UpdateRule,
  variables: tf.Variable[],
  grads: tf.Tensor[],
  state: tf.Variable[][],
): tf.Tensor1D | null {
  const n = variables.length;
  const all = [...variables, ...grads, ...state.flat()];
  if (all.some((t) => t.dtype !== 'float32') || !fusedKernelOn(OPTIMIZER_STEP, tf.getBackend(), optimizerKernel))
    return null;
  const slots = stateSlots(rule);
  if (grads.length !== n || state.length !== slots || state.some((s) => s.length !== n))
    throw new Error(`${OPTIMIZER_STEP}: one gradient and ${slots} state tensors per parameter`);
  const inputs: tf.NamedTensorMap = {};
  variables.forEach((p, i) => {
    inputs[`p${i}`] = p;
    inputs[`g${i}`] = grads[i]!;
    state.forEach((slot, k) => (inputs[`s${k}_${i}`] = slot[i]!));
  });
  const out = tf.engine().runKernel(OPTIMIZER_STEP, inputs, {
    n,
    rule: JSON.stringify(rule),
  } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  variables.forEach((p, i) => {
    p.assign(out[i * (1 + slots)]!);
    state.forEach((slot, k) => slot[i]!.assign(out[i * (1 + slots) + 1 + k]!));
  });
  // The new values live on in the variables (assign shares their data); the kernel's own handles go.
  for (const t of out.slice(0, -1)) t.dispose();
  return out[out.length - 1] as tf.Tensor1D;
}
