/**
 * One run of an experiment: a model, its optimiser, one side's clipping and
 * the step loop. A step is tfjs's `minimize` opened up so clipping and the
 * metrics fit in the middle:
 *
 *   tidy { loss, grads = valueAndGrads(params [+ hidden probes]), or the
 *            model's own lossAndGrads where it has one (the dense net on cpu
 *            and wasm: one kernel);
 *          clipped, norms = clipAndMeasure(grads, weights); optimizer.apply(clipped);
 *          every metric stacked into ONE tensor }
 *   read that tensor (one GPU->CPU transfer), dispose it.
 *
 * ||dL/dh_t|| of recurrent models comes from their hand-written backward
 * (the model's hiddenGradSink, armed for the step); the autodiff reference
 * model gets it from zero probes added to every h_t instead.
 *
 * Nothing here touches the DOM: the worker, Node tests and the CLI run it.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  REGRESSION_FEATURES,
  clipOf,
  type RecurrentTask,
  type ClipConfig,
  type ExperimentConfig,
  type RunSide,
} from '../experiment/config.ts';
import { checkBudget } from '../experiment/schema.ts';
import { changeConcerns, type KnobChange } from '../experiment/schedule.ts';
import { BatchOrder } from './batchOrder.ts';
import { fusedCorrectCount } from './kernels/diagnosticKernels.ts';
import { applyClip, clipAndMeasure, l2Norm } from './clipping.ts';
import { addingBatch } from './data/adding.ts';
import { makeBatch, trainRows, type TrainingData } from './data/trainingData.ts';
import { mnistBatch } from './data/mnist.ts';
import {
  ADDING_SOLVED_ERROR,
  SPECTRAL_FIRST_ROUNDS,
  SPECTRAL_ROUNDS,
  UPDATE_RATIO_FLOOR,
  assembleStep,
} from './metricSchema.ts';
import { findDivergence, type Divergence, type EvalMetrics, type RunLayout, type StepMetrics } from './metrics.ts';
import { createDenseModel, denseInitialWeights } from './models/dense.ts';
import type { InitialWeights, Model } from './models/model.ts';
import {
  MNIST_SEQUENCE,
  addingSequence,
  createRecurrentModel,
  recurrentInitialWeights,
  type RecurrentBackward,
  type SequenceShape,
} from './models/recurrent.ts';
import { createOptimizer, type Optimizer } from './optimizers.ts';
import { Rng } from './rng.ts';
import type { TrainerPhase } from './runPhase.ts';
import { powerIterate } from './spectralNorm.ts';
import { packedValues, packStep, sliceOf, unpackStep, type PackedStep } from './stepPacking.ts';

export interface RunInit {
  config: ExperimentConfig;
  side: RunSide;
  data: TrainingData;
  /** Golden replays inject a reference implementation's weights... */
  initialWeights?: InitialWeights;
  /** ...and its row order per epoch. */
  epochOrders?: ArrayLike<number>[];
  /** Recurrent models: 'bptt' (default, hand-written backward) or 'autodiff' (the reference: tests, profiles). */
  backward?: RecurrentBackward;
}

/** What a recurrent model reads and how it is scored, for a task. */
export function sequenceShapeFor(config: { task: RecurrentTask; seqLen: number }): SequenceShape {
  return config.task === 'adding' ? addingSequence(config.seqLen) : MNIST_SEQUENCE;
}

/** The initial weights a config implies; the same for both sides of a pair. */
export function initialWeightsFor(config: ExperimentConfig): InitialWeights {
  const rng = new Rng(config.seed).fork('init');
  if (config.model === 'dense')
    return denseInitialWeights(rng, { features: REGRESSION_FEATURES, hidden: config.hidden, loss: config.loss });
  return recurrentInitialWeights(rng, {
    cell: config.model,
    hidden: config.hidden,
    layers: config.layers,
    init: config.init,
    recScale: config.recScale,
    sequence: sequenceShapeFor(config),
  });
}

function createModel(config: ExperimentConfig, weights: InitialWeights, backward: RecurrentBackward): Model {
  if (config.model === 'dense')
    return createDenseModel({ features: REGRESSION_FEATURES, hidden: config.hidden, loss: config.loss }, weights);
  const { hidden, layers, init, recScale } = config;
  const sequence = sequenceShapeFor(config);
  return createRecurrentModel({ cell: config.model, hidden, layers, init, recScale, backward, sequence }, weights);
}

