/**
 * The narrator's sentences, one function each: what a step's metrics say, or null where the sentence does not
 * apply to this run (its model, task or clipping) or its figures cannot be trusted. The narrator (narrator.ts)
 * decides when to tell them; these decide what is said.
 */
import type { Divergence, StepMetrics } from '../train/metrics.ts';
import {
  GATES,
  figure,
  formatAgainst,
  layerParams,
  percentAgainst,
  recurrentLayers,
  type Claim,
  type RunContext,
} from './claims.ts';
import { formatNumber } from './describe.ts';

/** Through time: vanishing below, exploding above. */
export const VANISHING_RATIO = 1e-2;
export const EXPLODING_RATIO = 1e2;
/** A spike: the gradient norm above this many times the running median. */
export const SPIKE_FACTOR = 10;
/** "Most hidden units saturated": more than this fraction with |h| > 0.99. */
export const SATURATED_FRACTION = 0.5;

/** "the step taken was 25% of the one the gradient asked for": below 100% whenever clipping shortened it. */
function shortenedClause(m: StepMetrics): { text: string; figures: Claim['figures'] } | null {
  const ratio = m.globalNormPost / m.globalNormPre;
  if (!Number.isFinite(ratio) || !(m.globalNormPre > 0)) return null;
  const printed = percentAgainst(ratio, 1);
  return {
    text: `the step taken was ${printed} of the one the gradient asked for`,
    figures: [figure('appliedRatio', ratio, printed, { step: m.step })],
  };
}

/** The first step clipping changed the gradient, in the words of its mode. */
export function clipFirstClaim(ctx: RunContext, m: StepMetrics): Claim | null {
  const { clip } = ctx;
  if (clip.mode === 'none' || !(m.clipFraction > 0)) return null;
  const shortened = shortenedClause(m);
  const tail = shortened ? `; ${shortened.text}.` : '.';
  const figures = shortened ? [...shortened.figures] : [];
  const head = 'clipping acted for the first time: ';
  switch (clip.mode) {
    case 'value': {
      const printed = percentAgainst(m.clipFraction, 0);
      figures.unshift(figure('clipFraction', m.clipFraction, printed, { step: m.step }));
      return {
        text: `${head}${printed} of the gradient's elements were outside [${clip.min}, ${clip.max}] and were cut to the bound${tail}`,
        figures,
      };
    }
    case 'norm': {
      let largest = -Infinity;
      let index = -1;
      m.gradNormPre.forEach((n, i) => {
        if (n > largest) [largest, index] = [n, i];
      });
      const name = ctx.layout.params[index]?.name;
      if (name === undefined || !Number.isFinite(largest)) return null;
      const printed = formatAgainst(largest, clip.threshold);
      figures.unshift(figure('gradNormPre', largest, printed, { step: m.step, of: name }));
      const relation = largest > clip.threshold ? 'above' : 'at';
      return {
        text: `${head}the largest tensor's gradient norm (${name}) was ${printed}, ${relation} the threshold ${clip.threshold} each tensor is held to${tail}`,
        figures,
      };
    }
    case 'global':
    case 'global-tf': {
      if (clip.mode === 'global' && clip.normType === 'inf') {
        // The L2 norm the lab records is not the norm this mode measures: say which one it is, quote no L2 figure.
        return {
          text: `${head}the largest gradient element, the max-norm (normType=inf) this clipping bounds, was above the threshold ${clip.threshold}${tail}`,
          figures,
        };
      }
      const printed = formatAgainst(m.globalNormPre, clip.threshold);
      figures.unshift(figure('globalNormPre', m.globalNormPre, printed, { step: m.step }));
      const relation = m.globalNormPre > clip.threshold ? 'above' : 'at';
      return {
        text: `${head}the gradient's global L2 norm was ${printed}, ${relation} the threshold ${clip.threshold}${tail}`,
        figures,
      };
    }
  }
}

