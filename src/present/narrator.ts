/**
 * The narrator: plain sentences about what a run is doing, worked out from the metrics as they stream.
 * One pure module, so that the page, the history and `gradlab run --narrate` say the same words.
 *
 * Events (each at most once, but spikes, which can recur after a quiet spell):
 * - clipping acted for the first time; clipping acts on most steps (with how much shorter the steps are);
 * - a gradient spike: the norm above 10x the running median of the steps before;
 * - divergence;
 * - the gradient vanishing or exploding through time: ||dL/dh_1|| / ||dL/dh_T|| below 1e-2 or above 1e2;
 * - the vanilla RNN's ||W_hh||_2 crossing 1, either way; most hidden units saturated.
 * What each event says, and whether it applies to this run at all, is eventClaims.ts's; this module decides
 * when to tell it. Every sentence carries the figures it quotes (claims.ts).
 */
import { ADDING_BASELINE_MSE, MNIST_CHANCE_ACCURACY, type ClipConfig } from '../experiment/config.ts';
import { LossLog } from '../train/lossLog.ts';
import { ADDING_SOLVED_ERROR } from '../train/metricSchema.ts';
import type { KnobChange } from '../experiment/schedule.ts';
import { KNOB_WINDOW, knobClaim, type KnobTurn } from './knobClaims.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import {
  figure,
  formatAgainst,
  percentAgainst,
  quotableEvaluation,
  recurrentLayers,
  runContext,
  type Claim,
  type Figure,
  type RunContext,
  type TaskKind,
} from './claims.ts';
import { formatNumber } from './describe.ts';
import {
  clipFirstClaim,
  clipMostClaim,
  divergedClaim,
  saturationClaim,
  spectralCrossingClaim,
  SPIKE_FACTOR,
  spikeClaim,
  throughTimeClaim,
  throughTimeRatio,
  trustedSpectralNorm,
} from './eventClaims.ts';

export { EXPLODING_RATIO, SPIKE_FACTOR, VANISHING_RATIO } from './eventClaims.ts';

export type NarrationKind =
  | 'clip-first'
  | 'clip-most'
  | 'spike'
  | 'diverged'
  | 'vanishing-in-time'
  | 'exploding-in-time'
  | 'spectral-above-1'
  | 'spectral-below-1'
  | 'saturated'
  | 'knob';

export interface NarrationEvent {
  step: number;
  kind: NarrationKind;
  sentence: string;
  /** The numbers the sentence quotes, each with the metric it is. */
  figures: Figure[];
}

/** The running median looks back this many steps, and needs this many before it speaks. */
const MEDIAN_WINDOW = 50;
const MEDIAN_MIN = 5;
/** After a spike, this many quiet steps before another is told; and no more than this many told in all. */
const SPIKE_COOLDOWN = 20;
const MAX_SPIKES = 10;
/** "Most steps": more than half of the last this many. */
const MOST_WINDOW = 20;
/** Clipping "barely acts" on fewer than this fraction of steps. */
const BARELY = 0.05;
/** A clipped run whose final loss is above this fraction of its first "barely" learned. */
export const BARELY_FELL = 0.5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * False only where `norm` cannot be over SPIKE_FACTOR times the median of `values`: fewer than half of them are
 * under norm / SPIKE_FACTOR. Exact in floating point: x <= y gives F x <= F y, and the mean of two values is at
 * least the lower one, so every value up to the median's lower middle counts.
 */
export function couldBeSpike(values: readonly number[], norm: number): boolean {
  let under = 0;
  for (const v of values) if (SPIKE_FACTOR * v < norm) under += 1;
  return under >= Math.ceil(values.length / 2);
}

/** Figures a run's summary is written from, gathered while it streams. */
export interface RunStory {
  /** What the run learns: the adding problem's figures are read against always answering 1. */
  task: TaskKind;
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
  /**
   * The last evaluation of a net that was still finite: for a diverged run, the last one before the step it
   * diverged at (an evaluation of overflowed weights says nothing), or null if there was none.
   */
  lastEval: EvalMetrics | null;
  spectralNorm: number[] | null;
  events: NarrationEvent[];
}

/** Keeps the last `size` values pushed. */
function keepLast<T>(values: T[], value: T, size: number): void {
  values.push(value);
  if (values.length > size) values.shift();
}

/**
 * Listens to one run's steps and says what happened. It keeps running totals and short windows, not the run's
 * history, so a run of a hundred thousand steps costs it no more per step, and its story no more to write, than one
 * of a hundred (the page asks for the story once a second while the run trains).
 */
