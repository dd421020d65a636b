/**
 * The narrator: plain sentences about what a run is doing, worked out from the metrics as they stream.
 * One pure module, so that the page, the history and `gradlab run --narrate` say the same words.
 *
 * Events (each at most once, but spikes, which can recur after a quiet spell):
 * - clipping acted for the first time; clipping acts on most steps (with how much shorter the steps are);
 * - a gradient spike: the norm above 10x the running median of the steps before;
 * - divergence;
 * - the gradient vanishing or exploding through time: ||dL/dh_1|| / ||dL/dh_T|| below 1e-2 or above 1e2;
 * - ||W_hh||_2 crossing 1, either way; most hidden units saturated.
 */
import type { ClipConfig } from '../experiment/config.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import { formatNumber } from './describe.ts';

export type NarrationKind =
  | 'clip-first'
  | 'clip-most'
  | 'spike'
  | 'diverged'
  | 'vanishing-in-time'
  | 'exploding-in-time'
  | 'spectral-above-1'
  | 'spectral-below-1'
  | 'saturated';

export interface NarrationEvent {
  step: number;
  kind: NarrationKind;
  sentence: string;
}

/** A spike: the gradient norm above this many times the running median. */
export const SPIKE_FACTOR = 10;
/** The running median looks back this many steps, and needs this many before it speaks. */
const MEDIAN_WINDOW = 50;
const MEDIAN_MIN = 5;
/** After a spike, this many quiet steps before another is told; and no more than this many told in all. */
const SPIKE_COOLDOWN = 20;
const MAX_SPIKES = 10;
/** "Most steps": more than half of the last this many. */
const MOST_WINDOW = 20;
/** Through time: vanishing below, exploding above. */
export const VANISHING_RATIO = 1e-2;
export const EXPLODING_RATIO = 1e2;
/** Clipping "barely acts" on fewer than this fraction of steps. */
const BARELY = 0.05;
/** "Most hidden units saturated": more than this fraction with |h| > 0.99. */
const SATURATED_FRACTION = 0.5;

const percent = (fraction: number) => `${formatNumber(100 * fraction, 2)}%`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Figures a run's summary is written from, gathered while it streams. */
export interface RunStory {
  steps: number;
  divergence: Divergence | null;
  /** Steps where clipping changed the gradient. */
  clippedSteps: number;
  /** Mean over those steps of ||applied|| / ||raw||: the fraction of the step the gradient asked for. */
  appliedRatio: number | null;
  /**
   * Mean over those steps of the angle, in degrees, between the step taken and the gradient (acos of
   * clipCosine): 0 for the global modes, which only shorten the step; null when not measured.
   */
  turnDegrees: number | null;
  firstLoss: number | null;
  /** Mean batch loss over the last (up to) 10% of steps, at least one. */
  finalLoss: number | null;
  lastEval: EvalMetrics | null;
  spectralNorm: number[] | null;
  events: NarrationEvent[];
}

export class Narrator {
  private readonly norms: number[] = [];
  private readonly acted: boolean[] = [];
  private readonly ratios: number[] = [];
  private readonly turns: number[] = [];
  private readonly losses: number[] = [];
  private readonly told = new Set<NarrationKind>();
  private readonly events: NarrationEvent[] = [];
  private lastSpikeStep = -Infinity;
  private spikesTold = 0;
  private lastSpectral: number[] | null = null;
  private saturatedLayers = new Set<number>();
  private divergence: Divergence | null = null;
  private lastEval: EvalMetrics | null = null;
  private steps = 0;

  constructor(
    private readonly clip: ClipConfig,
    private readonly layout: RunLayout,
  ) {}

  /** Takes one step's metrics; returns the events it gave rise to (also kept for the summary). */
  observe(m: StepMetrics): NarrationEvent[] {
    const found: NarrationEvent[] = [];
    const tell = (kind: NarrationKind, sentence: string) => {
      const event = { step: m.step, kind, sentence: `Step ${m.step}: ${sentence}` };
      found.push(event);
      this.events.push(event);
      if (kind !== 'spike') this.told.add(kind);
    };
    this.steps = m.step;
    this.losses.push(m.loss);
    this.clipping(m, tell);
    this.spike(m, tell);
    this.throughTime(m, tell);
    this.recurrentState(m, tell);
    return found;
  }

