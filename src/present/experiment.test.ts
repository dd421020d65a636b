import { describe, expect, it } from 'vitest';
import { NO_CLIP } from '../experiment/config.ts';
import { PRESETS } from '../experiment/presets.ts';
import {
  compareRuns,
  describeExperiment,
  describeSeeds,
  describeSweptExperiment,
  experimentName,
  sameExperiment,
  settingDifferences,
} from './experiment.ts';

const dense = PRESETS['dense-explode'].config;
const lstm = PRESETS['lstm-tf'].config;

describe('describeExperiment: words written from the settings', () => {
  it('the dense preset', () => {
    expect(describeExperiment(dense)).toBe(
      "Dense 20-25-1 ReLU net, on the tutorial's data (make_regression, random_state=1), MSE loss. " +
        'SGD lr 0.07 momentum 0.8, batch 128, 400 steps, seed 0. ' +
        'Two runs from the same weights and batches: the baseline (no clipping) and the clipped run (clip by value to [-1, 1]).',
    );
  });

  it('names the initialisers of every recurrent model, the RNN too (they set its W_ih, biases and output layer)', () => {
    const rnn = PRESETS['rnn-scale'].config;
    const kerasRnn = { ...rnn, init: 'keras' as const };
    expect(describeExperiment(rnn)).toContain('recurrent scale 2, PyTorch initialisers,');
    expect(describeExperiment(kerasRnn)).toContain('recurrent scale 2, Keras initialisers,');
    // An RNN switched to from the Keras LSTM preset keeps init=keras: its description says so.
    expect(describeExperiment({ ...lstm, model: 'rnn' })).toContain('Keras initialisers');
    expect(settingDifferences(rnn, kerasRnn)).toEqual([
      expect.stringMatching(/^model: .*PyTorch initialisers vs .*Keras initialisers$/),
    ]);
  });

  it('a GRU changed from the TensorFlow LSTM preset says GRU and the new optimiser, not the preset text', () => {
    const gru = { ...lstm, model: 'gru' as const, optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, pair: false };
    expect(describeExperiment(gru)).toBe(
      'GRU, 1 layer of 32 units, Keras initialisers, on sequential MNIST (10,000 training digits, 1,000 test digits). ' +
        'SGD lr 0.05 momentum 0.9, batch 32, 1,000 steps, seed 0. One run: clip by value to [-1, 1].',
    );
  });

  it('a vanilla RNN names its recurrent scale; Adam its betas only when they are not the defaults', () => {
    const rnn = { ...PRESETS['rnn-scale'].config, layers: 2, optimizer: 'adam' as const, lr: 0.001, beta1: 0.8 };
    expect(describeExperiment(rnn)).toContain('Vanilla RNN (tanh), 2 layers of 128 units, recurrent scale 2,');
    expect(describeExperiment(rnn)).toContain('Adam lr 0.001 betas 0.8, 0.999, batch 64, 500 steps');
    expect(describeExperiment(rnn)).toContain('the clipped run (clip the global L2 norm to 1 (torch))');
  });

  it('the broadcast-loss bug and generated data are named', () => {
    expect(describeExperiment({ ...dense, loss: 'literal', data: 'generated', samples: 2000 })).toContain(
      "on 2,000 generated rows, the tutorial's broadcast MSE (a bug).",
    );
  });

  it('the adding problem names T and its sequences, and its settings differ from MNIST in words', () => {
    const adding = PRESETS.adding.config;
    expect(describeExperiment(adding)).toBe(
      'Vanilla RNN (tanh), 1 layer of 32 units, recurrent scale 1, PyTorch initialisers, on the adding problem, T = 30 ' +
        '(10,000 training sequences, 500 test sequences; MSE loss). SGD lr 0.1 momentum 0.9, batch 32, 2,000 steps, seed 0. ' +
        'Two runs from the same weights and batches: the baseline (no clipping) and the clipped run (clip the global L2 norm to 0.1 (torch)).',
    );
    expect(describeExperiment({ ...adding, model: 'lstm', seqLen: 100, testSize: 1 })).toContain(
      'LSTM, 1 layer of 32 units, PyTorch initialisers, on the adding problem, T = 100 (10,000 training sequences, 1 test sequence; MSE loss).',
    );
    expect(settingDifferences(adding, { ...adding, seqLen: 60 })).toEqual([
      'data: on the adding problem, T = 30 (10,000 training sequences, 500 test sequences; MSE loss) vs ' +
        'on the adding problem, T = 60 (10,000 training sequences, 500 test sequences; MSE loss)',
    ]);
    expect(settingDifferences(adding, { ...adding, task: 'mnist' })[0]).toMatch(
      /^data: on the adding problem.* vs on sequential MNIST/,
    );
  });

  it('a lone run without clipping says so', () => {
    expect(describeExperiment({ ...dense, pair: false, clip: NO_CLIP })).toMatch(/One run: no clipping\.$/);
  });
});

