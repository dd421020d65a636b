/**
 * Knobs turned while a run trains, as data: a schedule of changes, each taking effect after a given step (a change
 * "at step 120" is in force from step 121 on). The page records a change turned live at a step no run has passed;
 * the link carries the schedule (`knobs=`), so a shared link, `gradlab run` and a replay take every change at the
 * same step as the run it was turned in, and give the same numbers.
 *
 * The link's form, one parameter, changes separated by `;`, each `STEP:KNOB=VALUE`:
 *   knobs=120:clip=norm:0.1;200:lr=0.01;200:run3=global:0.5
 * KNOB is `lr` (every run of the pair or race), or the clipping of one run: `clip` (the clipped run), `baseClip`
 * (the baseline), `run3`, `run4` (a race's third and fourth), written as clipText.ts writes a race's run.
 */
import { sidesOf, type ClipConfig, type ExperimentConfig, type RunSide } from './config.ts';
import { formatClipText, parseClipText } from './clipText.ts';
import { FIELD_SPECS, parseDecimal } from './schema.ts';

/** The link's parameter. */
export const SCHEDULE_KEY = 'knobs';

export const KNOBS = ['lr', 'clip', 'baseClip', 'run3', 'run4'] as const;
export type KnobId = (typeof KNOBS)[number];
export type ClipKnob = Exclude<KnobId, 'lr'>;

export type KnobChange = { step: number; knob: 'lr'; lr: number } | { step: number; knob: ClipKnob; clip: ClipConfig };

/** A schedule longer than this is refused past it: a link stays under the codec's 4,096 characters. */
export const MAX_KNOB_CHANGES = 32;

/** The run whose clipping a clip knob turns. */
export const CLIP_KNOB_SIDE: Record<ClipKnob, RunSide> = {
  clip: 'clipped',
  baseClip: 'baseline',
  run3: 'third',
  run4: 'fourth',
};

/** The clip knob of a run. */
export function clipKnobOf(side: RunSide): ClipKnob {
  return (Object.keys(CLIP_KNOB_SIDE) as ClipKnob[]).find((k) => CLIP_KNOB_SIDE[k] === side) ?? 'clip';
}

/** Whether a change turns a knob of the run on `side`: the learning rate is every run's. */
export function changeConcerns(change: KnobChange, side: RunSide): boolean {
  return change.knob === 'lr' || CLIP_KNOB_SIDE[change.knob] === side;
}

/** The clipping a clip knob names in a config (before any change). */
function baseClipOf(config: ExperimentConfig, knob: ClipKnob): ClipConfig | undefined {
  switch (knob) {
    case 'clip':
      return config.clip;
    case 'baseClip':
      return config.baseClip;
    case 'run3':
      return config.race[0];
    case 'run4':
      return config.race[1];
  }
}

/**
 * The settings in force for step `step + 1`: the config with every change at or before `step` applied. The
 * page's controls show this, so a knob shows what the runs train with now; the config itself keeps the start.
 */
export function configAt(config: ExperimentConfig, schedule: readonly KnobChange[], step: number): ExperimentConfig {
  let out = config;
  for (const change of schedule) {
    if (change.step > step) continue;
    out = { ...out, race: [...out.race] };
    if (change.knob === 'lr') out.lr = change.lr;
    else if (change.knob === 'clip') out.clip = change.clip;
    else if (change.knob === 'baseClip') out.baseClip = change.clip;
    else out.race[change.knob === 'run3' ? 0 : 1] = change.clip;
  }
  return out;
}

/** The value a change replaced: what its knob was just before it (earlier changes applied). */
export function valueBefore(config: ExperimentConfig, schedule: readonly KnobChange[], change: KnobChange): string {
  // One change per knob and step: the earlier steps' changes are all that came before it.
  const before = configAt(
    config,
    schedule.filter((c) => c.step < change.step),
    change.step,
  );
  if (change.knob === 'lr') return String(before.lr);
  const clip = baseClipOf(before, change.knob);
  return clip ? formatClipText(clip) : 'none';
}

function formatChange(change: KnobChange): string {
  const value = change.knob === 'lr' ? String(change.lr) : formatClipText(change.clip);
  return `${change.step}:${change.knob}=${value}`;
}

export function formatSchedule(schedule: readonly KnobChange[]): string {
  return schedule.map(formatChange).join(';');
}

