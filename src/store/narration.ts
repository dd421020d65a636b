/**
 * The narrator of each run on the charts, fed as its metrics arrive (present/narrator.ts: the same words
 * as `gradlab run --narrate`). The store gets the run's story when something new is told, when the run
 * ends, and otherwise at most once a second, so the words follow the run without a render per batch.
 */
import type { ClipConfig, RunSide } from '../experiment/config.ts';
import { Narrator } from '../present/narrator.ts';
import type { Divergence, EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import { updateRun } from './labStore.ts';

const PUBLISH_EVERY_MS = 1000;

const narrators = new Map<RunSide, { narrator: Narrator; publishedMs: number }>();

function publish(side: RunSide, force: boolean): void {
  const entry = narrators.get(side);
  if (!entry) return;
  const now = Date.now();
  if (!force && now - entry.publishedMs < PUBLISH_EVERY_MS) return;
  entry.publishedMs = now;
  updateRun(side, { narration: entry.narrator.story() });
}

export function startNarration(side: RunSide, clip: ClipConfig, layout: RunLayout): void {
  narrators.set(side, { narrator: new Narrator(clip, layout), publishedMs: 0 });
}

export function narrateSteps(side: RunSide, steps: readonly StepMetrics[]): void {
  const entry = narrators.get(side);
  if (!entry) return;
  let told = false;
  for (const m of steps) told = entry.narrator.observe(m).length > 0 || told;
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
