/**
 * What each tour lesson tells a student to look for, as checks on the runs it trains: one entry per claim, with
 * the figure it measured in a seed and whether the claim held there. A claim holds in every seed, or the lesson's
 * text states how often (`rate`, the phrase as the text has it) and the check holds it to that within one seed.
 * A claim that fails is rewritten (or its lesson re-tuned), not this file.
 */
import type { ExperimentConfig } from '../../src/experiment/config.ts';
import type { EvalMetrics, StepMetrics } from '../../src/train/metrics.ts';
import { lessonConfig, type LessonRuns, type RunOutcome } from './play.ts';

export interface Measured {
  held: boolean;
  /** The figure the claim was judged on, for the report ("diverged at step 5", "test MSE 0.031"). */
  figure: string;
}

export interface LessonClaim {
  /** What the lesson says, in a few words. */
  says: string;
  /**
   * Held how often: the phrase the lesson's text states its rate with ("in 8 of 10 seeds"), or one per count of
   * seeds (["in 4 of 10 seeds", "in 61 of 100 seeds"]: seeds 0-9 and 0-99); absent: every seed.
   */
  rate?: string | readonly string[];
  /** Checked on these seeds only (figures pinned against a reference for a few seeds); absent: every seed. */
  seeds?: readonly number[];
  measure(runs: Record<string, LessonRuns>): Measured;
}

/** An experiment a lesson's check trains, and when it may stop early (a claim decided at an evaluation). */
export interface LessonExperiment {
  config: ExperimentConfig;
  stopWhen?: (evaluation: EvalMetrics) => boolean;
}

export interface LessonCheck {
  lesson: number;
  /**
   * The experiments a seed trains, by name: the lesson's own link (`lesson`), and, where the text tells the
   * student to change a setting, the link so changed.
   */
  experiments(seed: number): Record<string, LessonExperiment>;
  claims: LessonClaim[];
}

const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || Number.isNaN(x) ? 'none' : Number(x.toPrecision(digits)).toString();

function side(runs: Record<string, LessonRuns>, experiment: string, which: keyof LessonRuns): RunOutcome {
  const run = runs[experiment]?.[which];
  if (!run) throw new Error(`no ${which} run in ${experiment}`);
  return run;
}

/** The mean batch loss over steps `from` to `to` (1-based, inclusive). */
function meanLoss(run: RunOutcome, from: number, to: number): number {
  const losses = run.steps.filter((m) => m.step >= from && m.step <= to).map((m) => m.loss);
  return losses.length > 0 ? losses.reduce((a, b) => a + b, 0) / losses.length : NaN;
}

