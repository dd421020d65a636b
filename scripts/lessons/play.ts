/**
 * Trains a lesson's runs headless, as the page would: every run of the link in lockstep through the lab's one run
 * driver, the narrator listening as it does on the page, and what the lesson claims are made of kept per run.
 */
import { sidesOf, type ExperimentConfig, type RunSide } from '../../src/experiment/config.ts';
import { TOUR, lessonLink } from '../../src/experiment/tour.ts';
import { parseExperiment } from '../../src/experiment/urlCodec.ts';
import { Narrator, type RunStory } from '../../src/present/narrator.ts';
import { loadTrainingData, trainRows, type DataLoader } from '../../src/train/data/trainingData.ts';
import { EpochLossTracker } from '../../src/train/epochLoss.ts';
import type { EvalMetrics, StepMetrics } from '../../src/train/metrics.ts';
import { driveRuns, type RunObserver } from '../../src/train/runDriver.ts';
import { Run } from '../../src/train/trainer.ts';

/** One run of a lesson, as the check sees it. */
export interface RunOutcome {
  steps: StepMetrics[];
  story: RunStory;
  /** Dense: the loss over every row of each complete epoch, in order. */
  epochLosses: number[];
  /** Every evaluation, in order (the driver never evaluates a diverged run). */
  evals: EvalMetrics[];
}

export type LessonRuns = Partial<Record<RunSide, RunOutcome>>;

/** A lesson's experiment for one seed: its own link with `&seed=` added, as a student would type it. */
export function lessonConfig(n: number, seed: number, extra = ''): ExperimentConfig {
  const lesson = TOUR.find((l) => l.n === n);
  if (!lesson) throw new Error(`no lesson ${n}`);
  const parsed = parseExperiment(`${lessonLink(lesson)}${extra}&seed=${seed}`);
  if (!parsed.ok) throw new Error(`lesson ${n}: ${parsed.reason}`);
  return parsed.config;
}

/**
 * Trains every run of the experiment to its end in lockstep and returns each side's outcome; with `stopWhen`, all
 * stop after the first evaluation it accepts (for a claim that an evaluation decides, such as "falls below").
 */
export async function play(
  config: ExperimentConfig,
  loader: DataLoader,
  stopWhen?: (evaluation: EvalMetrics) => boolean,
): Promise<LessonRuns> {
  let stop = false;
  const data = await loadTrainingData(config, loader);
  const out: LessonRuns = {};
  const lanes = sidesOf(config).map((side) => {
    const run = new Run({ config, side, data });
    const narrator = new Narrator(run.clip, run.layout);
    const epochs = new EpochLossTracker(trainRows(data), config.batch);
    const outcome: RunOutcome = { steps: [], story: narrator.story(), epochLosses: [], evals: [] };
    const record: RunObserver = {
      observe(m) {
        outcome.steps.push(m);
        epochs.add(m.step, m.epoch, m.loss);
        const done = epochs.lastCompleteEpoch();
        if (done && done.epoch > outcome.epochLosses.length) outcome.epochLosses.push(done.loss);
      },
      evaluated(e) {
        outcome.evals.push(e);
        if (stopWhen?.(e)) stop = true;
      },
    };
    out[side] = outcome;
    // The narrator is an observer as it is on the page.
    return { run, narrator, outcome, observers: [narrator, record] };
  });
  try {
    await driveRuns(lanes, { stopped: () => stop });
  } finally {
    for (const { run, narrator, outcome } of lanes) {
      outcome.story = narrator.story();
      run.dispose();
    }
  }
  return out;
}
