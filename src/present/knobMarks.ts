/**
 * The knob changes a chart marks for one run: "lr 0.07 → 0.01", "clip norm:1 → norm:0.1". The live session and a
 * run reopened from the history both mark them from the experiment's schedule, so a reopened run shows the same
 * marks it trained with.
 */
import type { ClipConfig, ExperimentConfig, RunSide } from '../experiment/config.ts';
import {
  CLIP_KNOB_SIDE,
  changeConcerns,
  formatSchedule,
  valueBefore,
  type KnobChange,
} from '../experiment/schedule.ts';

/** A knob turned at a step, as a chart marks it: "lr 0.07 → 0.01". */
export interface KnobMark {
  step: number;
  label: string;
}

/** One change as a mark: the knob, what it was just before, and what it became. */
export function knobMark(config: ExperimentConfig, schedule: readonly KnobChange[], change: KnobChange): KnobMark {
  const to = formatSchedule([change]).split('=').slice(1).join('=');
  return { step: change.step, label: `${change.knob} ${valueBefore(config, schedule, change)} → ${to}` };
}

/** The marks of the changes that concern the run on `side` (the learning rate concerns every run). */
export function knobMarksOf(config: ExperimentConfig, schedule: readonly KnobChange[], side: RunSide): KnobMark[] {
  return schedule.filter((c) => changeConcerns(c, side)).map((c) => knobMark(config, schedule, c));
}

/** A change of one run's clipping, turned while it trained: in force from step `step + 1` on. */
export interface ClipChange {
  step: number;
  clip: ClipConfig;
}

/** The changes of the clipping of the run on `side`, in step order. */
export function clipChangesOf(schedule: readonly KnobChange[], side: RunSide): ClipChange[] {
  const out: ClipChange[] = [];
  for (const change of schedule) {
    if (change.knob !== 'lr' && CLIP_KNOB_SIDE[change.knob] === side)
      out.push({ step: change.step, clip: change.clip });
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * The change of clipping a run trains its next step with, having shown `step` steps: the last change at or before
 * `step` (a change "at step 120" acts from step 121, as schedule.ts says), or null while it trains as it started.
 */
export function clipChangeInForce(changes: readonly ClipChange[], step: number): ClipChange | null {
  let now: ClipChange | null = null;
  for (const change of changes) if (change.step <= step) now = change;
  return now;
}
