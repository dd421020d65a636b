/**
 * Optimisers in PyTorch's formulation (torch.optim, no weight decay), written
 * from tfjs ops so a step is: gradients, clip, `apply`, all in one tidy.
 * `apply` assigns the new values and returns ||update|| of every parameter,
 * for the update-to-weight ratio.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../experiment/config.ts';

export interface Optimizer {
  apply(variables: tf.Variable[], grads: tf.Tensor[]): tf.Scalar[];
  dispose(): void;
}

function zerosLikeAll(variables: tf.Variable[]): tf.Variable[] {
  return variables.map((v) => tf.variable(tf.zerosLike(v), false));
}

function update(variable: tf.Variable, delta: tf.Tensor): tf.Scalar {
  variable.assign(tf.sub(variable, delta));
  return tf.sqrt(tf.sum(tf.square(delta))) as tf.Scalar;
}

/** torch.optim.SGD: buf <- momentum * buf + g;  p <- p - lr * buf (momentum 0: p <- p - lr * g). */
export function sgd(lr: number, momentum: number): Optimizer {
  let buffers: tf.Variable[] | null = null;
  return {
    apply(variables, grads) {
      if (momentum === 0) return variables.map((v, i) => update(v, tf.mul(grads[i], lr)));
      buffers ??= zerosLikeAll(variables);
      const bufs = buffers;
      return variables.map((v, i) => {
        bufs[i].assign(tf.add(tf.mul(bufs[i], momentum), grads[i]));
        return update(v, tf.mul(bufs[i], lr));
      });
    },
    dispose: () => buffers?.forEach((b) => b.dispose()),
  };
}

/**
 * torch.optim.Adam: m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
export function adam(lr: number, beta1: number, beta2: number, eps: number): Optimizer {
  let m: tf.Variable[] | null = null;
  let v: tf.Variable[] | null = null;
  let t = 0;
  return {
    apply(variables, grads) {
      m ??= zerosLikeAll(variables);
      v ??= zerosLikeAll(variables);
      const [ms, vs] = [m, v];
      t += 1;
      const stepSize = lr / (1 - beta1 ** t);
      const sqrtBias2 = Math.sqrt(1 - beta2 ** t);
      return variables.map((p, i) => {
        ms[i].assign(tf.add(tf.mul(ms[i], beta1), tf.mul(grads[i], 1 - beta1)));
        vs[i].assign(tf.add(tf.mul(vs[i], beta2), tf.mul(tf.square(grads[i]), 1 - beta2)));
        const denominator = tf.add(tf.div(tf.sqrt(vs[i]), sqrtBias2), eps);
        return update(p, tf.mul(tf.div(ms[i], denominator), stepSize));
      });
    },
    dispose: () => [...(m ?? []), ...(v ?? [])].forEach((x) => x.dispose()),
  };
}

/**
 * torch.optim.RMSprop (centered=False): s <- alpha s + (1 - alpha) g^2
 *   momentum 0: p <- p - lr g / (sqrt(s) + eps)
 *   else: buf <- momentum buf + g / (sqrt(s) + eps); p <- p - lr buf
 */
export function rmsprop(lr: number, alpha: number, eps: number, momentum: number): Optimizer {
  let squares: tf.Variable[] | null = null;
  let buffers: tf.Variable[] | null = null;
  return {
    apply(variables, grads) {
      squares ??= zerosLikeAll(variables);
      if (momentum > 0) buffers ??= zerosLikeAll(variables);
      const [ss, bufs] = [squares, buffers];
      return variables.map((p, i) => {
        ss[i].assign(tf.add(tf.mul(ss[i], alpha), tf.mul(tf.square(grads[i]), 1 - alpha)));
        const scaled = tf.div(grads[i], tf.add(tf.sqrt(ss[i]), eps));
        if (!bufs) return update(p, tf.mul(scaled, lr));
        bufs[i].assign(tf.add(tf.mul(bufs[i], momentum), scaled));
        return update(p, tf.mul(bufs[i], lr));
      });
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
    case 'rmsprop':
      return rmsprop(config.lr, config.alpha, config.eps, config.momentum);
    default: {
      const unreachable: never = config.optimizer;
      throw new Error(`unknown optimizer ${String(unreachable)}`);
    }
  }
}