const EVAL_CHUNK = 500;

/** Rows whose largest logit is the label's: one kernel on cpu and wasm (kernels/diagnosticKernels.ts). */
function correctCount(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  return (
    fusedCorrectCount(logits, labels) ??
    (tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)), 'float32')) as tf.Scalar)
  );
}

/** A unit start vector for the power iteration of every W_hh, from the seed (so a replay is identical). */
function spectralTracks(model: Model, seed: number): { weight: tf.Variable; vector: tf.Variable }[] {
  const rng = new Rng(seed).fork('spectral');
  return model.params
    .filter((p) => p.name.endsWith('.W_hh'))
    .map(({ variable }) => {
      const n = variable.shape[1] ?? 0;
      const start = Float32Array.from({ length: n }, () => rng.normal());
      const length = Math.hypot(...start) || 1;
      const initial = tf.tensor2d(
        start.map((x) => x / length),
        [n, 1],
      );
      const vector = tf.variable(initial, false);
      initial.dispose();
      return { weight: variable, vector };
    });
}

export class Run {
  readonly config: ExperimentConfig;
  readonly side: RunSide;
  /** This run's clipping now: the config's at the start, then whatever a knob turned it to (applyKnob). */
  clip: ClipConfig;
  readonly layout: RunLayout;
  private readonly model: Model;
  private readonly optimizer: Optimizer;
  private readonly data: TrainingData;
  private readonly batches: BatchOrder;
  private stepsDone = 0;
  private statusValue: TrainerPhase = 'ready';
  private disposed = false;
  private divergenceValue: Divergence | null = null;
  /** Recurrent nets: each W_hh with its power iteration's vector, carried from step to step. */
  private readonly spectral: { weight: tf.Variable; vector: tf.Variable }[];
  /** The learning rate a knob set, if one did. */
  private lr: number | null = null;

  constructor(init: RunInit) {
    // Refuse sizes that would exhaust the machine before a single tensor exists (the worker and the CLI land here).
    const tooBig = checkBudget(init.config);
    if (tooBig) throw new Error(`this experiment is too large: ${tooBig}`);
    this.config = init.config;
    this.side = init.side;
    this.clip = clipOf(init.config, init.side);
    this.data = init.data;
    this.batches = new BatchOrder(init.config.seed, trainRows(init.data), init.config.batch, init.epochOrders);
    this.model = createModel(
      init.config,
      init.initialWeights ?? initialWeightsFor(init.config),
      init.backward ?? 'bptt',
    );
    this.optimizer = createOptimizer(init.config);
    this.spectral = spectralTracks(this.model, init.config.seed);
    const probe = this.model.probeShape;
    this.layout = {
      params: this.model.params.map((p) => ({ name: p.name, layer: p.layer, size: p.variable.size })),
      layers: this.model.layers,
      hiddenLayers: probe?.layers ?? 0,
      timeSteps: probe?.steps ?? 0,
      classifier: init.data.kind === 'mnist',
    };
  }

  get step(): number {
    return this.stepsDone;
  }

  get status(): TrainerPhase {
    return this.statusValue;
  }

  get divergence(): Divergence | null {
    return this.divergenceValue;
  }

  get batchesPerEpoch(): number {
    return this.batches.batchesPerEpoch;
  }

  /** Row indices of the next batch (see BatchOrder). */
  private nextBatchIndices(): { indices: number[]; epoch: number } {
    return this.batches.next(this.stepsDone);
  }

  private wantsHiddenGrads(step: number): boolean {
    const every = this.config.hiddenGradEvery;
    return this.model.probeShape !== null && every > 0 && (step - 1) % every === 0;
  }

  /** ||W_hh||_2 of each recurrent layer after the update: one power-iteration round a step, more at the first. */
  private spectralNorms(step: number): tf.Tensor1D | null {
    if (this.spectral.length === 0) return null;
    const rounds = step === 1 ? SPECTRAL_FIRST_ROUNDS : SPECTRAL_ROUNDS;
    const sigmas = this.spectral.map(({ weight, vector }) => {
      const { sigma, v } = powerIterate(weight as tf.Tensor2D, vector as tf.Tensor2D, rounds);
      vector.assign(v);
      return sigma;
    });
    return tf.stack(sigmas) as tf.Tensor1D;
  }

  private checkCanStep(): void {
    if (this.disposed) throw new Error('run was disposed; it cannot take another step');
    if (this.statusValue !== 'ready') throw new Error(`run is ${this.statusValue}; it cannot take another step`);
  }