  /** The end of a run that went non-finite. */
  diverged(divergence: Divergence): NarrationEvent {
    this.divergence = divergence;
    const what = divergence.what === 'loss' ? 'the loss' : 'a gradient';
    const event: NarrationEvent = {
      step: divergence.step,
      kind: 'diverged',
      sentence: `Step ${divergence.step}: ${what} became ${divergence.value}: the numbers overflowed float32 and the run stopped.`,
    };
    this.events.push(event);
    return event;
  }

  evaluated(result: EvalMetrics): void {
    this.lastEval = result;
  }

  story(): RunStory {
    const actedSteps = this.acted.filter(Boolean).length;
    const tail = Math.max(1, Math.round(this.losses.length / 10));
    const finite = this.losses.filter(Number.isFinite);
    const last = finite.slice(-tail);
    return {
      steps: this.steps,
      divergence: this.divergence,
      clippedSteps: actedSteps,
      appliedRatio: this.ratios.length ? this.ratios.reduce((a, b) => a + b, 0) / this.ratios.length : null,
      turnDegrees: this.turns.length ? this.turns.reduce((a, b) => a + b, 0) / this.turns.length : null,
      firstLoss: finite[0] ?? null,
      finalLoss: last.length ? last.reduce((a, b) => a + b, 0) / last.length : null,
      lastEval: this.lastEval,
      spectralNorm: this.lastSpectral,
      events: [...this.events],
    };
  }

  private clipping(m: StepMetrics, tell: (kind: NarrationKind, sentence: string) => void): void {
    if (this.clip.mode === 'none') return;
    const acted = m.clipFraction > 0;
    this.acted.push(acted);
    if (acted && Number.isFinite(m.globalNormPre) && m.globalNormPre > 0) {
      this.ratios.push(m.globalNormPost / m.globalNormPre);
    }
    if (acted && m.clipCosine !== undefined && Number.isFinite(m.clipCosine)) {
      this.turns.push((Math.acos(Math.min(1, Math.max(-1, m.clipCosine))) * 180) / Math.PI);
    }
    if (acted && !this.told.has('clip-first')) {
      const shortened = `the step taken was ${percent(m.globalNormPost / m.globalNormPre)} of the one the gradient asked for`;
      tell(
        'clip-first',
        this.clip.mode === 'value'
          ? `clipping acted for the first time: ${percent(m.clipFraction)} of the gradient's elements were outside [${this.clip.min}, ${this.clip.max}] and were cut to the bound; ${shortened}.`
          : this.clip.mode === 'norm'
            ? `clipping acted for the first time: the largest tensor's gradient norm was ${formatNumber(Math.max(...m.gradNormPre))}, above the threshold ${this.clip.threshold} each tensor is held to; ${shortened}.`
            : `clipping acted for the first time: the gradient's norm was ${formatNumber(m.globalNormPre)}, above the threshold ${this.clip.threshold}; ${shortened}.`,
      );
    }
    const recent = this.acted.slice(-MOST_WINDOW);
    const count = recent.filter(Boolean).length;
    if (recent.length === MOST_WINDOW && count > MOST_WINDOW / 2 && !this.told.has('clip-most')) {
      const ratio = this.ratios.slice(-count).reduce((a, b) => a + b, 0) / count;
      tell(
        'clip-most',
        `clipping is acting on most steps (${count} of the last ${MOST_WINDOW}): on average the step taken is ${percent(ratio)} of what the gradient asked for, ${formatNumber(1 / ratio, 2)}x shorter.`,
      );
    }
  }

  private spike(m: StepMetrics, tell: (kind: NarrationKind, sentence: string) => void): void {
    const norm = m.globalNormPre;
    const before = this.norms.slice(-MEDIAN_WINDOW);
    if (Number.isFinite(norm)) this.norms.push(norm);
    if (before.length < MEDIAN_MIN || !Number.isFinite(norm)) return;
    const typical = median(before);
    const quiet = m.step - this.lastSpikeStep > SPIKE_COOLDOWN;
    if (typical > 0 && norm > SPIKE_FACTOR * typical && quiet && this.spikesTold < MAX_SPIKES) {
      this.lastSpikeStep = m.step;
      this.spikesTold += 1;
      tell(
        'spike',
        `a gradient spike: the norm jumped to ${formatNumber(norm)}, ${formatNumber(norm / typical, 2)}x the running median (${formatNumber(typical)}).`,
      );
    }
  }

