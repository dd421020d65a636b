/**
 * The charts' words: titles, the line always shown, the help behind "?", and the labelled lines they draw
 * (thresholds). Each is a function of what the chart shows (the model, the task, the runs' clipping), so a
 * vanilla RNN's maths is never said of an LSTM, nor the per-layer chart given a line that bounds the global norm.
 */
import { ADDING_BASELINE_MSE, type ClipConfig, type ModelKind } from '../experiment/config.ts';
import { formatNumber } from './describe.ts';

export interface ChartLine {
  value: number;
  label: string;
}

export interface ChartWords {
  title: string;
  summary: string;
  help: string;
}

const CELL_NAMES = { lstm: 'an LSTM', gru: 'a GRU' } as const;

/**
 * A layer in words, its code name after it: "hidden layer (fc1)", "output layer (fc2)", "recurrent layer 1
 * (lstm0)", "output layer (out)". The models name their layers fc1/fc2 (the dense net), rnnK/lstmK/gruK
 * (recurrent layer K + 1) and out (the recurrent nets' head); a name outside these is shown as it is.
 */
export function layerInWords(layer: string): string {
  if (layer === 'fc1') return 'hidden layer (fc1)';
  if (layer === 'fc2' || layer === 'out') return `output layer (${layer})`;
  const recurrent = /^(rnn|lstm|gru)(\d+)$/.exec(layer);
  if (recurrent) return `recurrent layer ${Number(recurrent[2]) + 1} (${layer})`;
  return layer;
}

/**
 * The per-layer gradient-norm chart of one run. Only per-tensor clipping holds a layer's tensors to c each, so
 * only it gets the line c; the global modes bound the norm of every gradient together (the global-norm chart).
 */
export function gradNormChartWords(clip: ClipConfig): { summary: string; help: string; lines: ChartLine[] } {
  const summary =
    clip.mode === 'none'
      ? "Each layer's gradient size, as computed (nothing clips it)."
      : "Each layer's gradient size: solid as computed, dashed after clipping.";
  return { summary, ...gradNormHelp(clip) };
}

function gradNormHelp(clip: ClipConfig): { help: string; lines: ChartLine[] } {
  const base =
    "Each layer's gradient norm, its weights and biases together. Both runs' charts share one y axis. Ticks along the top mark the steps where clipping changed the gradient. The tutorial's figure, the weight matrix alone after clipping, is the CSV's fc1.weight_grad_norm_post column (docs/METRICS.md).";
  switch (clip.mode) {
    case 'none':
      return { help: base, lines: [] };
    case 'value':
      return {
        help: `${base} Clipping by value bounds each element, not the norm: a layer of n weights can still have a norm of up to sqrt(n) x the bound.`,
        lines: [],
      };
    case 'norm':
      return {
        help: `${base} Per-tensor clipping holds each tensor (the weight matrix, the bias) to the threshold on its own, so a layer's two tensors together can reach sqrt(2) x the threshold, above its line.`,
        lines: [{ value: clip.threshold, label: `c = ${clip.threshold}, per tensor` }],
      };
    case 'global':
    case 'global-tf':
      return {
        help:
          `${base} This clipping's threshold c = ${clip.threshold} bounds the norm of all the gradients together, not each layer's, so it is drawn on the global-norm chart, not here.` +
          (clip.mode === 'global' && clip.normType === 'inf'
            ? ` With normType=inf, c bounds the max-norm, the largest |element| of any gradient: a layer's L2 norm after clipping can sit well above c.`
            : ''),
        lines: [],
      };
  }
}

/** A run's global threshold line on the global-norm chart: the L2 norm drawn there is what c bounds, except for inf. */
export function globalNormLine(clip: ClipConfig, runName: string): ChartLine | null {
  if (clip.mode === 'global-tf' || (clip.mode === 'global' && clip.normType !== 'inf'))
    return { value: clip.threshold, label: `${runName}: c = ${clip.threshold}` };
  return null;
}

