/**
 * The narrator of each run on the charts, fed as its metrics arrive (present/narrator.ts: the same words
 * as `gradlab run --narrate`). The store gets the run's story when something new is told, when the run
 * ends, and otherwise at most once a second, so the words follow the run without a render per batch.
 */
import type { ClipConfig, ExperimentConfig, RunSide } from '../experiment/config.ts';
import { changeConcerns, type KnobChange } from '../experiment/schedule.ts';
import { Narrator } from '../present/narrator.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import { stageRun, updateRun } from './labStore.ts';

const PUBLISH_EVERY_MS = 1000;

/** Each run's narrator, and the knobs it is still to hear: told just before the first step after theirs. */
const narrators = new Map<RunSide, { narrator: Narrator; publishedMs: number; knobs: KnobChange[] }>();

function publish(side: RunSide, force: boolean): void {
  const entry = narrators.get(side);
  if (!entry) return;
  const now = Date.now();
  if (!force && now - entry.publishedMs < PUBLISH_EVERY_MS) return;
  entry.publishedMs = now;
  // Something newly told goes in at once; the story's running figures with the charts' next redraw.
  (force ? updateRun : stageRun)(side, { narration: entry.narrator.story() });
}

export function startNarration(side: RunSide, clip: ClipConfig, layout: RunLayout, config?: ExperimentConfig): void {
  narrators.set(side, {
    narrator: new Narrator(clip, layout, config?.lr ?? null),
    publishedMs: 0,
    knobs: (config?.schedule ?? []).filter((c) => changeConcerns(c, side)),
  });
}

/** A knob of this run turned live: the narrator hears it between its step and the next, as the run took it. */
export function narrateKnob(side: RunSide, change: KnobChange): void {
  const entry = narrators.get(side);
  if (!entry) return;
  entry.knobs = [...entry.knobs.filter((c) => c.step !== change.step || c.knob !== change.knob), change];
}

export function narrateSteps(side: RunSide, steps: readonly StepMetrics[]): void {
  const entry = narrators.get(side);
  if (!entry) return;
  let told = false;
  for (const m of steps) {
    for (const change of entry.knobs.filter((c) => c.step < m.step)) entry.narrator.knob(change);
    entry.knobs = entry.knobs.filter((c) => c.step >= m.step);
    told = entry.narrator.observe(m).length > 0 || told;
  }
  publish(side, told);
}

export function narrateEval(side: RunSide, result: EvalMetrics): void {
  narrators.get(side)?.narrator.evaluated(result);
  publish(side, true);
}

export function narrateEnd(side: RunSide, divergence: Divergence | null): void {
  const entry = narrators.get(side);
  if (!entry) return;
  if (divergence) entry.narrator.diverged(divergence);
  publish(side, true);
}

export function clearNarration(): void {
  narrators.clear();
}

/** A stored run's story, told from all its steps at once (the history's reopened runs). */
export function storedStory(
  clip: ClipConfig,
  layout: RunLayout,
  steps: readonly StepMetrics[],
  evals: readonly EvalMetrics[],
  divergence: Divergence | null,
) {
  const narrator = new Narrator(clip, layout);
  const evalAt = new Map(evals.map((e) => [e.step, e]));
  for (const m of steps) {
    const evaluation = evalAt.get(m.step);
    if (evaluation) narrator.evaluated(evaluation);
    narrator.observe(m);
  }
  if (divergence) narrator.diverged(divergence);
  return narrator.story();
}