/** ||dL/dh_1|| / ||dL/dh_T|| of the first layer, on the steps where it was measured. */
function throughTime(run: RunOutcome, T: number): number[] {
  return run.steps
    .filter((m): m is StepMetrics & { hiddenGradNorms: number[] } => m.hiddenGradNorms !== null)
    .map((m) => (m.hiddenGradNorms[0] ?? NaN) / (m.hiddenGradNorms[T - 1] ?? NaN));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

const lastEval = (run: RunOutcome) => run.evals.at(-1);
const within = (x: number | undefined, lo: number, hi: number) => x !== undefined && x >= lo && x <= hi;

const only = (n: number) => (seed: number) => ({ lesson: { config: lessonConfig(n, seed) } });

/**
 * Lesson 9's seeds whose figures are pinned against PyTorch's for the same setting (issue 21: LSTM test MSE 4e-4 to
 * 3e-3, the RNN 0.165 to 0.168 over three seeds). A net at the baseline scores 1/6 on average, but on one test set
 * of 500 sequences its MSE scatters by about 0.009 (the sd of (S - 1)^2 is 0.197), so the RNN is pinned to the
 * baseline within two of those: 0.15 to 0.18.
 */
const PINNED_SEEDS: readonly number[] = [0, 1];
/** The LSTM has solved the adding problem once its test MSE is below this. */
const LSTM_SOLVED_MSE = 0.01;

export const LESSON_CHECKS: readonly LessonCheck[] = [
  {
    lesson: 1,
    experiments: only(1),
    claims: [
      {
        says: 'unclipped, the loss overflows to Infinity at step 5',
        measure(runs) {
          const d = side(runs, 'lesson', 'clipped').story.divergence;
          return { held: d?.step === 5 && d.what === 'loss' && d.value === 'Infinity', figure: JSON.stringify(d) };
        },
      },
    ],
  },
  {
    lesson: 2,
    experiments: only(2),
    claims: [
      {
        says: 'the left run diverges at step 5',
        measure: (runs) => {
          const step = side(runs, 'lesson', 'baseline').story.divergence?.step;
          return { held: step === 5, figure: `diverged at step ${step ?? 'never'}` };
        },
      },
      {
        says: 'the right run trains all 400 steps, clipping acting on nearly every one (over 90%)',
        measure: (runs) => {
          const run = side(runs, 'lesson', 'clipped');
          const acted = run.story.clippedSteps / 400;
          return {
            held: run.story.divergence === null && run.steps.length === 400 && acted > 0.9,
            figure: `${run.steps.length} steps, clipping acted on ${fmt(100 * acted)}%`,
          };
        },
      },
      {
        says: 'the preset: its batch loss falls a hundredfold within 60 steps, then levels off mostly between 50 and 300 (5th to 95th percentile after step 100)',
        measure: (runs) => {
          const batch = side(runs, 'lesson', 'clipped').steps.map((m) => m.loss);
          const early = Math.min(...batch.slice(0, 60));
          const later = batch.slice(100).sort((a, b) => a - b);
          const [p5, p95] = [
            later[Math.floor(0.05 * later.length)] ?? NaN,
            later[Math.floor(0.95 * later.length)] ?? NaN,
          ];
          return {
            held: early < (batch[0] ?? NaN) / 100 && p5 >= 50 && p95 <= 300,
            figure: `first ${fmt(batch[0])}, lowest by step 60 ${fmt(early)}, 5th-95th percentile after step 100 ${fmt(p5)} to ${fmt(p95)}`,
          };
        },
      },
      {
        says: 'its loss falls (last epoch under 1% of the first)',
        measure: (runs) => {
          const [first = NaN, ...rest] = side(runs, 'lesson', 'clipped').epochLosses;
          const last = rest.at(-1) ?? NaN;
          return { held: last < 0.01 * first, figure: `epoch loss ${fmt(first)} -> ${fmt(last)}` };
        },
      },
    ],
  },
  {
    lesson: 3,
    experiments: only(3),
    claims: [
      {
        says: 'the unclipped run overflows at step 5; the three clipped ones survive',
        measure: (runs) => {
          const step = side(runs, 'lesson', 'baseline').story.divergence?.step;
          const survived = (['clipped', 'third', 'fourth'] as const).every(
            (s) => side(runs, 'lesson', s).story.divergence === null,
          );
          return { held: step === 5 && survived, figure: `unclipped diverged at step ${step ?? 'never'}` };
        },
      },
      {
        says: 'global norm keeps the direction (0°); per-tensor norm turns it about 30° (20-40), value about 60° (50-70)',
        measure: (runs) => {
          const [value, norm, global] = (['clipped', 'third', 'fourth'] as const).map(
            (s) => side(runs, 'lesson', s).story.turnDegrees ?? NaN,
          ) as [number, number, number];
          return {
            held: global < 0.5 && norm > 20 && norm < 40 && value > 50 && value < 70,
            figure: `global ${fmt(global)}°, per tensor ${fmt(norm)}°, value ${fmt(value)}°`,
          };
        },
      },
      {
        says: "value clipping's steps are the longest",
        measure: (runs) => {
          const [value, norm, global] = (['clipped', 'third', 'fourth'] as const).map(
            (s) => side(runs, 'lesson', s).story.appliedRatio ?? NaN,
          ) as [number, number, number];
          return {
            held: value > norm && value > global,
            figure: `applied/asked: value ${fmt(value)}, norm ${fmt(norm)}, global ${fmt(global)}`,
          };
        },
      },
      {
        says: 'lowest loss: value over steps 21-40, per-tensor norm over 120-170, global norm over 300-400',
        measure: (runs) => {
          const entries = [
            ['value', side(runs, 'lesson', 'clipped')],
            ['norm', side(runs, 'lesson', 'third')],
            ['global', side(runs, 'lesson', 'fourth')],
          ] as const;
          const lowest = (from: number, to: number) =>
            [...entries].sort((a, b) => meanLoss(a[1], from, to) - meanLoss(b[1], from, to))[0]?.[0];
          const order = [lowest(21, 40), lowest(120, 170), lowest(300, 400)];
          return { held: order.join() === 'value,norm,global', figure: order.join(' -> ') };
        },
      },
      {
        says: 'at the end: value highest, about 100 (50-200); global lowest, about 1 (under 1)',
        measure: (runs) => {
          const [value, norm, global] = (['clipped', 'third', 'fourth'] as const).map(
            (s) => side(runs, 'lesson', s).story.finalLoss ?? NaN,
          ) as [number, number, number];
          return {
            held: global < 1 && global < norm && norm < value && value > 50 && value < 200,
            figure: `final loss value ${fmt(value)}, norm ${fmt(norm)}, global ${fmt(global)}`,
          };
        },
      },
    ],
  },
  {
    lesson: 4,
    experiments: only(4),
    claims: [
      {
        says: 'at first the gradient reaching t = 1 is over 100 times the one at t = 28',
        measure: (runs) => {
          const first = throughTime(side(runs, 'lesson', 'baseline'), 28)[0] ?? NaN;
          return { held: first > 100, figure: `ratio ${fmt(first)}` };
        },
      },
      {
        says: 'unclipped it leaves the exploding regime (last ratio under 5); clipped it does not (over 10)',
        measure: (runs) => {
          const base = throughTime(side(runs, 'lesson', 'baseline'), 28).at(-1) ?? NaN;
          const clipped = throughTime(side(runs, 'lesson', 'clipped'), 28).at(-1) ?? NaN;
          return { held: base < 5 && clipped > 10, figure: `unclipped ${fmt(base)}, clipped ${fmt(clipped)}` };
        },
      },
      {
        says: '||W_hh|| grows past 3 unclipped, stays under 2.5 clipped; saturation over 20% against under 12%',
        measure: (runs) => {
          const [b, c] = [side(runs, 'lesson', 'baseline').steps.at(-1), side(runs, 'lesson', 'clipped').steps.at(-1)];
          const [bs, cs] = [b?.spectralNorm?.[0] ?? NaN, c?.spectralNorm?.[0] ?? NaN];
          const [bsat, csat] = [b?.saturation?.[0] ?? NaN, c?.saturation?.[0] ?? NaN];
          return {
            held: bs > 3 && cs < 2.5 && bsat > 0.2 && csat < 0.12,
            figure: `||W_hh|| ${fmt(bs)} vs ${fmt(cs)}, saturated ${fmt(100 * bsat)}% vs ${fmt(100 * csat)}%`,
          };
        },
      },
      {
        says: 'the clipped run takes steps under a tenth as long as asked, keeps a gradient norm over 10, and learns 20 points less',
        measure: (runs) => {
          const [b, c] = [side(runs, 'lesson', 'baseline'), side(runs, 'lesson', 'clipped')];
          const gap = (lastEval(b)?.testAccuracy ?? NaN) - (lastEval(c)?.testAccuracy ?? NaN);
          const norm = c.steps.at(-1)?.globalNormPre ?? NaN;
          return {
            held: (c.story.appliedRatio ?? 1) < 0.1 && norm > 10 && gap > 0.2,
            figure: `applied ${fmt(c.story.appliedRatio)}, norm ${fmt(norm)}, accuracy gap ${fmt(100 * gap)} points`,
          };
        },
      },
    ],
  },
  {
    lesson: 5,
    experiments: only(5),
    claims: [
      {
        says: 'value clipping acts on under 5% of the 300 steps, though the LSTM layer norm exceeds 1',
        measure: (runs) => {
          const c = side(runs, 'lesson', 'clipped');
          const peak = Math.max(...c.steps.map((m) => m.layerNormPre[0] ?? 0));
          return {
            held: c.steps.length === 300 && c.story.clippedSteps < 15 && peak > 1,
            figure: `clipped ${c.story.clippedSteps} of ${c.steps.length} steps, peak layer norm ${fmt(peak)}`,
          };
        },
      },
      {
        says: 'the two runs end within a few points (under 5) of test accuracy',
        measure: (runs) => {
          const [b, c] = [side(runs, 'lesson', 'baseline'), side(runs, 'lesson', 'clipped')];
          const gap = Math.abs((lastEval(b)?.testAccuracy ?? NaN) - (lastEval(c)?.testAccuracy ?? NaN));
          return { held: gap < 0.05, figure: `${fmt(100 * gap)} points apart` };
        },
      },
    ],
  },
  {
    lesson: 7,
    experiments: only(7),
    claims: [
      {
        says: 'the clipped run stalls at var(y), about 23,300 (within 2% of 23,310)',
        measure: (runs) => {
          const last = side(runs, 'lesson', 'clipped').epochLosses.at(-1) ?? NaN;
          return { held: Math.abs(last - 23_310) / 23_310 < 0.02, figure: `last epoch loss ${fmt(last, 5)}` };
        },
      },
    ],
  },
  {
    lesson: 8,
    experiments: only(8),
    claims: [
      {
        says: 'unclipped, the gradient norm grows a thousandfold within 20 steps and the run overflows within 80',
        rate: ['in 10 of 10 seeds', 'in 89 of 100 seeds'],
        measure: (runs) => {
          const b = side(runs, 'lesson', 'baseline');
          const first = b.steps[0]?.globalNormPre ?? NaN;
          const early = Math.max(...b.steps.slice(0, 20).map((m) => m.globalNormPre));
          const step = b.story.divergence?.step;
          return {
            held: early / first > 1000 && step !== undefined && step <= 80,
            figure: `x${fmt(early / first)} in 20 steps, diverged at step ${step ?? 'never'}`,
          };
        },
      },
      {
        says: 'clipped, it trains all 2,000 steps, clipping acting on nearly every one (over 90%)',
        measure: (runs) => {
          const c = side(runs, 'lesson', 'clipped');
          const acted = c.story.clippedSteps / 2000;
          return {
            held: c.story.divergence === null && c.steps.length === 2000 && acted > 0.9,
            figure: `${c.steps.length} steps, clipping acted on ${fmt(100 * acted)}%`,
          };
        },
      },
      {
        says: 'its loss hovers at the line over steps 251-500 (mean batch loss 0.15 to 0.2)',
        measure: (runs) => {
          const mean = meanLoss(side(runs, 'lesson', 'clipped'), 251, 500);
          return { held: mean > 0.15 && mean < 0.2, figure: `mean loss ${fmt(mean)}` };
        },
      },
      {
        says: 'it ends below the line: test MSE under 0.15 at step 2,000',
        rate: ['in 8 of 10 seeds', 'in 91 of 100 seeds'],
        measure: (runs) => {
          const e = lastEval(side(runs, 'lesson', 'clipped'));
          return {
            held: e !== undefined && e.step === 2000 && e.testLoss < 0.15,
            figure: `test MSE ${fmt(e?.testLoss)}, ${fmt(100 * (e?.testSolved ?? NaN))}% solved`,
          };
        },
      },
      {
        says: 'it learns to a test MSE under 0.05 by step 2,000, with 60% or more of the test sequences solved',
        rate: ['in 4 of 10 seeds', 'in 61 of 100 seeds'],
        measure: (runs) => {
          const e = lastEval(side(runs, 'lesson', 'clipped'));
          const [mse, solved] = [e?.testLoss ?? NaN, e?.testSolved ?? NaN];
          return { held: mse < 0.05 && solved >= 0.6, figure: `test MSE ${fmt(mse)}, ${fmt(100 * solved)}% solved` };
        },
      },
      {
        says: 'over the first 300 steps ||dL/dh_1|| / ||dL/dh_30|| is mostly under a tenth (median of 7 under 0.1)',
        rate: ['in 10 of 10 seeds', 'in 95 of 100 seeds'],
        measure: (runs) => {
          const ratios = throughTime(side(runs, 'lesson', 'clipped'), 30);
          const early = median(ratios.slice(0, 7));
          return { held: early < 0.1, figure: `median ${fmt(early)}` };
        },
      },
      {
        says: 'by the end the two are of the same order (last 10 ratios 0.3 to 2.5)',
        rate: ['in 6 of 10 seeds', 'in 70 of 100 seeds'],
        measure: (runs) => {
          const late = throughTime(side(runs, 'lesson', 'clipped'), 30).slice(-10);
          const [lo, hi] = [Math.min(...late), Math.max(...late)];
          return { held: lo > 0.3 && hi < 2.5, figure: `${fmt(lo)} to ${fmt(hi)}` };
        },
      },
    ],
  },
  {
    lesson: 9,
    // The lesson's pair of plain RNNs, and the LSTM the text has the student switch to (its clipped run). The LSTM's
    // claim is that its test MSE falls below 0.01: it stops at the first evaluation that shows it, but on the seeds
    // pinned against PyTorch, which train all 2,000 steps.
    experiments: (seed) => ({
      lesson: { config: lessonConfig(9, seed) },
      lstm: {
        config: lessonConfig(9, seed, '&model=lstm&pair=0'),
        ...(PINNED_SEEDS.includes(seed) ? {} : { stopWhen: (e: EvalMetrics) => e.testLoss < LSTM_SOLVED_MSE }),
      },
    }),
    claims: [
      {
        says: 'the plain RNN, unclipped and clipped, never learns: no test MSE below 0.14 and never half the sequences solved in 2,000 steps',
        measure: (runs) => {
          const [b, c] = [side(runs, 'lesson', 'baseline'), side(runs, 'lesson', 'clipped')];
          const evals = [...b.evals, ...c.evals];
          const lo = Math.min(...evals.map((e) => e.testLoss));
          const most = Math.max(...evals.map((e) => e.testSolved ?? NaN));
          return {
            held: b.steps.length === 2000 && c.steps.length === 2000 && evals.length === 16 && lo >= 0.14 && most < 0.5,
            figure: `lowest of ${evals.length} tests ${fmt(lo)}, most solved ${fmt(100 * most)}%; at the end ${fmt(lastEval(b)?.testLoss)} unclipped, ${fmt(lastEval(c)?.testLoss)} clipped`,
          };
        },
      },
      {
        says: 'clipping acts on the RNN (ticks), on between 10% and 60% of its steps',
        measure: (runs) => {
          const c = side(runs, 'lesson', 'clipped');
          const acted = c.story.clippedSteps / c.steps.length;
          return { held: acted > 0.1 && acted < 0.6, figure: `clipped ${c.story.clippedSteps} of ${c.steps.length}` };
        },
      },
      {
        says: 'in both RNN runs ||dL/dh_1|| / ||dL/dh_100|| is below 0.1 at step 1, and its median over the run below 1e-4',
        measure: (runs) => {
          const [b, c] = (['baseline', 'clipped'] as const).map((s) => throughTime(side(runs, 'lesson', s), 100)) as [
            number[],
            number[],
          ];
          const first = Math.max(b[0] ?? NaN, c[0] ?? NaN);
          const [mb, mc] = [median(b), median(c)];
          return {
            held: first < 0.1 && Math.max(mb, mc) < 1e-4,
            figure: `step 1 ${fmt(b[0])} / ${fmt(c[0])}, median ${fmt(mb)} / ${fmt(mc)}, largest after step 500 ${fmt(Math.max(...b.slice(10)))} / ${fmt(Math.max(...c.slice(10)))} (unclipped / clipped)`,
          };
        },
      },
      {
        says: 'the narrator tells, in both RNN runs, that the gradient vanishes through time, by step 101',
        measure: (runs) => {
          const told = (['baseline', 'clipped'] as const).map(
            (s) => side(runs, 'lesson', s).story.events.find((e) => e.kind === 'vanishing-in-time')?.step,
          );
          return {
            held: told.every((step) => step !== undefined && step <= 101),
            figure: `told at steps ${told.join(' / ')}`,
          };
        },
      },
      {
        says: 'the LSTM (clipped, same batches) solves it: test MSE below 0.01 within 2,000 steps, over 95% solved',
        measure: (runs) => {
          const l = side(runs, 'lstm', 'clipped');
          const solved = l.evals.find((e) => e.testLoss < LSTM_SOLVED_MSE);
          const curve = l.evals.map((e) => `${e.step}:${fmt(e.testLoss, 2)}/${fmt(e.testSolved, 2)}`).join(' ');
          return {
            held: solved !== undefined && (solved.testSolved ?? 0) > 0.95,
            figure: `${curve}; clipped ${l.story.clippedSteps} steps`,
          };
        },
      },
      {
        says: 'pinned to PyTorch (T = 100, 2,000 steps): RNN test MSE 0.15 to 0.18, LSTM 1e-4 to 3e-3',
        seeds: PINNED_SEEDS,
        measure: (runs) => {
          const rnn = (['baseline', 'clipped'] as const).map((s) => lastEval(side(runs, 'lesson', s))?.testLoss ?? NaN);
          const lstm = side(runs, 'lstm', 'clipped');
          const mse = lastEval(lstm)?.testLoss ?? NaN;
          return {
            held: rnn.every((x) => within(x, 0.15, 0.18)) && lstm.steps.length === 2000 && within(mse, 1e-4, 3e-3),
            figure: `RNN ${rnn.map((x) => fmt(x)).join(' / ')}, LSTM ${fmt(mse)} after ${lstm.steps.length} steps`,
          };
        },
      },
    ],
  },
];