export function globalNormChartWords(clips: readonly ClipConfig[]): ChartWords {
  const inf = clips.some((c) => c.mode === 'global' && c.normType === 'inf');
  const global = clips.some((c) => c.mode === 'global-tf' || (c.mode === 'global' && c.normType !== 'inf'));
  return {
    title: 'Global gradient norm (log scale)',
    summary: 'The size of the whole gradient: solid as computed, dashed after clipping.',
    help:
      'The length of the whole gradient, ||g|| = sqrt of the sum of every squared partial derivative (the L2 norm). Solid: as backpropagation computed it. Dashed: what the optimiser actually applied after clipping.' +
      (global
        ? ' A horizontal line marks the threshold c of a run clipped by its global L2 norm: its dashed line stays at or below it.'
        : '') +
      (inf
        ? ' A run clipped with normType=inf bounds the max-norm (the largest |element| of any gradient), not the L2 norm drawn here, so it has no line.'
        : ''),
  };
}

/** The per-time-step chart: ||dL/dh_t||. */
export function hiddenGradChartWords(model: ModelKind, timeSteps: number, count: number): ChartWords | null {
  if (model === 'dense' || timeSteps < 1) return null;
  const jacobian =
    model === 'rnn'
      ? "dh_t/dh_(t-1) = diag(tanh'(.)) W_hh"
      : `dh_t/dh_(t-1), which for ${CELL_NAMES[model]} depends on its gates as well as on W_hh${model === 'lstm' ? ' (and passes through the cell state)' : ''}`;
  return {
    title: 'gradient reaching each time step, ||dL/dh_t||',
    summary: `How much gradient reaches each of the ${timeSteps} time steps. Rising toward t = 1: exploding; falling: vanishing.`,
    help: `Backpropagation through time multiplies the gradient by one Jacobian per step, ${jacobian}. If those factors are mostly larger than 1 the product grows toward t = 1 (exploding); if smaller, it shrinks (vanishing). ${count} measurements so far; lighter lines are earlier.`,
  };
}

/** The ||W_hh|| chart, and whether the line at 1 means anything for this model (it does for the vanilla RNN only). */
export function spectralChartWords(model: ModelKind): (ChartWords & { lines: ChartLine[] }) | null {
  if (model === 'dense') return null;
  if (model === 'rnn')
    return {
      title: "||W_hh||, the recurrent matrix's largest stretch",
      summary: 'Above the line at 1 the gradient can grow on its way back through time; below it, it can only shrink.',
      help: "The largest singular value of each recurrent weight matrix W_hh after every update (a few rounds of power iteration a step). Backpropagation through time multiplies the gradient by diag(tanh') W_hh once per time step, and tanh' is at most 1: with ||W_hh|| below 1 it can only shrink toward t = 1, above 1 it can grow, unless saturated units (next chart) make tanh' small.",
      lines: [{ value: 1, label: '1: growth through time possible above' }],
    };
  return {
    title: "||W_hh||, the largest stretch of the recurrent weights (every gate's block)",
    summary: `How large the recurrent weights grow. For ${CELL_NAMES[model]} the value 1 is no boundary: its gates decide whether the gradient grows through time.`,
    help:
      `The largest singular value of each layer's recurrent weights, the blocks of all ${model === 'lstm' ? 'four' : 'three'} gates stacked, after every update (a few rounds of power iteration a step). ` +
      (model === 'gru'
        ? "A GRU's Jacobian through time mixes these blocks with its gate values and passes part of the state straight through the update gate, so ||W_hh|| below 1 does not mean the gradient can only shrink: a GRU can amplify it with ||W_hh|| under 1."
        : "An LSTM's cell state carries gradient back through time along a path (through the forget gate) that W_hh does not multiply, so the line at 1 is no boundary between growing and shrinking here."),
    lines: [],
  };
}

