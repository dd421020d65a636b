/**
 * Every sentence the lab says about a run, over the grid of model (dense, rnn, lstm, gru) x task (regression;
 * MNIST and the adding problem for the recurrent nets) x clipping (none, value, norm, global L2, global inf,
 * global-tf): each kind of run is trained a few steps for real, its narrator fed, and every claim function asked.
 * No sentence that does not apply to the run may appear (no W_hh or saturation for the dense net, no vanilla-RNN
 * maths for a gated cell, no 28 time steps on the adding problem, no per-layer "threshold c" for a global mode,
 * no accuracy without a classifier), and every number a sentence quotes is the metric it names, to the precision
 * it is printed with.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../src/cli/nodeBackend.ts';
import { nodeDataLoader } from '../../src/cli/nodeData.ts';
import { sidesOf, type ClipConfig, type ExperimentConfig, type ModelKind } from '../../src/experiment/config.ts';
import { parseExperiment } from '../../src/experiment/urlCodec.ts';
import {
  directionChartWords,
  globalNormChartWords,
  globalNormLine,
  gradNormChartWords,
  heldOutChartWords,
  hiddenGradChartWords,
  lossChartWords,
  saturationChartWords,
  spectralChartWords,
} from '../../src/present/chartWords.ts';
import { runContext, type Claim, type Figure, type TaskKind } from '../../src/present/claims.ts';
import { clipName } from '../../src/present/clipName.ts';
import { medianOf, stepLength } from '../../src/present/knobClaims.ts';
import { describeExperiment } from '../../src/present/experiment.ts';
import { Narrator, pairClaim, raceClaim, storyClaim, type RunStory } from '../../src/present/narrator.ts';
import { recurrentExplanation, regimeChartsSentence } from '../../src/present/pageWords.ts';
import { loadTrainingData } from '../../src/train/data/trainingData.ts';
import type { EvalMetrics, RunLayout, StepMetrics } from '../../src/train/metrics.ts';
import { Run } from '../../src/train/trainer.ts';

const STEPS = 22;
/** The adding problem's T: not 28, so a sentence that says 28 of it is caught. */
const SEQ_LEN = 12;

const CLIPS = {
  none: 'clip=none',
  value: 'clip=value&clipMin=-0.001&clipMax=0.001',
  norm: 'clip=norm&clipNorm=0.01',
  global: 'clip=global&clipNorm=0.01',
  'global-inf': 'clip=global&clipNorm=0.001&normType=inf',
  'global-tf': 'clip=global-tf&clipNorm=0.01',
} as const;
type ClipCase = keyof typeof CLIPS;

interface Case {
  model: ModelKind;
  task: TaskKind;
  query: string;
  clips: readonly ClipCase[];
  /** What the case is for, in the test's name. */
  what: string;
}

const ALL_CLIPS = Object.keys(CLIPS) as ClipCase[];

function cases(): Case[] {
  const out: Case[] = [];
  const common = `pair=1&baseClip=none&steps=${STEPS}&seed=3`;
  const grid = { clips: ALL_CLIPS, what: 'every clipping' };
  out.push({ model: 'dense', task: 'regression', query: `preset=dense-explode&${common}`, ...grid });
  for (const model of ['rnn', 'lstm', 'gru'] as const) {
    const net = (o: {
      hidden: number;
      layers: number;
      recScale: number;
      lr: number;
      momentum: number;
      evalEvery: number;
    }) =>
      `preset=lstm-tf&model=${model}&hidden=${o.hidden}&layers=${o.layers}&init=torch&recScale=${o.recScale}&optimizer=sgd&lr=${o.lr}&momentum=${o.momentum}&batch=8&trainSize=100&testSize=100&evalEvery=${o.evalEvery}&hiddenGradEvery=1&${common}`;
    const gentle = net({ hidden: 4, layers: 1, recScale: 1, lr: 0.5, momentum: 0.9, evalEvery: 10 });
    out.push({ model, task: 'mnist', query: `${gentle}&task=mnist`, ...grid });
    out.push({ model, task: 'adding', query: `${gentle}&task=adding&seqLen=${SEQ_LEN}`, ...grid });
    // Pushed hard, two layers: W_hh crossing 1, saturation, explosion through time, divergence after an evaluation.
    const hard = net({ hidden: 12, layers: 2, recScale: 0.99, lr: 8, momentum: 0.99, evalEvery: 2 });
    out.push({
      model,
      task: 'adding',
      query: `${hard}&task=adding&seqLen=${SEQ_LEN}`,
      clips: ['none', 'global'],
      what: 'a run pushed to diverge',
    });
  }
  return out;
}