  /** Trains one step and returns its metrics. After a non-finite step the run is over. */
  async trainStep(): Promise<StepMetrics> {
    this.checkCanStep();
    const step = this.stepsDone + 1;
    const { indices, epoch } = this.nextBatchIndices();
    const batch = makeBatch(this.data, indices);
    const measured = this.wantsHiddenGrads(step) ? this.model.probeShape : null;
    // A model with a sink measures dL/dh_t in its own backward; otherwise zero probes on every h_t do.
    const sink = measured ? this.model.hiddenGradSink : undefined;
    const probeShape = sink ? null : measured;
    const saturationSink = this.model.saturationSink;
    const paramCount = this.model.params.length;

    let packed: PackedStep | null = null;
    try {
      tf.tidy(() => {
        const variables = this.model.params.map((p) => p.variable);
        const probes = probeShape
          ? Array.from({ length: probeShape.layers * probeShape.steps }, () =>
              tf.zeros([indices.length, probeShape.hidden]),
            )
          : [];
        sink?.arm();
        saturationSink?.arm();
        let correct: tf.Tensor | null = null;
        const lossOf = (...args: tf.Tensor[]): tf.Scalar => {
          const out = this.model.loss(args.slice(0, paramCount), batch.x, batch.y, args.slice(paramCount));
          if (out.logits) correct = tf.keep(correctCount(out.logits, batch.y));
          return out.loss;
        };
        // One kernel for the loss and its gradients where the model has one (the dense net on cpu and wasm).
        const direct = probes.length === 0 ? (this.model.lossAndGrads?.(variables, batch.x, batch.y) ?? null) : null;
        const { value: loss, grads } = direct
          ? { value: direct.loss, grads: direct.grads }
          : tf.valueAndGrads(lossOf)([...variables, ...probes]);
        const paramGrads = grads.slice(0, paramCount);
        const hiddenGrads = grads.slice(paramCount);

        // Every norm and the cosine in the clipping's own kernel where it can be (clipping.ts clipAndMeasure), before
        // the update: tfjs runs eagerly, so the weights' norms are those of the values the step starts from.
        const clipped = clipAndMeasure(paramGrads, this.clip, variables);
        const norms = clipped.norms;
        const n = paramCount;
        const updates = this.optimizer.apply(variables, clipped.grads);
        const result = packStep({
          loss,
          accuracy: correct ?? tf.scalar(-1),
          clipFraction: clipped.fraction,
          clipScale: clipped.scale,
          clipCosine: sliceOf(norms, 3 * n, 1),
          gradNormPre: sliceOf(norms, 0, n),
          gradNormPost: sliceOf(norms, n, n),
          weightNorm: sliceOf(norms, 2 * n, n),
          // A parameter that is all zeros before the step (a bias starting at 0) has no size: the floor keeps it finite.
          updateRatio: { numerator: updates, denominator: sliceOf(norms, 2 * n, n), floor: UPDATE_RATIO_FLOOR },
          spectralNorm: this.spectralNorms(step),
          saturation: saturationSink ? saturationSink.take() : null,
          hiddenGradNorms: sink
            ? sink.take()
            : hiddenGrads.length > 0
              ? (tf.stack(hiddenGrads.map(l2Norm)) as tf.Tensor1D)
              : null,
        });
        if (correct) (correct as tf.Tensor).dispose();
        // A tensor outlives the tidy to be read back; host values need nothing kept.
        packed = result instanceof tf.Tensor ? tf.keep(result) : result;
      });
    } finally {
      // After a failed step too: what the backward kept must not outlive it.
      sink?.reset();
      saturationSink?.reset();
    }
    batch.x.dispose();
    batch.y.dispose();
    if (!packed) throw new Error('a step packed nothing');
    const values = await packedValues(packed);

    const hiddenCount = measured ? measured.layers * measured.steps : 0;
    const figures = unpackStep(values, {
      params: paramCount,
      spectralNorm: this.spectral.length,
      saturation: saturationSink ? saturationSink.layers : 0,
      hiddenGradNorms: hiddenCount,
    });
    const metrics = assembleStep(figures, { step, epoch, batchSize: indices.length, layout: this.layout });
    this.stepsDone = step;
    const divergence = findDivergence(metrics);
    if (divergence) {
      this.divergenceValue = divergence;
      this.statusValue = 'diverged';
    } else if (step >= this.config.steps) {
      this.statusValue = 'finished';
    }
    return metrics;
  }