/** Clipping acting on most of the last `window` steps, with how much shorter it made them on average. */
export function clipMostClaim(
  ctx: RunContext,
  step: number,
  count: number,
  window: number,
  meanRatio: number,
): Claim | null {
  if (ctx.clip.mode === 'none' || !(count > window / 2) || !(meanRatio > 0 && meanRatio <= 1)) return null;
  const percent = percentAgainst(meanRatio, 1);
  const times = formatAgainst(1 / meanRatio, 1, 2);
  return {
    text: `clipping is acting on most steps (${count} of the last ${window}): on average the step taken is ${percent} of what the gradient asked for, ${times}x shorter.`,
    figures: [
      figure('meanAppliedRatio', meanRatio, percent, { step }),
      figure('meanShortening', 1 / meanRatio, `${times}x`, { step }),
    ],
  };
}

/** A gradient spike: the norm above SPIKE_FACTOR x the running median of the steps before. */
export function spikeClaim(m: StepMetrics, typical: number): Claim | null {
  const norm = m.globalNormPre;
  if (!Number.isFinite(norm) || !(typical > 0) || !(norm > SPIKE_FACTOR * typical)) return null;
  const normPrinted = formatNumber(norm);
  const ratioPrinted = formatAgainst(norm / typical, SPIKE_FACTOR, 2);
  const medianPrinted = formatNumber(typical);
  return {
    text: `a gradient spike: the norm jumped to ${normPrinted}, ${ratioPrinted}x the running median (${medianPrinted}).`,
    figures: [
      figure('globalNormPre', norm, normPrinted, { step: m.step }),
      figure('spikeRatio', norm / typical, `${ratioPrinted}x`, { step: m.step }),
      figure('runningMedian', typical, medianPrinted, { step: m.step }),
    ],
  };
}

/**
 * ||dL/dh_1|| / ||dL/dh_T|| of the bottom recurrent layer (its gradient travels the whole way back through time),
 * or null where it is not measured or not a ratio worth telling (a zero or non-finite end).
 */
export function throughTimeRatio(ctx: RunContext, m: StepMetrics): { layer: string; ratio: number } | null {
  const T = ctx.timeSteps;
  const norms = m.hiddenGradNorms;
  const layer = recurrentLayers(ctx.layout)[0];
  if (!norms || T < 2 || layer === undefined) return null;
  const first = norms[0];
  const last = norms[T - 1];
  if (first === undefined || last === undefined || !(first > 0 && last > 0)) return null;
  if (!Number.isFinite(first) || !Number.isFinite(last)) return null;
  return { layer, ratio: first / last };
}

/** The gradient vanishing or exploding through time. */
export function throughTimeClaim(ctx: RunContext, m: StepMetrics): Claim | null {
  const found = throughTimeRatio(ctx, m);
  if (!found) return null;
  const { layer, ratio } = found;
  const T = ctx.timeSteps;
  if (ratio < VANISHING_RATIO) {
    const printed = formatAgainst(ratio, VANISHING_RATIO, 2);
    const times = formatAgainst(1 / ratio, 1 / VANISHING_RATIO, 2);
    return {
      text: `the gradient vanishes through time: in ${layer}, at t = 1 it is ${times} times smaller than at t = ${T} (||dL/dh_1|| / ||dL/dh_${T}|| = ${printed}), so the first time steps barely teach the net anything.`,
      figures: [
        figure('hiddenGradShrink', 1 / ratio, times, { step: m.step, of: layer }),
        figure('hiddenGradRatio', ratio, printed, { step: m.step, of: layer }),
      ],
    };
  }
  if (ratio > EXPLODING_RATIO) {
    const printed = formatAgainst(ratio, EXPLODING_RATIO, 2);
    return {
      text: `the gradient explodes through time: in ${layer}, at t = 1 it is ${printed} times larger than at t = ${T} (||dL/dh_1|| / ||dL/dh_${T}|| = ${printed}).`,
      figures: [figure('hiddenGradRatio', ratio, printed, { step: m.step, of: layer })],
    };
  }
  return null;
}