function configOf(query: string): ExperimentConfig {
  const parsed = parseExperiment(`v=1&${query}`);
  if (!parsed.ok) throw new Error(`${query}: ${parsed.reason}`);
  return parsed.config;
}

interface Trained {
  name: string;
  clip: ClipConfig;
  layout: RunLayout;
  steps: StepMetrics[];
  evals: EvalMetrics[];
  story: RunStory;
  events: Claim[];
}

/** Trains every run of `config` to its end (or divergence), evaluating as the CLI did (a diverged run too). */
async function train(config: ExperimentConfig): Promise<Trained[]> {
  const data = await loadTrainingData(config, nodeDataLoader);
  const out: Trained[] = [];
  for (const side of sidesOf(config)) {
    const run = new Run({ config, side, data });
    const narrator = new Narrator(run.clip, run.layout);
    const steps: StepMetrics[] = [];
    const evals: EvalMetrics[] = [];
    const events: Claim[] = [];
    while (run.status === 'ready') {
      const m = await run.trainStep();
      steps.push(m);
      if (run.hasTestSet && ((config.evalEvery > 0 && m.step % config.evalEvery === 0) || run.status !== 'ready')) {
        const e = await run.evaluate();
        if (e) {
          evals.push(e);
          narrator.evaluated(e);
        }
      }
      events.push(...narrator.observe(m).map((e) => ({ text: e.sentence, figures: e.figures })));
    }
    if (run.divergence) {
      const e = narrator.diverged(run.divergence);
      events.push({ text: e.sentence, figures: e.figures });
    }
    run.dispose();
    out.push({
      name: clipName(run.clip),
      clip: run.clip,
      layout: run.layout,
      steps,
      evals,
      story: narrator.story(),
      events,
    });
  }
  return out;
}

/**
 * Significant digits of a printed number ("0.0312" -> 3, "1.2e13" -> 2, "25%" -> 2); an integer's trailing zeros
 * may be rounding ("220" from 222.98 is 2 digits), so they are not counted.
 */
function significant(printed: string): number {
  const mantissa =
    printed
      .replace(/[%°x]$/, '')
      .replace(/^-/, '')
      .split('e')[0] ?? '';
  const digits = mantissa.includes('.') ? mantissa.replace('.', '').replace(/^0+/, '') : mantissa.replace(/0+$/, '');
  return Math.max(1, digits.length);
}

/** The printed figure, as a number in the metric's own unit (a percentage back to a fraction). */
function parsePrinted(printed: string): number {
  const percent = printed.endsWith('%');
  const n = Number(printed.replace(/[%°x]$/, ''));
  return percent ? n / 100 : n;
}