  private throughTime(m: StepMetrics, tell: (kind: NarrationKind, sentence: string) => void): void {
    const T = this.layout.timeSteps;
    const norms = m.hiddenGradNorms;
    if (!norms || T < 2) return;
    // The bottom layer: its gradient travels the whole way back through time.
    const first = norms[0];
    const last = norms[T - 1];
    // A zero or non-finite end (a saturated or diverging net) gives no ratio worth telling.
    if (first === undefined || last === undefined || !(first > 0 && last > 0)) return;
    if (!Number.isFinite(first) || !Number.isFinite(last)) return;
    const ratio = first / last;
    if (ratio < VANISHING_RATIO && !this.told.has('vanishing-in-time')) {
      tell(
        'vanishing-in-time',
        `the gradient vanishes through time: at t = 1 it is ${formatNumber(1 / ratio, 2)} times smaller than at t = ${T} (||dL/dh_1|| / ||dL/dh_${T}|| = ${formatNumber(ratio, 2)}), so the first time steps barely teach the net anything.`,
      );
    }
    if (ratio > EXPLODING_RATIO && !this.told.has('exploding-in-time')) {
      tell(
        'exploding-in-time',
        `the gradient explodes through time: at t = 1 it is ${formatNumber(ratio, 2)} times larger than at t = ${T} (||dL/dh_1|| / ||dL/dh_${T}|| = ${formatNumber(ratio, 2)}).`,
      );
    }
  }

  private recurrentState(m: StepMetrics, tell: (kind: NarrationKind, sentence: string) => void): void {
    const layers = this.layout.layers;
    if (m.spectralNorm) {
      m.spectralNorm.forEach((now, l) => {
        const before = this.lastSpectral?.[l];
        const name = layers[l] ?? `layer ${l}`;
        if (before !== undefined && before < 1 && now >= 1 && !this.told.has('spectral-above-1')) {
          tell(
            'spectral-above-1',
            `||W_hh|| of ${name} rose above 1 (${formatNumber(now)}): backpropagation through time can now amplify the gradient.`,
          );
        }
        if (before !== undefined && before >= 1 && now < 1 && !this.told.has('spectral-below-1')) {
          tell(
            'spectral-below-1',
            `||W_hh|| of ${name} fell below 1 (${formatNumber(now)}): the gradient can no longer grow on its way back through time.`,
          );
        }
      });
      this.lastSpectral = [...m.spectralNorm];
    }
    m.saturation?.forEach((fraction, l) => {
      if (fraction > SATURATED_FRACTION && !this.saturatedLayers.has(l)) {
        this.saturatedLayers.add(l);
        if (this.told.has('saturated')) return;
        tell(
          'saturated',
          `most hidden units of ${layers[l] ?? `layer ${l}`} are saturated (${percent(fraction)} have |h| > 0.99): tanh passes almost no gradient through them.`,
        );
      }
    });
  }
}

/** A run's story in a few sentences. */
export function summarizeStory(story: RunStory, clip: ClipConfig): string {
  const parts: string[] = [];
  if (story.divergence) parts.push(`It diverged at step ${story.divergence.step}.`);
  else parts.push(`It trained ${story.steps} steps.`);
  if (clip.mode !== 'none') {
    if (story.clippedSteps === 0) parts.push('Clipping never acted: every step was the one the gradient asked for.');
    else {
      const ratio = story.appliedRatio;
      parts.push(
        `Clipping acted on ${story.clippedSteps} of ${story.steps} steps (${percent(story.clippedSteps / Math.max(1, story.steps))})` +
          (ratio !== null
            ? `; there, the step taken was on average ${percent(ratio)} of what the gradient asked for.`
            : '.'),
      );
      if (story.turnDegrees !== null) parts.push(turnSentence(story.turnDegrees));
    }
  }
  if (story.firstLoss !== null && story.finalLoss !== null && !story.divergence) {
    parts.push(`Its batch loss went from ${formatNumber(story.firstLoss)} to about ${formatNumber(story.finalLoss)}.`);
  }
  if (story.lastEval) {
    const { testAccuracy, testLoss } = story.lastEval;
    parts.push(
      testAccuracy !== null ? `Test accuracy: ${percent(testAccuracy)}.` : `Test MSE: ${formatNumber(testLoss)}.`,
    );
  }
  return parts.join(' ');
}

