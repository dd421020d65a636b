/**
 * Optimisers in PyTorch's formulation (torch.optim, no weight decay), and
 * Keras's Adam, written from tfjs ops so a step is: gradients, clip, `apply`,
 * all in one tidy. `apply` assigns the new values and returns ||update|| of
 * every parameter, for the update-to-weight ratio. On cpu and wasm the whole
 * update is one kernel of the same arithmetic (kernels/optimizerKernel.ts);
 * the ops here are the path elsewhere and the reference it is tested against.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../experiment/config.ts';
import { fusedUpdate } from './kernels/optimizerKernel.ts';

const fround = Math.fround;

export interface Optimizer {
  /** Assigns every parameter's new value; returns ||update|| of each, [n]. */
  apply(variables: tf.Variable[], grads: tf.Tensor[]): tf.Tensor1D;
  /** A learning rate turned while it trains: the next `apply` uses it; the state (momentum, moments) is kept. */
  setLearningRate(lr: number): void;
  dispose(): void;
}

function zerosLikeAll(variables: tf.Variable[]): tf.Variable[] {
  return variables.map((v) => tf.variable(tf.zerosLike(v), false));
}

/** The i-th entry of each list, checked: a missing gradient or state tensor is a bug, never silently skipped. */
function nth<T>(list: readonly T[], i: number, what: string): T {
  const item = list[i];
  if (item === undefined) throw new Error(`optimizer: no ${what} for parameter ${i}`);
  return item;
}

function update(variable: tf.Variable, delta: tf.Tensor): tf.Scalar {
  variable.assign(tf.sub(variable, delta));
  return tf.sqrt(tf.sum(tf.square(delta))) as tf.Scalar;
}

/** The ops path's per-parameter update norms as one [n] tensor. */
function stacked(norms: tf.Scalar[]): tf.Tensor1D {
  return tf.stack(norms) as tf.Tensor1D;
}

/**
 * Whether `apply` may take the fused kernel. A field, so that tests can run the ops on cpu and wasm too and
 * compare the two.
 */
export const fusedOptimizers = { on: true };

/** torch.optim.SGD: buf <- momentum * buf + g;  p <- p - lr * buf (momentum 0: p <- p - lr * g). */
export function sgd(initialLr: number, momentum: number): Optimizer {
  let buffers: tf.Variable[] | null = null;
  let lr = initialLr;
  return {
    setLearningRate: (next) => {
      lr = next;
    },
    apply(variables, grads) {
      if (momentum === 0) {
        const fused = fusedOptimizers.on && fusedUpdate({ rule: 'sgd', lr: fround(lr) }, variables, grads, []);
        return fused || stacked(variables.map((v, i) => update(v, tf.mul(nth(grads, i, 'gradient'), lr))));
      }
      buffers ??= zerosLikeAll(variables);
      const bufs = buffers;
      const rule = { rule: 'momentum', lr: fround(lr), momentum: fround(momentum) } as const;
      const fused = fusedOptimizers.on && fusedUpdate(rule, variables, grads, [bufs]);
      if (fused) return fused;
      return stacked(
        variables.map((v, i) => {
          const buf = nth(bufs, i, 'momentum buffer');
          buf.assign(tf.add(tf.mul(buf, momentum), nth(grads, i, 'gradient')));
          return update(v, tf.mul(buf, lr));
        }),
      );
    },
    dispose: () => buffers?.forEach((b) => b.dispose()),
  };
}

/**
 * torch.optim.Adam: m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
export function adam(initialLr: number, beta1: number, beta2: number, eps: number): Optimizer {
  return adamWith(initialLr, beta1, beta2, eps, (t, lr) => ({
    stepSize: lr / (1 - beta1 ** t),
    scale: Math.sqrt(1 - beta2 ** t),
  }));
}

/**
 * Keras's Adam (tf.keras.optimizers.Adam), which differs from torch's in where eps goes:
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr sqrt(1 - b2^t) / (1 - b1^t)) * m / (sqrt(v) + eps)
 * eps is added to the *uncorrected* sqrt(v), so in torch's terms it is eps / sqrt(1 - b2^t):
 * with Keras's default 1e-7 and b2 = 0.999 that is 3.2e-6 at step 1, about 300x torch's 1e-8.
 */
export function adamKeras(initialLr: number, beta1: number, beta2: number, eps: number): Optimizer {
  return adamWith(initialLr, beta1, beta2, eps, (t, lr) => ({
    stepSize: (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t),
    scale: null,
  }));
}