  /**
   * The same step without the lab's instrumentation: gradients, clipping and
   * the update, reading back only the loss. The benchmark compares it with
   * trainStep to price the per-parameter norms and metrics.
   */
  async trainStepBare(): Promise<number> {
    this.checkCanStep();
    const { indices } = this.nextBatchIndices();
    const batch = makeBatch(this.data, indices);
    const paramCount = this.model.params.length;
    const loss = tf.tidy(() => {
      const variables = this.model.params.map((p) => p.variable);
      const direct = this.model.lossAndGrads?.(variables, batch.x, batch.y) ?? null;
      const { value, grads } = direct
        ? { value: direct.loss, grads: direct.grads }
        : tf.valueAndGrads(
            (...args: tf.Tensor[]) => this.model.loss(args.slice(0, paramCount), batch.x, batch.y, []).loss,
          )(variables);
      this.optimizer.apply(variables, applyClip(grads, this.clip).grads);
      return value;
    });
    batch.x.dispose();
    batch.y.dispose();
    const [value] = await loss.data();
    loss.dispose();
    this.stepsDone += 1;
    if (this.stepsDone >= this.config.steps) this.statusValue = 'finished';
    return value ?? NaN;
  }

  /** Whether the run has a held-out test set to evaluate: MNIST's test digits or the adding problem's test sequences. */
  get hasTestSet(): boolean {
    return this.data.kind !== 'regression';
  }

  /**
   * The held-out test set: MNIST's test accuracy and mean cross-entropy, or the adding problem's mean squared
   * error (testLoss; it has no accuracy) and the fraction of its test sequences solved (squared error under
   * ADDING_SOLVED_ERROR). Null for the dense net, which has no test set.
   */
  async evaluate(): Promise<EvalMetrics | null> {
    if (this.data.kind === 'regression' || this.disposed) return null;
    const data = this.data;
    const count = data.test.count;
    let correct = 0;
    let lossSum = 0;
    for (let start = 0; start < count; start += EVAL_CHUNK) {
      const indices = Array.from({ length: Math.min(EVAL_CHUNK, count - start) }, (_, k) => start + k);
      const packed = tf.tidy(() => {
        const { x, y } = data.kind === 'mnist' ? mnistBatch(data.test, indices) : addingBatch(data.test, indices);
        const out = this.model.loss(
          this.model.params.map((p) => p.variable),
          x,
          y,
          [],
        );
        // Classifiers: rows whose largest logit is the label; the adding problem: sequences solved.
        const hits = out.logits
          ? correctCount(out.logits, y)
          : out.outputs
            ? tf.sum(tf.cast(tf.less(tf.square(tf.sub(out.outputs, y)), ADDING_SOLVED_ERROR), 'float32'))
            : tf.scalar(0);
        return tf.stack([tf.mul(out.loss, indices.length), hits]);
      });
      const [lossPart = NaN, hits = NaN] = await packed.data();
      packed.dispose();
      lossSum += lossPart;
      correct += hits;
    }
    return {
      step: this.stepsDone,
      testAccuracy: data.kind === 'mnist' ? correct / count : null,
      testLoss: lossSum / count,
      testSolved: data.kind === 'adding' ? correct / count : null,
      examples: count,
    };
  }

  /**
   * A knob turned while it trains (experiment/schedule.ts), before the next step: the learning rate of every
   * run, or this run's clipping. The weights and the optimiser's state go on as they are. Returns whether the
   * change concerned this run.
   */
  applyKnob(change: KnobChange): boolean {
    if (!changeConcerns(change, this.side)) return false;
    if (change.knob === 'lr') {
      this.optimizer.setLearningRate(change.lr);
      this.lr = change.lr;
    } else this.clip = change.clip;
    return true;
  }

  /** The learning rate of the next step (the config's until a knob turns it). */
  get learningRate(): number {
    return this.lr ?? this.config.lr;
  }

  /** Current weights, by parameter name (for inspection and tests). */
  async weights(): Promise<InitialWeights> {
    const out: InitialWeights = {};
    for (const p of this.model.params) out[p.name] = (await p.variable.data()) as Float32Array;
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.model.dispose();
    this.optimizer.dispose();
    for (const track of this.spectral) track.vector.dispose();
    this.disposed = true;
  }
}