/** How far clipping turned the steps it acted on, in words. */
function turnSentence(degrees: number): string {
  if (degrees < 0.5) return 'It kept the direction of every step: it only shortened them.';
  return `It also turned them: on average ${formatNumber(degrees, 2)}° away from the direction the gradient pointed.`;
}

/** Held-out figures of two runs, as one kind: accuracy for classifiers, else the test MSE (lower is better). */
function heldOut(a: EvalMetrics | null, b: EvalMetrics | null) {
  if (!a || !b) return null;
  if (a.testAccuracy !== null && b.testAccuracy !== null)
    return {
      kind: 'accuracy' as const,
      a: a.testAccuracy,
      b: b.testAccuracy,
      aBetter: a.testAccuracy > b.testAccuracy,
    };
  return { kind: 'mse' as const, a: a.testLoss, b: b.testLoss, aBetter: a.testLoss < b.testLoss };
}

/** The pair in a few sentences: what clipping did to this run, compared with the same run unclipped. */
export function comparePair(baseline: RunStory, clipped: RunStory): string {
  if (baseline.divergence && !clipped.divergence) {
    return `The unclipped run diverged at step ${baseline.divergence.step}; the clipped run, from the same weights and batches, stayed finite for all its ${clipped.steps} steps: clipping stopped the explosion.`;
  }
  if (baseline.divergence && clipped.divergence) {
    return `Both runs diverged (unclipped at step ${baseline.divergence.step}, clipped at step ${clipped.divergence.step}): this clipping was not enough to keep the updates finite.`;
  }
  if (!baseline.divergence && clipped.divergence) {
    return `The clipped run diverged at step ${clipped.divergence.step} while the unclipped one did not.`;
  }
  if (clipped.clippedSteps === 0) return 'Clipping never acted, so the two runs took the very same steps.';
  const shorter = clipped.appliedRatio !== null ? `${formatNumber(1 / clipped.appliedRatio, 2)}x` : '';
  const held = heldOut(clipped.lastEval, baseline.lastEval);
  if (clipped.clippedSteps < BARELY * Math.max(1, clipped.steps)) {
    const ending =
      held?.kind === 'accuracy'
        ? `${percent(held.a)} test accuracy clipped, ${percent(held.b)} without`
        : held?.kind === 'mse'
          ? `a test MSE of ${formatNumber(held.a)} clipped, ${formatNumber(held.b)} without`
          : `a loss of about ${formatNumber(clipped.finalLoss ?? NaN)} clipped, ${formatNumber(baseline.finalLoss ?? NaN)} without`;
    return `Clipping barely acted (on ${clipped.clippedSteps} of ${clipped.steps} steps), so the two runs stayed close: ${ending}.`;
  }
  if (held?.kind === 'accuracy') {
    return held.aBetter
      ? `The clipped run ended with the higher test accuracy (${percent(held.a)} against ${percent(held.b)}).`
      : `The clipped run learned less: its steps were on average ${shorter} shorter than the gradient asked for, and it ended at ${percent(held.a)} test accuracy against ${percent(held.b)} without clipping.`;
  }
  if (held?.kind === 'mse') {
    return held.aBetter
      ? `The clipped run ended with the lower test MSE (${formatNumber(held.a)} against ${formatNumber(held.b)}).`
      : `The clipped run learned less: its steps were on average ${shorter} shorter than the gradient asked for, and it ended at a test MSE of ${formatNumber(held.a)} against ${formatNumber(held.b)} without clipping.`;
  }
  const [bl, cl] = [baseline.finalLoss, clipped.finalLoss];
  if (bl === null || cl === null) return '';
  return cl <= bl
    ? `The clipped run ended with the lower loss (about ${formatNumber(cl)} against ${formatNumber(bl)}).`
    : `The clipped run learned more slowly: its steps were on average ${shorter} shorter than the gradient asked for, and its loss ended at about ${formatNumber(cl)} against ${formatNumber(bl)} without clipping.`;
}