export class Narrator {
  private ctx: RunContext;
  /** The last MEDIAN_WINDOW finite gradient norms (a spike is judged against their median). */
  private readonly norms: number[] = [];
  /** Whether clipping acted, on each of the last MOST_WINDOW steps, and on how many steps in all. */
  private readonly recentActed: boolean[] = [];
  private actedSteps = 0;
  /** ||applied|| / ||raw|| of the last MOST_WINDOW steps clipping acted on, and their sum and count over the run. */
  private readonly recentRatios: number[] = [];
  private ratioSum = 0;
  private ratioCount = 0;
  /** The angle clipping turned the steps it acted on: sum and count over the run. */
  private turnSum = 0;
  private turnCount = 0;
  private readonly losses = new LossLog();
  private readonly told = new Set<NarrationKind>();
  private readonly events: NarrationEvent[] = [];
  private lastSpikeStep = -Infinity;
  private spikesTold = 0;
  /** The last trusted ||W_hh||_2 per recurrent layer (null where the last value could not be trusted). */
  private lastSpectral: (number | null)[] | null = null;
  private saturatedLayers = new Set<number>();
  private divergence: Divergence | null = null;
  /** Every evaluation (one per evalEvery steps: few); which may be quoted depends on a divergence still to come. */
  private readonly evals: EvalMetrics[] = [];
  private steps = 0;
  /** The last KNOB_WINDOW steps, and the knobs turned whose sentence waits for the steps after them. */
  private readonly recent: StepMetrics[] = [];
  private readonly knobsPending: { turn: KnobTurn; before: StepMetrics[]; after: StepMetrics[] }[] = [];

  constructor(
    private clip: ClipConfig,
    private readonly layout: RunLayout,
    /** The learning rate it starts with, for "the learning rate went from ... to ..." (null: not known). */
    private lr: number | null = null,
  ) {
    this.ctx = runContext(clip, layout);
  }

  /** A knob of this run turned at `change.step` (as the run driver's observers hear it); told once the steps after are in. */
  knob(change: KnobChange): void {
    const turn: KnobTurn =
      change.knob === 'lr'
        ? { step: change.step, knob: 'lr', from: this.lr, to: change.lr }
        : { step: change.step, knob: change.knob, from: this.clip, to: change.clip };
    if (change.knob === 'lr') this.lr = change.lr;
    else {
      this.clip = change.clip;
      this.ctx = runContext(change.clip, this.layout);
    }
    this.knobsPending.push({ turn, before: [...this.recent], after: [] });
  }

  private knobTurns(
    m: StepMetrics | null,
    tell: (kind: NarrationKind, said: Claim | null, step: number) => void,
  ): void {
    for (const pending of [...this.knobsPending]) {
      if (m) pending.after.push(m);
      const said = knobClaim(pending.turn, pending.before, pending.after, this.divergence);
      if (said || pending.after.length >= KNOB_WINDOW || (!m && this.divergence)) {
        this.knobsPending.splice(this.knobsPending.indexOf(pending), 1);
        tell('knob', said, pending.turn.step);
      }
    }
  }