/**
 * The moments both Adams keep; `form` says, for step t and the rate, the step size and what sqrt(v) is divided by
 * before eps is added (null: nothing, Keras's form): the denominator is sqrt(v) / scale + eps or sqrt(v) + eps.
 */
function adamWith(
  initialLr: number,
  beta1: number,
  beta2: number,
  eps: number,
  form: (t: number, lr: number) => { stepSize: number; scale: number | null },
): Optimizer {
  let m: tf.Variable[] | null = null;
  let v: tf.Variable[] | null = null;
  let t = 0;
  let lr = initialLr;
  return {
    setLearningRate: (next) => {
      lr = next;
    },
    apply(variables, grads) {
      m ??= zerosLikeAll(variables);
      v ??= zerosLikeAll(variables);
      const [ms, vs] = [m, v];
      t += 1;
      const { stepSize, scale } = form(t, lr);
      const denominator = (vi: tf.Tensor) => tf.add(scale === null ? tf.sqrt(vi) : tf.div(tf.sqrt(vi), scale), eps);
      const rule = {
        rule: 'adam',
        b1: fround(beta1),
        c1: fround(1 - beta1),
        b2: fround(beta2),
        c2: fround(1 - beta2),
        s: scale === null ? 1 : fround(scale),
        keras: scale === null,
        e: fround(eps),
        k: fround(stepSize),
      } as const;
      const fused = fusedOptimizers.on && fusedUpdate(rule, variables, grads, [ms, vs]);
      if (fused) return fused;
      return stacked(
        variables.map((p, i) => {
          const [mi, vi, g] = [nth(ms, i, 'first moment'), nth(vs, i, 'second moment'), nth(grads, i, 'gradient')];
          mi.assign(tf.add(tf.mul(mi, beta1), tf.mul(g, 1 - beta1)));
          vi.assign(tf.add(tf.mul(vi, beta2), tf.mul(tf.square(g), 1 - beta2)));
          return update(p, tf.mul(tf.div(mi, denominator(vi)), stepSize));
        }),
      );
    },
    dispose: () => [...(m ?? []), ...(v ?? [])].forEach((x) => x.dispose()),
  };
}

/**
 * torch.optim.RMSprop (centered=False): s <- alpha s + (1 - alpha) g^2
 *   momentum 0: p <- p - lr g / (sqrt(s) + eps)
 *   else: buf <- momentum buf + g / (sqrt(s) + eps); p <- p - lr buf
 */
export function rmsprop(initialLr: number, alpha: number, eps: number, momentum: number): Optimizer {
  let squares: tf.Variable[] | null = null;
  let buffers: tf.Variable[] | null = null;
  let lr = initialLr;
  return {
    setLearningRate: (next) => {
      lr = next;
    },
    apply(variables, grads) {
      squares ??= zerosLikeAll(variables);
      if (momentum > 0) buffers ??= zerosLikeAll(variables);
      const [ss, bufs] = [squares, buffers];
      const rule = {
        rule: 'rmsprop',
        lr: fround(lr),
        a: fround(alpha),
        ca: fround(1 - alpha),
        e: fround(eps),
        momentum: bufs ? fround(momentum) : null,
      } as const;
      const fused = fusedOptimizers.on && fusedUpdate(rule, variables, grads, bufs ? [ss, bufs] : [ss]);
      if (fused) return fused;
      return stacked(
        variables.map((p, i) => {
          const [si, g] = [nth(ss, i, 'square average'), nth(grads, i, 'gradient')];
          si.assign(tf.add(tf.mul(si, alpha), tf.mul(tf.square(g), 1 - alpha)));
          const scaled = tf.div(g, tf.add(tf.sqrt(si), eps));
          if (!bufs) return update(p, tf.mul(scaled, lr));
          const buf = nth(bufs, i, 'momentum buffer');
          buf.assign(tf.add(tf.mul(buf, momentum), scaled));
          return update(p, tf.mul(buf, lr));
        }),
      );
    },
    dispose: () => [...(squares ?? []), ...(buffers ?? [])].forEach((x) => x.dispose()),
  };
}

export function createOptimizer(config: ExperimentConfig): Optimizer {
  switch (config.optimizer) {
    case 'sgd':
      return sgd(config.lr, config.momentum);
    case 'adam':
      return adam(config.lr, config.beta1, config.beta2, config.eps);
    case 'adam-keras':
      return adamKeras(config.lr, config.beta1, config.beta2, config.eps);
    case 'rmsprop':
      return rmsprop(config.lr, config.alpha, config.eps, config.momentum);
    default: {
      const unreachable: never = config.optimizer;
      throw new Error(`unknown optimizer ${String(unreachable)}`);
    }
  }
}