/** Whether `printed` is `value` rounded to the significant digits it shows. */
function printedAgrees(value: number, printed: string): boolean {
  if (!Number.isFinite(value)) return printed === String(value) || (Number.isNaN(value) && printed === 'NaN');
  const shown = parsePrinted(printed);
  const scale = printed.endsWith('%') ? 100 : 1;
  if (shown === 0) return Math.abs(value) * scale < 0.5;
  const exponent = Math.floor(Math.log10(Math.abs(shown * scale)));
  const halfUnit = 0.5 * 10 ** (exponent - significant(printed) + 1);
  // Integers printed in full ("19300" from toPrecision(3) is 3 digits, not 5) are covered by the same rule.
  return Math.abs(value * scale - shown * scale) <= halfUnit * (1 + 1e-9) + 1e-12;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The metric a figure names, worked out here from the run's own steps and evaluations. */
function expectedValue(f: Figure, run: Trained): number {
  const at = (step: number | undefined) => run.steps.find((m) => m.step === step);
  const m = at(f.step);
  const recurrent = run.layout.layers.filter((l) => /^(rnn|lstm|gru)\d+$/.test(l));
  const T = run.layout.timeSteps;
  const acted = (upTo: number) => run.steps.filter((s) => s.step <= upTo && s.clipFraction > 0);
  switch (f.metric) {
    case 'loss':
      return m?.loss ?? NaN;
    case 'globalNormPre':
      return m?.globalNormPre ?? NaN;
    case 'clipFraction':
      return m?.clipFraction ?? NaN;
    case 'gradNormPre': {
      const i = run.layout.params.findIndex((p) => p.name === f.of);
      // The sentence says "the largest tensor's": it must be the largest.
      expect(m?.gradNormPre[i]).toBe(Math.max(...(m?.gradNormPre ?? [])));
      return m?.gradNormPre[i] ?? NaN;
    }
    case 'appliedRatio':
      return (m?.globalNormPost ?? NaN) / (m?.globalNormPre ?? NaN);
    case 'shortening':
      return (m?.globalNormPre ?? NaN) / (m?.globalNormPost ?? NaN);
    case 'runningMedian':
    case 'spikeRatio': {
      const before = run.steps
        .filter((s) => s.step < (f.step ?? 0) && Number.isFinite(s.globalNormPre))
        .slice(-50)
        .map((s) => s.globalNormPre);
      return f.metric === 'runningMedian' ? median(before) : (m?.globalNormPre ?? NaN) / median(before);
    }
    case 'hiddenGradRatio':
    case 'hiddenGradShrink': {
      const l = recurrent.indexOf(f.of ?? '');
      const norms = m?.hiddenGradNorms ?? [];
      const ratio = (norms[l * T] ?? NaN) / (norms[l * T + T - 1] ?? NaN);
      return f.metric === 'hiddenGradRatio' ? ratio : 1 / ratio;
    }
    case 'spectralNorm':
      return m?.spectralNorm?.[recurrent.indexOf(f.of ?? '')] ?? NaN;
    case 'saturation':
      return m?.saturation?.[recurrent.indexOf(f.of ?? '')] ?? NaN;
    case 'meanAppliedRatio':
    case 'meanShortening': {
      // At a step: the clipped steps of the last 20; for the run: every clipped step.
      const steps = f.step === undefined ? acted(Infinity) : acted(f.step).filter((s) => s.step > (f.step ?? 0) - 20);
      const ratio = mean(steps.map((s) => s.globalNormPost / s.globalNormPre));
      return f.metric === 'meanAppliedRatio' ? ratio : 1 / ratio;
    }
    case 'meanTurnDegrees':
      return mean(
        acted(Infinity)
          .filter((s) => s.clipCosine !== undefined && Number.isFinite(s.clipCosine))
          .map((s) => (Math.acos(Math.min(1, Math.max(-1, s.clipCosine ?? 1))) * 180) / Math.PI),
      );
    case 'clippedStepsFraction':
      return acted(Infinity).length / run.steps.length;
    case 'firstLoss':
      return run.steps.find((s) => Number.isFinite(s.loss))?.loss ?? NaN;
    case 'finalLoss': {
      const finite = run.steps.map((s) => s.loss).filter(Number.isFinite);
      return mean(finite.slice(-Math.max(1, Math.round(run.steps.length / 10))));
    }
    case 'testLoss':
    case 'testSolved':
    case 'testAccuracy': {
      const e = run.evals.find((x) => x.step === f.step);
      // A diverged run's evaluation is never quoted: only one from before it diverged.
      if (run.story.divergence) expect(f.step).toBeLessThan(run.story.divergence.step);
      return (
        (f.metric === 'testLoss' ? e?.testLoss : f.metric === 'testSolved' ? e?.testSolved : e?.testAccuracy) ?? NaN
      );
    }
    case 'stepLengthBefore':
    case 'stepLengthAfter':
    case 'stepLengthChange': {
      // A knob turned at f.step: the median step length of the 10 steps up to it and the 10 after.
      const lengths = (steps: StepMetrics[]) => steps.map(stepLength).filter(Number.isFinite);
      const before = medianOf(lengths(run.steps.filter((s) => s.step <= (f.step ?? 0)).slice(-10)));
      const after = medianOf(lengths(run.steps.filter((s) => s.step > (f.step ?? 0)).slice(0, 10)));
      if (f.metric === 'stepLengthBefore') return before;
      return f.metric === 'stepLengthAfter' ? after : Math.max(before, after) / Math.min(before, after);
    }
  }
}

/** Each figure of a claim: printed in the text, printed as its value rounded, and that value the metric it names. */
function checkFigures(claim: Claim, runOf: (f: Figure) => Trained): void {
  for (const f of claim.figures) {
    expect(claim.text, `${f.metric} ${f.printed}`).toContain(f.printed);
    expect(printedAgrees(f.value, f.printed), `${f.metric} ${f.value} printed ${f.printed} in: ${claim.text}`).toBe(
      true,
    );
    const expected = expectedValue(f, runOf(f));
    expect(
      Math.abs(f.value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
      `${JSON.stringify(f)} expected ${expected} in: ${claim.text}`,
    ).toBe(true);
  }
}

/** Sentences that quote a number against a bound read the right way. */
function checkBounds(text: string): void {
  for (const [, v] of text.matchAll(/rose above 1 \(([^)]+)\)/g)) expect(Number(v)).toBeGreaterThanOrEqual(1);
  for (const [, v] of text.matchAll(/fell below 1 \(([^)]+)\)/g)) expect(Number(v)).toBeLessThan(1);
  for (const [, v, c] of text.matchAll(/was ([-\d.e+]+), above the threshold ([\d.e+-]+)/g))
    expect(Number(v)).toBeGreaterThan(Number(c));
  for (const [, p] of text.matchAll(/the step taken (?:was|is) (?:on average )?([\d.e+-]+)%/g))
    expect(Number(p)).toBeLessThan(100);
}