/**
 * A change as the link writes it: a clipping is kept in clipText's form, so a knob turned on the page and the
 * same change read back from its link are the same value (min and max of a norm clip go back to their defaults).
 */
export function canonicalChange(change: KnobChange): KnobChange {
  if (change.knob === 'lr') return { ...change };
  const parsed = parseClipText(formatClipText(change.clip));
  return { step: change.step, knob: change.knob, clip: parsed.ok ? parsed.clip : change.clip };
}

/** In step order, and at one step in KNOBS' order; a knob turned twice at one step keeps its last value. */
export function sortedSchedule(schedule: readonly KnobChange[]): KnobChange[] {
  const last = new Map<string, KnobChange>();
  for (const change of schedule) last.set(`${change.step}:${change.knob}`, change);
  return [...last.values()].sort((a, b) => a.step - b.step || KNOBS.indexOf(a.knob) - KNOBS.indexOf(b.knob));
}

/**
 * Adds a change turned now: at `step`, replacing a change of the same knob at that step. Returns the new schedule
 * (sorted). Refuses a change at a step earlier than one already in it: a run cannot take a change in its past.
 */
export function withChange(schedule: readonly KnobChange[], change: KnobChange): KnobChange[] {
  return sortedSchedule([...schedule, canonicalChange(change)]);
}

export interface ScheduleProblem {
  /** The change as written, for the message. */
  text: string;
  message: string;
}

/** Reads a link's `knobs=` against the experiment it belongs to; every refused change is named and left out. */
export function parseSchedule(
  text: string,
  config: ExperimentConfig,
): { schedule: KnobChange[]; problems: ScheduleProblem[] } {
  const problems: ScheduleProblem[] = [];
  const schedule: KnobChange[] = [];
  const parts = text.split(';').filter((p) => p !== '');
  const sides = sidesOf(config);
  for (const [i, part] of parts.entries()) {
    if (i >= MAX_KNOB_CHANGES) {
      problems.push({
        text: part,
        message: `a schedule has at most ${MAX_KNOB_CHANGES} changes; this one and the ${parts.length - i - 1} after it were left out`,
      });
      break;
    }
    const refuse = (why: string) => problems.push({ text: part, message: `${why}; that change was left out` });
    const match = /^(\d{1,6}):([A-Za-z0-9]+)=(.*)$/.exec(part);
    if (!match) {
      refuse(`a change is written STEP:KNOB=VALUE (e.g. 120:lr=0.01), with KNOB one of ${KNOBS.join(', ')}`);
      continue;
    }
    const [, stepText = '', knobText = '', value = ''] = match;
    const step = Number(stepText);
    if (!(KNOBS as readonly string[]).includes(knobText)) {
      refuse(`'${knobText}' is not a knob; allowed: ${KNOBS.join(', ')}`);
      continue;
    }
    const knob = knobText as KnobId;
    if (step >= config.steps) {
      refuse(`step ${step} is not before the last step (${config.steps}); a change takes effect after its step`);
      continue;
    }
    if (knob === 'lr') {
      const lr = parseDecimal(value);
      if (lr === null || !FIELD_SPECS.lr.schema.safeParse(lr).success) {
        refuse(`the learning rate must be ${FIELD_SPECS.lr.allowed}`);
        continue;
      }
      schedule.push({ step, knob, lr });
      continue;
    }
    if (!sides.includes(CLIP_KNOB_SIDE[knob])) {
      refuse(`${knob} turns the ${CLIP_KNOB_SIDE[knob]} run, which this experiment does not train`);
      continue;
    }
    const clip = parseClipText(value);
    if (!clip.ok) {
      refuse(clip.message);
      continue;
    }
    schedule.push({ step, knob, clip: clip.clip });
  }
  const sorted = sortedSchedule(schedule);
  if (sorted.length < schedule.length)
    problems.push({ text, message: 'a knob was turned twice at one step; the last value was used' });
  return { schedule: sorted, problems };
}

/** Words for a knob, as a sentence names it. */
export function knobWords(knob: KnobId): string {
  switch (knob) {
    case 'lr':
      return 'the learning rate';
    case 'clip':
      return "the clipped run's clipping";
    case 'baseClip':
      return "the baseline's clipping";
    case 'run3':
      return "the third run's clipping";
    case 'run4':
      return "the fourth run's clipping";
  }
}