describe('comparing experiments and stored runs', () => {
  it('sameExperiment looks at every setting, the clippings too', () => {
    expect(sameExperiment(dense, structuredClone(dense))).toBe(true);
    expect(sameExperiment(dense, { ...dense, seed: 1 })).toBe(false);
    expect(sameExperiment(dense, { ...dense, clip: { ...dense.clip, max: 2 } })).toBe(false);
  });

  it('an experiment is named by its preset until a setting changes', () => {
    expect(experimentName(dense, 'dense-explode')).toBe('Dense regression that explodes');
    expect(experimentName({ ...dense, lr: 0.05 }, 'dense-explode')).toBe('custom, from Dense regression that explodes');
  });

  it('names the settings that differ', () => {
    expect(settingDifferences(dense, { ...dense, lr: 0.05, seed: 3 })).toEqual([
      'optimiser: SGD lr 0.07 momentum 0.8 vs SGD lr 0.05 momentum 0.8',
      'seed: 0 vs 3',
    ]);
    expect(settingDifferences(dense, dense)).toEqual([]);
  });

  it('says "same weights, same batches" only when it is true, and names the lengths', () => {
    const same = compareRuns(
      { config: dense, clip: NO_CLIP, steps: 5 },
      { config: dense, clip: dense.clip, steps: 12 },
    );
    expect(same).toBe(
      'Same settings, same weights, same batches. Clipping: A no clipping, B clip by value to [-1, 1]. ' +
        'A has 5 steps, B has 12 steps: the charts show steps 1 to 12.',
    );
    const different = compareRuns(
      { config: dense, clip: dense.clip, steps: 30 },
      { config: { ...dense, seed: 7 }, clip: dense.clip, steps: 30 },
    );
    expect(different).toBe(
      'Both clip by value to [-1, 1]. They also differ in seed: 0 vs 7. ' +
        'They did not start from the same weights and batches. Both have 30 steps.',
    );
    expect(different).not.toContain('same weights, same batches');
  });

  it('describes what a sweep trains without the settings the sweep sets (learning rate, steps, the runs)', () => {
    expect(describeSweptExperiment(PRESETS['dense-explode'].config)).toBe(
      "Dense 20-25-1 ReLU net, on the tutorial's data (make_regression, random_state=1), MSE loss. SGD momentum 0.8, batch 128, seed 0.",
    );
  });
});

describe('describeSeeds', () => {
  it('names the one seed, or how many seeds and from which to which, wrapping as seedOf does', () => {
    expect(describeSeeds({ seed: 7, seeds: 1 })).toBe('seed 7');
    expect(describeSeeds({ seed: 0, seeds: 5 })).toBe('5 seeds (0 to 4)');
    expect(describeSeeds({ seed: 2 ** 31 - 2, seeds: 3 })).toBe('3 seeds (2147483646 to 0)');
  });

  it('is what the experiment says of a run over several seeds', () => {
    const config = { ...PRESETS['dense-explode'].config, seeds: 5 };
    expect(describeExperiment(config)).toContain('400 steps, 5 seeds (0 to 4).');
  });
});