/** What may never be said of this run. */
function forbidden(model: ModelKind, task: TaskKind): RegExp[] {
  const out: RegExp[] = [];
  if (model === 'dense') out.push(/W_hh/, /saturat/i, /through time/, /time step/, /tanh/, /dL\/dh/);
  if (model === 'lstm' || model === 'gru')
    out.push(
      /diag\(tanh/,
      /(?<!does not mean the gradient )can only shrink/,
      /can no longer grow/,
      /tanh passes almost no gradient/,
      /tanh' is at most/,
    );
  if (task === 'adding') out.push(/\b28 time steps/, /t = 28\b/, /dh_28/, /digit/i);
  if (task !== 'mnist') out.push(/accuracy/i, /Chance is 10%/);
  if (task === 'mnist') out.push(/always answering 1/, /\bT = /);
  return out;
}

/** Every "t = N", "dh_N" and "N time steps" names the run's own T. */
function checkTimeSteps(text: string, T: number): void {
  for (const [, n] of text.matchAll(/(?:t = |dh_|of the |all )(\d+)(?: time steps|\b)/g)) {
    if (n === '1') continue;
    expect(Number(n), text).toBe(T);
  }
}

/** What the grid made the narrator say, so the last test can check the grid reaches every kind of sentence. */
const seen = new Set<string>();

beforeAll(async () => {
  await startNodeBackend(['cpu']);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(cases())('claims for $model on $task, $what', ({ model, task, query, clips }) => {
  it('say only what applies, and quote each figure as the metric it names', async () => {
    const before = tf.memory().numTensors;
    const trainedByClip = new Map<ClipCase, Trained[]>();
    for (const name of clips) trainedByClip.set(name, await train(configOf(`${query}&${CLIPS[name]}`)));
    expect(tf.memory().numTensors).toBe(before);
    const bans = forbidden(model, task);
    const T = task === 'adding' ? SEQ_LEN : task === 'mnist' ? 28 : 0;
    const said: string[] = [];
    const say = (text: string | null | undefined) => {
      if (!text) return;
      said.push(text);
      for (const ban of bans) expect(text, `${ban} in: ${text}`).not.toMatch(ban);
      checkBounds(text);
      if (T > 0) checkTimeSteps(text, T);
    };

    for (const [clipCase, runs] of trainedByClip) {
      const config = configOf(`${query}&${CLIPS[clipCase]}`);
      say(describeExperiment(config));
      for (const run of runs) {
        const ctx = runContext(run.clip, run.layout);
        expect([ctx.model, ctx.task]).toEqual([model, task]);
        for (const event of run.events) {
          say(event.text);
          checkFigures(event, () => run);
        }
        const story = storyClaim(run.story, run.clip);
        say(story.text);
        checkFigures(story, () => run);
        const divergence = run.story.divergence;
        if (divergence) {
          expect(story.text).toContain(`It diverged at step ${divergence.step}`);
          expect(story.text).not.toMatch(/After step/);
          // The last finite test figure before it diverged (a non-finite one is no figure to quote).
          const before = run.evals.filter((e) => e.step < divergence.step && Number.isFinite(e.testLoss)).at(-1);
          if (before) {
            expect(story.text).toContain(`Its last test before it diverged, after step ${before.step}:`);
            seen.add('test before divergence');
          }
        }
        for (const event of run.events) seen.add(event.text.replace(/^Step \d+: /, ''));

        // The per-layer chart: c only for per-tensor clipping; the global modes' c on the global-norm chart.
        const words = gradNormChartWords(run.clip);
        say(words.summary);
        say(words.help);
        if (run.clip.mode === 'none') expect(words.summary).not.toMatch(/clipping/);
        // The direction chart only where this clipping can turn the step.
        const direction = directionChartWords([run.clip]);
        expect(direction !== null).toBe(run.clip.mode === 'value' || run.clip.mode === 'norm');
        say(direction?.help);
        const line = globalNormLine(run.clip, run.name);
        if (run.clip.mode === 'norm')
          expect(words.lines).toEqual([{ value: run.clip.threshold, label: expect.any(String) }]);
        else expect(words.lines).toEqual([]);
        if (run.clip.mode === 'global-tf' || (run.clip.mode === 'global' && run.clip.normType === '2'))
          expect(line?.value).toBe(run.clip.threshold);
        else expect(line).toBeNull();
        const globalWords = globalNormChartWords([run.clip]);
        say(globalWords.help);
        if (run.clip.mode === 'global' && run.clip.normType === 'inf') {
          expect(words.help).toContain('normType=inf');
          expect(globalWords.help).toContain('max-norm');
          // After clipping by the max-norm, a layer's L2 norm may well sit above c: the chart draws no c for it.
          expect(run.steps.some((m) => m.layerNormPost.some((n) => n > run.clip.threshold))).toBe(true);
        }
        if (run.clip.mode === 'global-tf' || (run.clip.mode === 'global' && run.clip.normType === '2')) {
          // Where c is drawn, every finite step's applied global norm is at or below it.
          for (const m of run.steps.filter((s) => Number.isFinite(s.globalNormPost)))
            expect(m.globalNormPost).toBeLessThanOrEqual(run.clip.threshold * (1 + 1e-5));
        }
      }
      const [baseline, clipped] = runs;
      if (baseline && clipped && clipped.clip.mode !== 'none') {
        const pair = pairClaim(baseline.story, clipped.story);
        say(pair.text);
        checkFigures(pair, (f) => (f.run === 'baseline' ? baseline : clipped));
      }
    }

    // A race of every clipping from the same weights and batches.
    const entries = [...trainedByClip.values()].map((runs) => runs[1]).filter((r): r is Trained => r !== undefined);
    const race = raceClaim(entries.map((r) => ({ name: r.name, clip: r.clip, story: r.story })));
    say(race.text);
    checkFigures(race, (f) => entries.find((e) => e.name === f.run) ?? (entries[0] as Trained));
    const ranked = race.figures.filter((f) => ['testLoss', 'testAccuracy', 'finalLoss'].includes(f.metric));
    for (let k = 1; k < ranked.length; k++) {
      const [a, b] = [ranked[k - 1]?.value ?? NaN, ranked[k]?.value ?? NaN];
      if (ranked[k]?.metric === 'testAccuracy') expect(a).toBeGreaterThanOrEqual(b);
      else expect(a).toBeLessThanOrEqual(b);
    }

    // The charts' and the page's words for this model and task.
    const count = 3;
    const hidden = hiddenGradChartWords(model, T, count);
    const spectral = spectralChartWords(model);
    const saturation = saturationChartWords(model, T);
    if (model === 'dense') {
      expect([hidden, spectral, saturation, recurrentExplanation(model, T), regimeChartsSentence(model)]).toEqual([
        null,
        null,
        null,
        null,
        null,
      ]);
    } else {
      for (const w of [hidden, spectral, saturation]) for (const text of [w?.title, w?.summary, w?.help]) say(text);
      say(recurrentExplanation(model, T));
      say(regimeChartsSentence(model));
      // The line at 1 on the ||W_hh|| chart means something only for the vanilla RNN.
      expect(spectral?.lines.length).toBe(model === 'rnn' ? 1 : 0);
    }
    const loss = lossChartWords(task === 'adding', 2);
    say(loss.summary);
    say(loss.help);
    const heldOut = heldOutChartWords(task, 10);
    if (task === 'regression') expect(heldOut).toBeNull();
    else for (const text of [heldOut?.title, heldOut?.summary, heldOut?.help]) say(text);
    expect(said.length).toBeGreaterThan(20);
    if (process.env.CLAIMS_DEBUG)
      console.log(
        query,
        [...trainedByClip.values()]
          .flat()
          .map((r) => [r.name, r.story.divergence?.step, r.events.map((e) => e.text.slice(0, 40))]),
      );
  }, 60_000);
});

it('the grid reached every kind of sentence, so none of them went unchecked', () => {
  const kinds = [
    'test before divergence',
    'clipping acted for the f',
    'clipping is acting on mo',
    'a gradient spike: the no',
    'the gradient vanishes th',
    '||W_hh|| of rnn',
    'most hidden units of rnn',
    'most hidden values of gr',
    'the loss became Infinity',
    'a gradient became Infini',
  ];
  expect(kinds.filter((k) => ![...seen].some((said) => said.startsWith(k)))).toEqual([]);
});