/** The saturation chart: the same measurement for every cell, its meaning for the vanilla RNN only. */
export function saturationChartWords(model: ModelKind, timeSteps: number): ChartWords | null {
  if (model === 'dense' || timeSteps < 1) return null;
  const measured = `For each recurrent layer, the fraction of its hidden values h_t (over the batch and all ${timeSteps} time steps) with |h| > 0.99.`;
  if (model === 'rnn')
    return {
      title: 'Saturated hidden units',
      summary: 'The share of hidden values stuck near -1 or +1, where tanh passes almost no gradient.',
      help: `${measured} There tanh' = 1 - h^2 is under 0.02, so little gradient flows back through those units: a run with many saturated units can leave the exploding regime even with ||W_hh|| above 1.`,
    };
  return {
    title: 'Hidden values near -1 or +1',
    summary: 'The share of hidden values with |h| > 0.99.',
    help: `${measured} In ${CELL_NAMES[model]} the hidden value is ${model === 'lstm' ? 'o * tanh(c)' : 'a gate-weighted mix of the last state and a tanh candidate'}: how much gradient flows back through time is decided by the gates, not by this share alone.`,
  };
}

/** The loss chart's words, for a pair (or race) or one run, on the adding problem or not. */
export function lossChartWords(adding: boolean, runs: number): ChartWords {
  return {
    title: 'Loss (log scale)',
    summary: adding
      ? 'How far each answer is from the true sum (mean squared error), step by step: lower is better. Below the dashed line the net has learned which values are marked.'
      : 'How wrong each run is, step by step: lower is better. A line that shoots up is a run exploding.',
    help:
      (runs > 1
        ? 'The training loss of each run on its batch. The runs of a pair start from the same weights and see the same batches, so any gap between them comes from clipping alone. Each grid line is ten times the one below it.'
        : 'The training loss of the run on each batch. Each grid line is ten times the one below it.') +
      (adding
        ? ` The dashed line is what a net that ignores the markers and always answers 1, the average sum, would score: 1/6, about ${formatNumber(ADDING_BASELINE_MSE)}.`
        : ''),
  };
}

/** "every 200 steps and at the end", or "at the end". */
function whenTested(evalEvery: number): string {
  return evalEvery > 0 ? `every ${evalEvery} steps and at the end` : 'at the end';
}

/** The held-out chart: test MSE for the adding problem, accuracy for the digits; null for the dense net. */
export function heldOutChartWords(
  task: 'regression' | 'mnist' | 'adding',
  evalEvery: number,
): (ChartWords & { yLabel: string }) | null {
  if (task === 'regression') return null;
  if (task === 'adding')
    return {
      title: 'Test MSE',
      summary:
        "How far each run's answers are from the true sums on test sequences it never trained on. Below the dashed line it has learned.",
      help: `The mean squared error on the held-out test sequences, measured ${whenTested(evalEvery)}. The dashed line, 1/6 or about ${formatNumber(ADDING_BASELINE_MSE)}, is what a net that ignores the markers and always answers 1, the average sum, would score.`,
      yLabel: 'test MSE',
    };
  return {
    title: 'Accuracy',
    summary: 'How often each run reads the digit right. Chance is 10%.',
    help: `Dashed: accuracy on each training batch. Solid: accuracy on the held-out test digits, measured ${whenTested(evalEvery)}. Chance is 10%.`,
    yLabel: 'accuracy',
  };
}

/** The direction chart, shown only where a run's clipping can turn the step (by value, per tensor). */
export function directionChartWords(clips: readonly ClipConfig[]): ChartWords | null {
  if (!clips.some((c) => c.mode === 'value' || c.mode === 'norm')) return null;
  return {
    title: 'How far clipping turns the step',
    summary: 'The angle between the gradient and the step taken: 0° keeps its direction, only shorter.',
    help: "The angle between the gradient g and the clipped gradient the optimiser was given, acos(<g, clipped g> / (||g|| ||clipped g||)), over every weight and bias at once. Clipping by the global norm multiplies the whole gradient by one number: the step is shorter, in the same direction (0°). Clipping by value cuts only the large elements, so the small ones weigh more; clipping each tensor's norm shrinks some layers and not others: both point the step somewhere the gradient did not.",
  };
}

/** The adding problem's yardstick line on the loss and test-MSE charts. */
export function addingReferenceLine(): ChartLine {
  return { value: ADDING_BASELINE_MSE, label: `always answering 1: MSE ${formatNumber(ADDING_BASELINE_MSE)}` };
}