/**
 * The spectral norm of layer l's W_hh, if it can be trusted: finite, positive and within what the Frobenius
 * norm of the same matrix allows (||W||_F / sqrt(rank) <= ||W||_2 <= ||W||_F; the weight norm is taken before
 * the update and the spectral norm after it, hence the factor 2 of slack). A power iteration that overflowed
 * gives 0 or a non-finite value: no sentence is ever written from it.
 */
export function trustedSpectralNorm(ctx: RunContext, m: StepMetrics, l: number): number | null {
  const value = m.spectralNorm?.[l];
  const layer = recurrentLayers(ctx.layout)[l];
  if (value === undefined || value === null || !Number.isFinite(value) || !(value > 0) || layer === undefined)
    return null;
  if (ctx.model === 'dense') return null;
  const whh = layerParams(ctx.layout, layer).find((p) => p.name === `${layer}.W_hh`);
  if (!whh) return value;
  const frobenius = m.weightNorm[whh.index];
  if (frobenius === undefined || !Number.isFinite(frobenius) || !(frobenius > 0)) return null;
  const hidden = Math.sqrt(whh.size / GATES[ctx.model]);
  return value <= 2 * frobenius && value >= frobenius / Math.sqrt(hidden) / 2 ? value : null;
}

/**
 * ||W_hh||_2 crossing 1. Only for the vanilla RNN: its Jacobian through time is diag(tanh') W_hh with tanh' <= 1,
 * so below 1 the gradient can only shrink. A gated cell's Jacobian mixes W_hh's gate blocks with the gates (a GRU
 * with ||W_hh||_2 = 0.95 can still amplify the gradient), so the line at 1 says nothing there: null.
 */
export function spectralCrossingClaim(
  ctx: RunContext,
  step: number,
  layer: string,
  before: number,
  now: number,
): Claim | null {
  if (ctx.model !== 'rnn') return null;
  if (!Number.isFinite(before) || !Number.isFinite(now) || !(before > 0 && now > 0)) return null;
  const printed = formatAgainst(now, 1);
  const figures = [figure('spectralNorm', now, printed, { step, of: layer })];
  if (before < 1 && now >= 1)
    return {
      text: `||W_hh|| of ${layer} rose above 1 (${printed}): backpropagation through time can now amplify the gradient.`,
      figures,
    };
  if (before >= 1 && now < 1)
    return {
      text: `||W_hh|| of ${layer} fell below 1 (${printed}): the gradient can no longer grow on its way back through time (tanh' is at most 1).`,
      figures,
    };
  return null;
}

/** Most hidden values of a layer near +-1: what that means depends on the cell. */
export function saturationClaim(ctx: RunContext, step: number, layer: string, fraction: number): Claim | null {
  if (ctx.model === 'dense' || !Number.isFinite(fraction) || !(fraction > SATURATED_FRACTION)) return null;
  const printed = percentAgainst(fraction, SATURATED_FRACTION);
  const figures = [figure('saturation', fraction, printed, { step, of: layer })];
  if (ctx.model === 'rnn')
    return {
      text: `most hidden units of ${layer} are saturated (${printed} have |h| > 0.99): tanh passes almost no gradient through them.`,
      figures,
    };
  return {
    text: `most hidden values of ${layer} are near -1 or +1 (${printed} have |h| > 0.99). In a${ctx.model === 'lstm' ? 'n LSTM' : ' GRU'} this alone does not say how much gradient flows back through time: the gates decide that.`,
    figures,
  };
}

/** The end of a run that went non-finite. */
export function divergedClaim(divergence: Divergence): Claim {
  const what = divergence.what === 'loss' ? 'the loss' : 'a gradient';
  return {
    text: `${what} became ${divergence.value}: the numbers overflowed float32 and the run stopped.`,
    figures: [],
  };
}
