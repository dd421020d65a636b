/**
 * The tutorial's experiments as ready-made configurations. A link names a
 * preset and only the settings that differ from it, so links stay short.
 */
import { DEFAULT_CONFIG, NO_CLIP, type ExperimentConfig } from './config.ts';

export const PRESET_IDS = ['dense-explode', 'lstm-pytorch', 'lstm-tf', 'rnn-scale', 'literal-loss', 'adding'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export interface Preset {
  id: PresetId;
  title: string;
  summary: string;
  config: ExperimentConfig;
}

const CLIP_VALUE_1 = { ...NO_CLIP, mode: 'value', min: -1, max: 1 } as const;

export const PRESETS: Record<PresetId, Preset> = {
  'dense-explode': {
    id: 'dense-explode',
    title: 'Dense regression that explodes',
    summary:
      "The tutorial's headline run: 20-25-1 ReLU net, SGD lr 0.07 momentum 0.8, batch 128, on make_regression(random_state=1). Unclipped, the loss overflows to Infinity at step 5; clipped by value at 1 it survives: its batch loss falls a hundredfold within 60 steps, then levels off, noisy, mostly between 50 and 300.",
    config: { ...DEFAULT_CONFIG },
  },
  'lstm-pytorch': {
    id: 'lstm-pytorch',
    title: 'PyTorch LSTM on sequential MNIST',
    summary:
      "The tutorial's PyTorch model: 2-layer LSTM of 128 units reading 28 rows of 28 pixels, Adam lr 0.01, batch 64, clipped by value at 1. It does not explode: clipping barely acts. Heavy: use WebGL.",
    config: {
      ...DEFAULT_CONFIG,
      model: 'lstm',
      hidden: 128,
      layers: 2,
      init: 'torch',
      trainSize: 60000,
      optimizer: 'adam',
      lr: 0.01,
      batch: 64,
      steps: 1000,
      evalEvery: 200,
      hiddenGradEvery: 50,
      clip: CLIP_VALUE_1,
    },
  },
  'lstm-tf': {
    id: 'lstm-tf',
    title: 'TensorFlow LSTM on sequential MNIST',
    summary:
      "The tutorial's TensorFlow variant: one LSTM of 32 units (Keras initialisers), Keras's Adam lr 0.001, batch 32, clipped by value at 1.",
    config: {
      ...DEFAULT_CONFIG,
      model: 'lstm',
      hidden: 32,
      layers: 1,
      init: 'keras',
      trainSize: 10000,
      optimizer: 'adam-keras',
      // Keras's default epsilon, added to the uncorrected sqrt(v) (see optimizers.ts).
      eps: 1e-7,
      lr: 0.001,
      batch: 32,
      steps: 1000,
      evalEvery: 200,
      hiddenGradEvery: 50,
      clip: CLIP_VALUE_1,
    },
  },
  'rnn-scale': {
    id: 'rnn-scale',
    title: 'Vanilla RNN: push the recurrent scale',
    summary:
      'A tanh RNN of 128 units whose recurrent matrix starts orthogonal x scale. Below 1 the gradient vanishes toward t = 1; above 1 it grows by orders of magnitude. Clipped by global norm 1.',
    config: {
      ...DEFAULT_CONFIG,
      model: 'rnn',
      hidden: 128,
      layers: 1,
      recScale: 2,
      trainSize: 10000,
      optimizer: 'sgd',
      lr: 0.01,
      momentum: 0.9,
      batch: 64,
      steps: 500,
      evalEvery: 100,
      hiddenGradEvery: 10,
      clip: { ...NO_CLIP, mode: 'global', threshold: 1 },
    },
  },
  'literal-loss': {
    id: 'literal-loss',
    title: "The tutorial's broadcast-loss bug",
    summary:
      'The tutorial passes predictions [B,1] and labels [B] to MSELoss, which broadcasts to [B,B]: the net can at best predict the batch mean. Clipped, it stalls at var(y) ~ 23,300; unclipped, it still explodes.',
    config: { ...DEFAULT_CONFIG, loss: 'literal' },
  },
  adding: {
    id: 'adding',
    title: 'The adding problem (Pascanu et al. 2013)',
    summary:
      'A tanh RNN of 32 units reads T = 30 pairs (a value drawn from U(0, 1), a marker) and answers the sum of the ' +
      'two marked values, one marked in each half. The target is the plain sum, not scaled as in Hochreiter and ' +
      'Schmidhuber (1997) or Pascanu et al. (2013) (docs/ADDING.md): always answering 1 scores MSE 1/6, about 0.167, ' +
      'and already solves 36% of the sequences by Pascanu et al.\u2019s criterion (squared error under 0.04). SGD lr ' +
      '0.1 momentum 0.9, batch 32. Unclipped it overflows within 80 steps in most seeds; clipped to global norm 0.1 it learns, to ' +
      'a test MSE under 0.05 in 2,000 steps in 61 of 100 seeds.',
    config: {
      ...DEFAULT_CONFIG,
      model: 'rnn',
      task: 'adding',
      seqLen: 30,
      hidden: 32,
      layers: 1,
      recScale: 1,
      trainSize: 10000,
      testSize: 500,
      optimizer: 'sgd',
      lr: 0.1,
      momentum: 0.9,
      batch: 32,
      steps: 2000,
      evalEvery: 250,
      hiddenGradEvery: 50,
      clip: { ...NO_CLIP, mode: 'global', threshold: 0.1 },
    },
  },
};

export const DEFAULT_PRESET: PresetId = 'dense-explode';

export function isPresetId(value: string): value is PresetId {
  return (PRESET_IDS as readonly string[]).includes(value);
}