/** One run of a race, for compareRace: its name (clipName), its clipping and its story. */
export interface RaceEntry {
  name: string;
  clip: ClipConfig;
  story: RunStory;
}

/** Lists names as prose: "a", "a and b", "a, b and c". */
function listed(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * A race in a few sentences: which runs diverged, how the others ranked at the end (test accuracy for
 * classifiers, the test MSE for regressions when measured, else the final batch loss), and how much each
 * clipping shortened the steps it acted on.
 */
export function compareRace(entries: readonly RaceEntry[]): string {
  const parts: string[] = [];
  const lower = (e: RaceEntry) => e.name.charAt(0).toLowerCase() + e.name.slice(1);
  const diverged = entries.filter((e) => e.story.divergence);
  const finite = entries.filter((e) => !e.story.divergence);
  if (diverged.length > 0) {
    const said = listed(diverged.map((e) => `${lower(e)} diverged at step ${e.story.divergence?.step}`));
    parts.push(`${said.charAt(0).toUpperCase()}${said.slice(1)}.`);
  } else parts.push(`All ${entries.length} runs stayed finite.`);
  const accuracy = (e: RaceEntry) => e.story.lastEval?.testAccuracy ?? undefined;
  const mse = (e: RaceEntry) =>
    e.story.lastEval && e.story.lastEval.testAccuracy === null ? e.story.lastEval.testLoss : undefined;
  const by =
    finite.length > 0 && finite.every((e) => accuracy(e) !== undefined)
      ? 'accuracy'
      : finite.length > 0 && finite.every((e) => mse(e) !== undefined)
        ? 'mse'
        : 'loss';
  const score = (e: RaceEntry) =>
    by === 'accuracy' ? -(accuracy(e) ?? 0) : by === 'mse' ? (mse(e) ?? 0) : (e.story.finalLoss ?? 0);
  const ranked = finite.filter((e) => by !== 'loss' || e.story.finalLoss !== null).sort((a, b) => score(a) - score(b));
  const figure = (e: RaceEntry) =>
    by === 'accuracy'
      ? percent(accuracy(e) ?? 0)
      : by === 'mse'
        ? `test MSE ${formatNumber(mse(e) ?? NaN)}`
        : `about ${formatNumber(e.story.finalLoss ?? NaN)}`;
  const best =
    by === 'accuracy' ? 'Highest test accuracy' : by === 'mse' ? 'Lowest test MSE' : 'Lowest loss at the end';
  const [first, ...rest] = ranked;
  if (first && rest.length > 0)
    parts.push(
      `${best}: ${lower(first)} (${figure(first)}), then ${listed(rest.map((e) => `${lower(e)} (${figure(e)})`))}.`,
    );
  else if (first) parts.push(`${first.name} ended at ${figure(first)}.`);
  const shortened = entries.filter((e) => e.clip.mode !== 'none' && e.story.appliedRatio !== null);
  if (shortened.length > 0)
    parts.push(
      `Where clipping acted, the step taken was on average ${listed(shortened.map((e) => `${percent(e.story.appliedRatio ?? 1)} (${lower(e)}, on ${e.story.clippedSteps} of ${e.story.steps} steps)`))} of what the gradient asked for.`,
    );
  const turned = shortened.filter((e) => e.story.turnDegrees !== null);
  if (turned.length > 0) {
    const kept = turned.filter((e) => (e.story.turnDegrees ?? 0) < 0.5);
    const bent = turned.filter((e) => (e.story.turnDegrees ?? 0) >= 0.5);
    const said: string[] = [];
    if (bent.length > 0) {
      const turns = bent.map(
        (e, k) => `${lower(e)}${k === 0 ? ' turned it' : ''} by ${formatNumber(e.story.turnDegrees ?? 0, 2)}°`,
      );
      said.push(`${listed(turns)} on average`);
    }
    if (kept.length > 0) said.push(`${listed(kept.map(lower))} kept it exactly`);
    parts.push(`The direction of the step: ${said.join('; ')}.`);
  }
  const idle = entries.filter((e) => e.clip.mode !== 'none' && e.story.clippedSteps === 0);
  if (idle.length > 0) parts.push(`${listed(idle.map((e) => e.name))} never acted.`);
  return parts.join(' ');
}
