/**
 * The tutorial's regression net: Linear(20, H) -> ReLU -> Linear(H, 1), with
 * PyTorch's layout (weights [out][in], y = x W^T + b), Xavier-uniform weights
 * and biases 0.01.
 *
 * Losses:
 * - corrected: mean((p - y)^2) over the batch, predictions and labels both [B, 1];
 * - literal: the tutorial's MSELoss(p [B,1], y [B]), which broadcasts to a [B, B]
 *   matrix of (p_i - y_j)^2; it equals mean((p - mean(y))^2) + var(y), so the
 *   net can at best predict the batch mean.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RegressionLoss } from '../../experiment/config.ts';
import { fusedDenseLoss, fusedDenseLossAndGrads, fusedDenseOn } from '../kernels/denseKernels.ts';
import type { Rng } from '../rng.ts';
import { constantArray, xavierUniform } from './init.ts';
import { disposeParams, makeParams, type InitialWeights, type LossOutput, type Model } from './model.ts';

export interface DenseOptions {
  features: number;
  hidden: number;
  loss: RegressionLoss;
}

export function denseParamSpecs({ features, hidden }: DenseOptions) {
  return [
    { name: 'fc1.weight', layer: 'fc1', shape: [hidden, features] },
    { name: 'fc1.bias', layer: 'fc1', shape: [hidden] },
    { name: 'fc2.weight', layer: 'fc2', shape: [1, hidden] },
    { name: 'fc2.bias', layer: 'fc2', shape: [1] },
  ];
}

export function denseInitialWeights(rng: Rng, { features, hidden }: DenseOptions): InitialWeights {
  return {
    'fc1.weight': xavierUniform(rng, features, hidden),
    'fc1.bias': constantArray(hidden, 0.01),
    'fc2.weight': xavierUniform(rng, hidden, 1),
    'fc2.bias': constantArray(1, 0.01),
  };
}

export function createDenseModel(options: DenseOptions, weights: InitialWeights): Model {
  const params = makeParams(denseParamSpecs(options), weights);
  return {
    params,
    layers: ['fc1', 'fc2'],
    probeShape: null,
    loss([w1, b1, w2, b2], x, y): LossOutput {
      if (!w1 || !b1 || !w2 || !b2)
        throw new Error('dense model: loss needs fc1.weight, fc1.bias, fc2.weight, fc2.bias');
      // One kernel forward and one backward on cpu and wasm (kernels/denseKernels.ts): these ops' values to the bit.
      if (fusedDenseOn()) return { loss: fusedDenseLoss([w1, b1, w2, b2], x, y, options.loss === 'literal') };
      const hidden = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D, false, true), b1));
      const prediction = tf.add(tf.matMul(hidden, w2 as tf.Tensor2D, false, true), b2); // [B, 1]
      const b = y.shape[0];
      const target = options.loss === 'literal' ? tf.reshape(y, [1, b]) : tf.reshape(y, [b, 1]);
      // sub then square: tfjs's squaredDifference gradient does not reduce a broadcast.
      return { loss: tf.mean(tf.square(tf.sub(prediction, target))) as tf.Scalar };
    },
    lossAndGrads: (values, x, y) =>
      fusedDenseOn() ? fusedDenseLossAndGrads(values, x, y, options.loss === 'literal') : null,
    dispose: () => disposeParams(params),
  };
}