  /** Takes one step's metrics; returns the events it gave rise to (also kept for the summary). */
  observe(m: StepMetrics): NarrationEvent[] {
    const found: NarrationEvent[] = [];
    const tell = (kind: NarrationKind, said: Claim | null, step = m.step) => {
      if (!said) return;
      const event = { step, kind, sentence: `Step ${step}: ${said.text}`, figures: said.figures };
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
    this.recent.push(m);
    if (this.recent.length > KNOB_WINDOW) this.recent.shift();
    this.knobTurns(m, tell);
    return found;
  }

  /** The end of a run that went non-finite. */
  diverged(divergence: Divergence): NarrationEvent {
    this.divergence = divergence;
    const said = divergedClaim(divergence);
    const event: NarrationEvent = {
      step: divergence.step,
      kind: 'diverged',
      sentence: `Step ${divergence.step}: ${said.text}`,
      figures: said.figures,
    };
    this.events.push(event);
    // A knob turned just before: what followed it was the divergence.
    this.knobTurns(null, (kind, claim, step) => {
      if (claim) this.events.push({ step, kind, sentence: `Step ${step}: ${claim.text}`, figures: claim.figures });
    });
    return event;
  }

  evaluated(result: EvalMetrics): void {
    this.evals.push(result);
  }

  story(): RunStory {
    const usable = this.evals.filter((e) => quotableEvaluation(e, this.divergence) !== null);
    return {
      task: this.ctx.task,
      steps: this.steps,
      divergence: this.divergence,
      clippedSteps: this.actedSteps,
      appliedRatio: this.ratioCount ? this.ratioSum / this.ratioCount : null,
      turnDegrees: this.turnCount ? this.turnSum / this.turnCount : null,
      firstLoss: this.losses.first(),
      finalLoss: this.losses.final(),
      lastEval: usable.at(-1) ?? null,
      spectralNorm: this.lastSpectral ? this.lastSpectral.map((v) => v ?? NaN) : null,
      events: [...this.events],
    };
  }

  private clipping(m: StepMetrics, tell: (kind: NarrationKind, said: Claim | null) => void): void {
    if (this.clip.mode === 'none') return;
    const acted = m.clipFraction > 0;
    keepLast(this.recentActed, acted, MOST_WINDOW);
    if (acted) this.actedSteps += 1;
    if (acted && Number.isFinite(m.globalNormPre) && m.globalNormPre > 0) {
      const ratio = m.globalNormPost / m.globalNormPre;
      keepLast(this.recentRatios, ratio, MOST_WINDOW);
      this.ratioSum += ratio;
      this.ratioCount += 1;
    }
    if (acted && m.clipCosine !== undefined && Number.isFinite(m.clipCosine)) {
      this.turnSum += (Math.acos(Math.min(1, Math.max(-1, m.clipCosine))) * 180) / Math.PI;
      this.turnCount += 1;
    }
    if (acted && !this.told.has('clip-first')) tell('clip-first', clipFirstClaim(this.ctx, m));
    const count = this.recentActed.filter(Boolean).length;
    if (this.recentActed.length === MOST_WINDOW && count > MOST_WINDOW / 2 && !this.told.has('clip-most')) {
      const ratios = this.recentRatios.slice(-count);
      const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
      tell('clip-most', clipMostClaim(this.ctx, m.step, count, MOST_WINDOW, mean));
    }
  }

  private spike(m: StepMetrics, tell: (kind: NarrationKind, said: Claim | null) => void): void {
    const norm = m.globalNormPre;
    // Judged against the norms before this one. The median (a sort) only where a spike is possible at all: a race
    // of four streams some 2,000 steps a second through here.
    const judged =
      Number.isFinite(norm) &&
      this.norms.length >= MEDIAN_MIN &&
      m.step - this.lastSpikeStep > SPIKE_COOLDOWN &&
      this.spikesTold < MAX_SPIKES &&
      couldBeSpike(this.norms, norm);
    const said = judged ? spikeClaim(m, median(this.norms)) : null;
    if (Number.isFinite(norm)) keepLast(this.norms, norm, MEDIAN_WINDOW);
    if (!said) return;
    this.lastSpikeStep = m.step;
    this.spikesTold += 1;
    tell('spike', said);
  }

  private throughTime(m: StepMetrics, tell: (kind: NarrationKind, said: Claim | null) => void): void {
    const found = throughTimeRatio(this.ctx, m);
    if (!found) return;
    const kind = found.ratio < 1 ? 'vanishing-in-time' : 'exploding-in-time';
    if (!this.told.has(kind)) tell(kind, throughTimeClaim(this.ctx, m));
  }

  private recurrentState(m: StepMetrics, tell: (kind: NarrationKind, said: Claim | null) => void): void {
    const layers = recurrentLayers(this.ctx.layout);
    if (m.spectralNorm) {
      const now = m.spectralNorm.map((_, l) => trustedSpectralNorm(this.ctx, m, l));
      now.forEach((value, l) => {
        const before = this.lastSpectral?.[l];
        const layer = layers[l];
        if (value === null || before === null || before === undefined || layer === undefined) return;
        const kind =
          before < 1 && value >= 1 ? 'spectral-above-1' : before >= 1 && value < 1 ? 'spectral-below-1' : null;
        if (kind && !this.told.has(kind)) tell(kind, spectralCrossingClaim(this.ctx, m.step, layer, before, value));
      });
      this.lastSpectral = now;
    }
    m.saturation?.forEach((fraction, l) => {
      const layer = layers[l];
      if (layer === undefined || this.saturatedLayers.has(l)) return;
      const said = saturationClaim(this.ctx, m.step, layer, fraction);
      if (!said) return;
      this.saturatedLayers.add(l);
      if (!this.told.has('saturated')) tell('saturated', said);
    });
  }
}

/** Below this fraction of the adding problem's 1/6 a loss is clearly below always answering 1, not "just below". */
export const ADDING_CLEARLY_BELOW = 0.8;

/** Beside an adding-problem MSE: where it stands against always answering 1 (1/6). */
function addingReference(mse: number): string {
  const reference = formatNumber(ADDING_BASELINE_MSE);
  if (!Number.isFinite(mse)) return '';
  if (mse >= ADDING_BASELINE_MSE) return ` (no better than the ${reference} of always answering 1)`;
  if (mse > ADDING_CLEARLY_BELOW * ADDING_BASELINE_MSE) return ` (just below the ${reference} of always answering 1)`;
  return ` (always answering 1 scores ${reference})`;
}

/** The final loss, printed apart from the first and, on the adding problem, from the 1/6 of always answering 1. */
function finalLossPrinted(task: TaskKind, finalLoss: number, firstLoss: number): string {
  const apart = formatAgainst(finalLoss, firstLoss);
  if (task !== 'adding') return apart;
  const fromReference = formatAgainst(finalLoss, ADDING_BASELINE_MSE);
  return fromReference.length > apart.length ? fromReference : apart;
}

/** A test figure in words, with the step it was measured after. */
function evalClaim(e: EvalMetrics, task: TaskKind, run?: string): Claim {
  const where = { step: e.step, ...(run === undefined ? {} : { run }) };
  if (e.testAccuracy !== null) {
    const printed = percentAgainst(e.testAccuracy);
    return {
      text: `test accuracy ${printed}`,
      figures: [figure('testAccuracy', e.testAccuracy, printed, where)],
    };
  }
  const printed = task === 'adding' ? formatAgainst(e.testLoss, ADDING_BASELINE_MSE) : formatNumber(e.testLoss);
  const reference = task === 'adding' ? addingReference(e.testLoss) : '';
  const mse: Claim = {
    text: `test MSE ${printed}${reference}`,
    figures: [figure('testLoss', e.testLoss, printed, where)],
  };
  const solved = task === 'adding' ? solvedClaim(e, where) : null;
  return solved ? { text: `${mse.text}, ${solved.text}`, figures: [...mse.figures, ...solved.figures] } : mse;
}

/**
 * The fraction of sequences always answering 1 solves: the sum of two U(0, 1) is triangular on [0, 2], and
 * (1 - s)^2 < 0.04 where |s - 1| < 0.2, which has probability 1 - 0.8^2 = 0.36.
 */
const ANSWERING_ONE_SOLVED = 1 - (1 - Math.sqrt(ADDING_SOLVED_ERROR)) ** 2;

/** Beside the adding problem's test MSE: the fraction of test sequences solved, by Pascanu et al.'s criterion. */
function solvedClaim(e: EvalMetrics, where: { step: number; run?: string }): Claim | null {
  const fraction = e.testSolved;
  if (fraction === undefined || fraction === null || !Number.isFinite(fraction)) return null;
  const printed = percentAgainst(fraction);
  // Below half, the student needs the yardstick: a net that ignores the markers already solves about a third.
  const yardstick = fraction < 0.5 ? `; always answering 1 solves about ${percentAgainst(ANSWERING_ONE_SOLVED)}` : '';
  return {
    text: `${printed} of the test sequences solved (squared error under ${ADDING_SOLVED_ERROR}${yardstick})`,
    figures: [figure('testSolved', fraction, printed, where)],
  };
}

/** How far clipping turned the steps it acted on, in words. */
function turnClaim(degrees: number): Claim {
  if (degrees < 0.5) return { text: 'It kept the direction of every step: it only shortened them.', figures: [] };
  const printed = formatAgainst(degrees, 0.5, 2);
  return {
    text: `It also turned them: on average ${printed}° away from the direction the gradient pointed.`,
    figures: [figure('meanTurnDegrees', degrees, `${printed}°`)],
  };
}

/** Joins claims into one, sentence after sentence. */
function joined(parts: readonly (Claim | null)[]): Claim {
  const kept = parts.filter((p): p is Claim => p !== null && p.text !== '');
  return { text: kept.map((p) => p.text).join(' '), figures: kept.flatMap((p) => p.figures) };
}

/** A run's story in a few sentences, with the figures they quote. */
export function storyClaim(story: RunStory, clip: ClipConfig): Claim {
  const parts: Claim[] = [];
  const d = story.divergence;
  if (d) {
    parts.push({
      text: `It diverged at step ${d.step}: ${d.what === 'loss' ? 'the loss' : 'a gradient'} became ${d.value}.`,
      figures: [],
    });
  } else parts.push({ text: `It trained ${story.steps} step${story.steps === 1 ? '' : 's'}.`, figures: [] });
  if (clip.mode !== 'none') {
    if (story.clippedSteps === 0)
      parts.push({ text: 'Clipping never acted: every step was the one the gradient asked for.', figures: [] });
    else {
      const fraction = story.clippedSteps / Math.max(1, story.steps);
      const share = percentAgainst(fraction, story.clippedSteps < story.steps ? 1 : null);
      const ratio = story.appliedRatio;
      const ratioPrinted = ratio !== null ? percentAgainst(ratio, 1) : '';
      parts.push({
        text:
          `Clipping acted on ${story.clippedSteps} of ${story.steps} steps (${share})` +
          (ratio !== null
            ? `; there, the step taken was on average ${ratioPrinted} of what the gradient asked for.`
            : '.'),
        figures: [
          figure('clippedStepsFraction', fraction, share),
          ...(ratio !== null ? [figure('meanAppliedRatio', ratio, ratioPrinted)] : []),
        ],
      });
      if (story.turnDegrees !== null) parts.push(turnClaim(story.turnDegrees));
    }
  }
  if (story.firstLoss !== null && story.finalLoss !== null && !d) {
    const [first, final] = [
      formatNumber(story.firstLoss),
      finalLossPrinted(story.task, story.finalLoss, story.firstLoss),
    ];
    parts.push({
      text: `Its batch loss went from ${first} to about ${final}.`,
      figures: [figure('firstLoss', story.firstLoss, first), figure('finalLoss', story.finalLoss, final)],
    });
  }
  if (story.lastEval) {
    const measured = evalClaim(story.lastEval, story.task);
    const text = d
      ? `Its last test before it diverged, after step ${story.lastEval.step}: ${measured.text}.`
      : `After step ${story.lastEval.step}, ${measured.text}.`;
    parts.push({ text, figures: measured.figures });
  }
  return joined(parts);
}

/** A run's story in a few sentences. */
export function summarizeStory(story: RunStory, clip: ClipConfig): string {
  return storyClaim(story, clip).text;
}

/** A test accuracy under one and a half times chance: no sign yet that the net reads the digits. */
const notLearnedAccuracy = (accuracy: number) => accuracy < 1.5 * MNIST_CHANCE_ACCURACY;

/** On the adding problem, a test MSE not clearly below always answering 1; on other tasks no MSE says so. */
const notLearnedMse = (task: TaskKind) => (mse: number) =>
  task === 'adding' && mse > ADDING_CLEARLY_BELOW * ADDING_BASELINE_MSE;

/** Held-out figures of two runs, as one kind: accuracy for classifiers, else the test MSE (lower is better). */
function heldOut(a: EvalMetrics | null, b: EvalMetrics | null) {
  if (!a || !b) return null;
  if (a.testAccuracy !== null && b.testAccuracy !== null)
    return {
      kind: 'accuracy' as const,
      a: a.testAccuracy,
      b: b.testAccuracy,
      aBetter: a.testAccuracy > b.testAccuracy,
      stepA: a.step,
      stepB: b.step,
    };
  return {
    kind: 'mse' as const,
    a: a.testLoss,
    b: b.testLoss,
    aBetter: a.testLoss < b.testLoss,
    stepA: a.step,
    stepB: b.step,
  };
}

/** What became of a clipped run that stayed finite: whether its loss fell, with the figures. */
function learnedClause(story: RunStory): Claim | null {
  const { firstLoss, finalLoss } = story;
  if (firstLoss === null || finalLoss === null || !(firstLoss > 0)) return null;
  const first = formatNumber(firstLoss);
  const final = finalLossPrinted(story.task, finalLoss, firstLoss);
  const figures = [
    figure('firstLoss', firstLoss, first, { run: 'clipped' }),
    figure('finalLoss', finalLoss, final, { run: 'clipped' }),
  ];
  if (finalLoss >= firstLoss)
    return { text: `but it did not learn: its batch loss went from ${first} to about ${final}`, figures };
  if (finalLoss > BARELY_FELL * firstLoss)
    return { text: `but it barely learned: its batch loss went only from ${first} to about ${final}`, figures };
  const reference = story.task === 'adding' ? addingReference(finalLoss) : '';
  return { text: `and its batch loss fell from ${first} to about ${final}${reference}`, figures };
}

/** The pair in a few sentences, with the figures they quote (each figure's `run` is "baseline" or "clipped"). */
export function pairClaim(baseline: RunStory, clipped: RunStory): Claim {
  const none: Claim['figures'] = [];
  if (baseline.divergence && !clipped.divergence) {
    const learned = learnedClause(clipped);
    return {
      text: `The unclipped run diverged at step ${baseline.divergence.step}; the clipped run, from the same weights and batches, stayed finite for all its ${clipped.steps} steps${learned ? `, ${learned.text}` : ''}.`,
      figures: learned?.figures ?? none,
    };
  }
  if (baseline.divergence && clipped.divergence) {
    return {
      text: `Both runs diverged (unclipped at step ${baseline.divergence.step}, clipped at step ${clipped.divergence.step}): this clipping was not enough to keep the updates finite.`,
      figures: none,
    };
  }
  if (!baseline.divergence && clipped.divergence) {
    return {
      text: `The clipped run diverged at step ${clipped.divergence.step} while the unclipped one did not.`,
      figures: none,
    };
  }
  if (clipped.clippedSteps === 0)
    return { text: 'Clipping never acted, so the two runs took the very same steps.', figures: none };
  const shorterFigures =
    clipped.appliedRatio !== null && clipped.appliedRatio > 0
      ? [
          figure('meanShortening', 1 / clipped.appliedRatio, `${formatAgainst(1 / clipped.appliedRatio, 1, 2)}x`, {
            run: 'clipped',
          }),
        ]
      : [];
  const shorter = shorterFigures[0]?.printed ?? '';
  const held = heldOut(clipped.lastEval, baseline.lastEval);
  const heldFigures = (metric: 'testAccuracy' | 'testLoss', a: string, b: string) =>
    held
      ? [
          figure(metric, held.a, a, { run: 'clipped', step: held.stepA }),
          figure(metric, held.b, b, { run: 'baseline', step: held.stepB }),
        ]
      : [];
  if (clipped.clippedSteps < BARELY * Math.max(1, clipped.steps)) {
    const start = `Clipping barely acted (on ${clipped.clippedSteps} of ${clipped.steps} steps), so the two runs stayed close: `;
    if (held?.kind === 'accuracy') {
      const [a, b] = [percentAgainst(held.a, held.b), percentAgainst(held.b, held.a)];
      return { text: `${start}${a} test accuracy clipped, ${b} without.`, figures: heldFigures('testAccuracy', a, b) };
    }
    if (held?.kind === 'mse') {
      const [a, b] = [formatAgainst(held.a, held.b), formatAgainst(held.b, held.a)];
      return { text: `${start}a test MSE of ${a} clipped, ${b} without.`, figures: heldFigures('testLoss', a, b) };
    }
    const [cl, bl] = [clipped.finalLoss ?? NaN, baseline.finalLoss ?? NaN];
    const [a, b] = [formatAgainst(cl, bl), formatAgainst(bl, cl)];
    return {
      text: `${start}a loss of about ${a} clipped, ${b} without.`,
      figures: [figure('finalLoss', cl, a, { run: 'clipped' }), figure('finalLoss', bl, b, { run: 'baseline' })],
    };
  }
  // Both still where a net that learned nothing is: "the clipped run learned less" would say the other learned.
  const neither = held && (held.kind === 'accuracy' ? notLearnedAccuracy : notLearnedMse(clipped.task));
  if (held && neither?.(held.a) && neither(held.b)) {
    const [a, b] =
      held.kind === 'accuracy'
        ? [percentAgainst(held.a, held.b), percentAgainst(held.b, held.a)]
        : [formatAgainst(held.a, held.b), formatAgainst(held.b, held.a)];
    const figures = heldFigures(held.kind === 'accuracy' ? 'testAccuracy' : 'testLoss', a, b);
    return held.kind === 'accuracy'
      ? {
          text: `Neither run has learned to read the digits yet: ${a} test accuracy clipped, ${b} without, near the ${percentAgainst(MNIST_CHANCE_ACCURACY)} of guessing.`,
          figures,
        }
      : {
          text: `Neither run has learned yet: a test MSE of ${a} clipped, ${b} without, about the ${formatNumber(ADDING_BASELINE_MSE)} of always answering 1.`,
          figures,
        };
  }
  if (held?.kind === 'accuracy') {
    const [a, b] = [percentAgainst(held.a, held.b), percentAgainst(held.b, held.a)];
    const figures = heldFigures('testAccuracy', a, b);
    return held.aBetter
      ? { text: `The clipped run has the higher test accuracy (${a} against ${b}).`, figures }
      : {
          text: `The clipped run learned less: its steps were on average ${shorter} shorter than the gradient asked for, and its test accuracy is ${a} against ${b} without clipping.`,
          figures: [...shorterFigures, ...figures],
        };
  }
  if (held?.kind === 'mse') {
    const [a, b] = [formatAgainst(held.a, held.b), formatAgainst(held.b, held.a)];
    const figures = heldFigures('testLoss', a, b);
    return held.aBetter
      ? { text: `The clipped run has the lower test MSE (${a} against ${b}).`, figures }
      : {
          text: `The clipped run learned less: its steps were on average ${shorter} shorter than the gradient asked for, and its test MSE is ${a} against ${b} without clipping.`,
          figures: [...shorterFigures, ...figures],
        };
  }
  const [bl, cl] = [baseline.finalLoss, clipped.finalLoss];
  if (bl === null || cl === null) return { text: '', figures: none };
  const [a, b] = [formatAgainst(cl, bl), formatAgainst(bl, cl)];
  const figures = [figure('finalLoss', cl, a, { run: 'clipped' }), figure('finalLoss', bl, b, { run: 'baseline' })];
  if (cl === bl) return { text: `The two runs are at the same loss (about ${a}).`, figures };
  return cl < bl
    ? { text: `The clipped run has the lower loss (about ${a} against ${b}).`, figures }
    : {
        text: `The clipped run learned more slowly: its steps were on average ${shorter} shorter than the gradient asked for, and its loss is about ${a} against ${b} without clipping.`,
        figures: [...shorterFigures, ...figures],
      };
}

/** The pair in a few sentences: what clipping did to this run, compared with the same run unclipped. */
export function comparePair(baseline: RunStory, clipped: RunStory): string {
  return pairClaim(baseline, clipped).text;
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
 * clipping shortened the steps it acted on. Each figure's `run` is the entry's name.
 */
/** A run's test accuracy, when its last evaluation measured one. */
const accuracyOf = (e: Pick<RaceEntry, 'story'>) => e.story.lastEval?.testAccuracy ?? undefined;
/** A regression's test MSE, when its last evaluation measured one. */
const mseOf = (e: Pick<RaceEntry, 'story'>) =>
  e.story.lastEval && e.story.lastEval.testAccuracy === null ? e.story.lastEval.testLoss : undefined;

/** How a race's runs are ranked at the end: test accuracy for classifiers, the test MSE if measured, else the loss. */
export type RankedBy = 'accuracy' | 'mse' | 'loss';

/**
 * The runs that stayed finite, best first, by the figure the race's sentence quotes (`by`), with the figure itself
 * (`value`: accuracy, test MSE or final batch loss). Diverged runs, and runs with nothing to rank by, are left out.
 */
export function rankRuns<E extends Pick<RaceEntry, 'story'>>(
  entries: readonly E[],
): { by: RankedBy; ranked: E[]; value: (e: E) => number } {
  const finite = entries.filter((e) => !e.story.divergence);
  const by: RankedBy =
    finite.length > 0 && finite.every((e) => accuracyOf(e) !== undefined)
      ? 'accuracy'
      : finite.length > 0 && finite.every((e) => mseOf(e) !== undefined)
        ? 'mse'
        : 'loss';
  const value = (e: E) =>
    by === 'accuracy' ? (accuracyOf(e) ?? NaN) : by === 'mse' ? (mseOf(e) ?? NaN) : (e.story.finalLoss ?? NaN);
  const score = (e: E) => (by === 'accuracy' ? -value(e) : value(e));
  const ranked = finite.filter((e) => by !== 'loss' || e.story.finalLoss !== null).sort((a, b) => score(a) - score(b));
  return { by, ranked, value };
}

export function raceClaim(entries: readonly RaceEntry[]): Claim {
  const parts: Claim[] = [];
  const lower = (e: RaceEntry) => e.name.charAt(0).toLowerCase() + e.name.slice(1);
  const diverged = entries.filter((e) => e.story.divergence);
  if (diverged.length > 0) {
    const said = listed(diverged.map((e) => `${lower(e)} diverged at step ${e.story.divergence?.step}`));
    parts.push({ text: `${said.charAt(0).toUpperCase()}${said.slice(1)}.`, figures: [] });
  } else parts.push({ text: `All ${entries.length} runs stayed finite.`, figures: [] });
  const accuracy = accuracyOf;
  const mse = mseOf;
  const { by, ranked } = rankRuns(entries);
  const figureOf = (e: RaceEntry, k: number): { text: string; figure: Figure } => {
    const evaluated = e.story.lastEval;
    const where = by !== 'loss' && evaluated ? { run: e.name, step: evaluated.step } : { run: e.name };
    // Printed so that neighbours in the ranking never read as equal or the wrong way round.
    const next = ranked[k + 1] ?? ranked[k - 1];
    if (by === 'accuracy') {
      const value = accuracy(e) ?? NaN;
      const printed = next ? percentAgainst(value, accuracy(next) ?? value) : percentAgainst(value);
      return { text: printed, figure: figure('testAccuracy', value, printed, where) };
    }
    const value = by === 'mse' ? (mse(e) ?? NaN) : (e.story.finalLoss ?? NaN);
    const other = next ? (by === 'mse' ? mse(next) : next.story.finalLoss) : null;
    const printed = other !== null && other !== undefined ? formatAgainst(value, other) : formatNumber(value);
    return by === 'mse'
      ? { text: `test MSE ${printed}`, figure: figure('testLoss', value, printed, where) }
      : { text: `about ${printed}`, figure: figure('finalLoss', value, printed, where) };
  };
  const best =
    by === 'accuracy'
      ? 'Highest test accuracy'
      : by === 'mse'
        ? 'Lowest test MSE'
        : 'Lowest loss over the last tenth of the steps';
  const said = ranked.map((e, k) => ({ e, ...figureOf(e, k) }));
  const [first, ...rest] = said;
  if (first && rest.length > 0)
    parts.push({
      text: `${best}: ${lower(first.e)} (${first.text}), then ${listed(rest.map((r) => `${lower(r.e)} (${r.text})`))}.`,
      figures: said.map((r) => r.figure),
    });
  else if (first) parts.push({ text: `${first.e.name} is at ${first.text}.`, figures: [first.figure] });
  const shortened = entries.filter((e) => e.clip.mode !== 'none' && e.story.appliedRatio !== null);
  if (shortened.length > 0) {
    const items = shortened.map((e) => {
      const value = e.story.appliedRatio ?? 1;
      const printed = percentAgainst(value, 1);
      return {
        text: `${printed} (${lower(e)}, on ${e.story.clippedSteps} of ${e.story.steps} steps)`,
        figure: figure('meanAppliedRatio', value, printed, { run: e.name }),
      };
    });
    parts.push({
      text: `Where clipping acted, the step taken was on average ${listed(items.map((i) => i.text))} of what the gradient asked for.`,
      figures: items.map((i) => i.figure),
    });
  }
  const turned = shortened.filter((e) => e.story.turnDegrees !== null);
  if (turned.length > 0) {
    const kept = turned.filter((e) => (e.story.turnDegrees ?? 0) < 0.5);
    const bent = turned.filter((e) => (e.story.turnDegrees ?? 0) >= 0.5);
    const said: string[] = [];
    const figures: Figure[] = [];
    if (bent.length > 0) {
      const turns = bent.map((e, k) => {
        const value = e.story.turnDegrees ?? 0;
        const printed = formatAgainst(value, 0.5, 2);
        figures.push(figure('meanTurnDegrees', value, `${printed}°`, { run: e.name }));
        return `${lower(e)}${k === 0 ? ' turned it' : ''} by ${printed}°`;
      });
      said.push(`${listed(turns)} on average`);
    }
    if (kept.length > 0) said.push(`${listed(kept.map(lower))} kept it exactly`);
    parts.push({ text: `The direction of the step: ${said.join('; ')}.`, figures });
  }
  const idle = entries.filter((e) => e.clip.mode !== 'none' && e.story.clippedSteps === 0);
  if (idle.length > 0) parts.push({ text: `${listed(idle.map((e) => e.name))} never acted.`, figures: [] });
  return joined(parts);
}

export function compareRace(entries: readonly RaceEntry[]): string {
  return raceClaim(entries).text;
}
