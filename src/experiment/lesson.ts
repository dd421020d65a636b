/**
 * A lesson a teacher writes for any experiment: a title, what to look for, and an optional question with two to
 * four choices that the student answers before Play. It travels in the link (keys below), is shown like a tour
 * lesson (ui/TeacherLesson.tsx), and survives locking like the rest of the view.
 *
 *   title=Why clip?            at most 80 characters
 *   look=Watch the red run...  at most 400
 *   ask=Which run ends lower?  at most 200; needs two to four choices
 *   a1=..., a2=..., a3=..., a4=...   the choices, at most 60 each
 *   judge=lower-clipped,-      what each choice stands for, in order: an outcome the lab judges (OUTCOMES), or `-`
 *                              for a free choice the lab does not judge
 *
 * The text is plain text: it is only ever rendered as React text, never as markup. Reading it, tabs and line
 * breaks become spaces and control characters (C0, DEL, C1), bidi embeddings, overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069), the byte-order mark and lone surrogates are removed: the text is used without them and the link's
 * issues say so, naming the key. A text over its limit is refused (left out), with an issue naming the key. Pure: no
 * DOM, no React.
 */
import type { RunSide } from './config.ts';
import { RUN_SIDES } from './config.ts';

export const LESSON_LIMITS = { title: 80, look: 400, ask: 200, choice: 60 } as const;
export const MIN_CHOICES = 2;
export const MAX_CHOICES = 4;

export const LESSON_TEXT_KEYS = { title: 'title', look: 'look', ask: 'ask' } as const;
export const CHOICE_KEYS = ['a1', 'a2', 'a3', 'a4'] as const;
export const JUDGE_KEY = 'judge';
/** Every key a lesson may write, for the codec's list of known keys. */
export const LESSON_KEYS: readonly string[] = [...Object.values(LESSON_TEXT_KEYS), ...CHOICE_KEYS, JUDGE_KEY];

/** The mark a free choice has in `judge=`. */
export const FREE_CHOICE = '-';

/**
 * What a choice can stand for, as the lab can judge it after the runs from its own figures (present/lessonOutcome.ts):
 * a run ends best (lowest final loss, or test MSE, or highest test accuracy, as the narrator ranks them), a run
 * diverges, every run stays finite, every run diverges, or the runs end close (within 5% of each other).
 */
export type Outcome =
  | { kind: 'best'; side: RunSide }
  | { kind: 'diverges'; side: RunSide }
  | { kind: 'none-diverge' }
  | { kind: 'all-diverge' }
  | { kind: 'close' };

export interface LessonChoice {
  text: string;
  /** What the choice stands for, when the lab can judge it; null for a free choice. */
  outcome: Outcome | null;
}

export interface LessonQuestion {
  ask: string;
  choices: LessonChoice[];
}

export interface TeacherLesson {
  title: string;
  look: string;
  question: LessonQuestion | null;
}

export const EMPTY_LESSON: TeacherLesson = { title: '', look: '', question: null };

/** An outcome as `judge=` spells it: `lower-clipped`, `diverge-baseline`, `none-diverge`, `all-diverge`, `close`. */
export function outcomeId(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'best':
      return `lower-${outcome.side}`;
    case 'diverges':
      return `diverge-${outcome.side}`;
    default:
      return outcome.kind;
  }
}

/** Every outcome a choice can stand for in an experiment with these runs. */
export function outcomesFor(sides: readonly RunSide[]): Outcome[] {
  const out: Outcome[] = [];
  if (sides.length > 1) for (const side of sides) out.push({ kind: 'best', side });
  for (const side of sides) out.push({ kind: 'diverges', side });
  if (sides.length > 1) out.push({ kind: 'none-diverge' }, { kind: 'all-diverge' }, { kind: 'close' });
  else out.push({ kind: 'none-diverge' });
  return out;
}

export function parseOutcome(id: string): Outcome | null {
  if (id === 'none-diverge' || id === 'all-diverge' || id === 'close') return { kind: id };
  const match = /^(lower|diverge)-(\w+)$/.exec(id);
  const side = RUN_SIDES.find((s) => s === match?.[2]);
  if (!match || !side) return null;
  return match[1] === 'lower' ? { kind: 'best', side } : { kind: 'diverges', side };
}

/** Characters never kept in a lesson's text: controls, bidi embeddings/overrides/isolates, BOM, lone surrogates. */
const REMOVED =
  // eslint-disable-next-line no-control-regex -- finding control characters is what this expression is for
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Whitespace that would break a line: shown as a space. */
const LINE_BREAKS = /[\t\n\r\u2028\u2029]/g;

/** A lesson text with line breaks as spaces and the characters it may not hold removed; `removed` counts them. */
export function cleanLessonText(raw: string): { text: string; removed: number } {
  let removed = 0;
  const text = raw.replace(LINE_BREAKS, ' ').replace(REMOVED, () => {
    removed += 1;
    return '';
  });
  return { text, removed };
}

export interface LessonIssue {
  param: string;
  /** The value as given (the codec shortens it for display). */
  value: string;
  message: string;
}

/** One text field read: cleaned, trimmed, and refused when over its limit. */
function readText(key: string, raw: string | undefined, limit: number, issues: LessonIssue[]): string {
  if (raw === undefined) return '';
  const { text, removed } = cleanLessonText(raw);
  const trimmed = text.trim();
  if (trimmed.length > limit) {
    issues.push({
      param: key,
      value: raw,
      message: `at most ${limit} characters are allowed (this is ${trimmed.length}); it was left out`,
    });
    return '';
  }
  if (removed > 0)
    issues.push({
      param: key,
      value: raw,
      message: `${removed} control or text-direction character${removed === 1 ? ' was' : 's were'} removed; the rest is shown as plain text`,
    });
  return trimmed;
}

/**
 * The lesson a link carries, or null when it carries none. `get` reads a key of the link; `sides` are the runs the
 * experiment trains (an outcome about a run it does not train is refused). Never throws; every refusal names its key.
 */
export function readLesson(
  get: (key: string) => string | undefined,
  sides: readonly RunSide[],
): { lesson: TeacherLesson | null; issues: LessonIssue[] } {
  const issues: LessonIssue[] = [];
  const title = readText(LESSON_TEXT_KEYS.title, get(LESSON_TEXT_KEYS.title), LESSON_LIMITS.title, issues);
  const look = readText(LESSON_TEXT_KEYS.look, get(LESSON_TEXT_KEYS.look), LESSON_LIMITS.look, issues);
  const askRaw = get(LESSON_TEXT_KEYS.ask);
  const ask = readText(LESSON_TEXT_KEYS.ask, askRaw, LESSON_LIMITS.ask, issues);
  const judgeRaw = get(JUDGE_KEY);
  const judges = judgeRaw === undefined ? [] : judgeRaw.split(',');
  const choices: LessonChoice[] = [];
  const givenChoiceKeys: string[] = [];
  for (const [i, key] of CHOICE_KEYS.entries()) {
    const raw = get(key);
    if (raw === undefined) continue;
    givenChoiceKeys.push(key);
    const text = readText(key, raw, LESSON_LIMITS.choice, issues);
    if (text === '') continue;
    if (choices.some((c) => c.text === text)) {
      issues.push({ param: key, value: raw, message: 'the same as an earlier choice; it was left out' });
      continue;
    }
    const judge = (judges[i] ?? FREE_CHOICE).trim();
    let outcome: Outcome | null = null;
    if (judge !== FREE_CHOICE && judge !== '') {
      const parsed = parseOutcome(judge);
      const known = parsed && outcomesFor(sides).some((o) => outcomeId(o) === outcomeId(parsed));
      if (parsed && known) outcome = parsed;
      else
        issues.push({
          param: JUDGE_KEY,
          value: judge,
          message: `allowed for choice ${i + 1}: ${[...outcomesFor(sides).map(outcomeId), FREE_CHOICE].join(', ')}; it was left unjudged`,
        });
    }
    choices.push({ text, outcome });
  }
  if (judges.length > CHOICE_KEYS.length)
    issues.push({
      param: JUDGE_KEY,
      value: judgeRaw ?? '',
      message: `at most ${MAX_CHOICES} entries, one per choice; the rest were ignored`,
    });
  let question: LessonQuestion | null = null;
  if (ask !== '') {
    if (choices.length >= MIN_CHOICES) question = { ask, choices };
    else
      issues.push({
        param: LESSON_TEXT_KEYS.ask,
        value: askRaw ?? '',
        message: `a question needs ${MIN_CHOICES} to ${MAX_CHOICES} choices (a1= to a4=); the question was left out`,
      });
  } else if (givenChoiceKeys.length > 0 && (askRaw === undefined || askRaw.trim() === '')) {
    const key = givenChoiceKeys[0] ?? 'a1';
    issues.push({ param: key, value: get(key) ?? '', message: 'choices need a question (ask=); they were left out' });
  } else if (judgeRaw !== undefined && givenChoiceKeys.length === 0) {
    issues.push({ param: JUDGE_KEY, value: judgeRaw, message: 'judge= needs choices (a1= to a4=); it was ignored' });
  }
  const lesson: TeacherLesson = { title, look, question };
  return { lesson: title === '' && look === '' && question === null ? null : lesson, issues };
}

/** The lesson's keys and values for a link, in order; empty fields and empty choices are left out. */
export function lessonParams(lesson: TeacherLesson | null): [string, string][] {
  if (!lesson) return [];
  const out: [string, string][] = [];
  const title = lesson.title.trim();
  const look = lesson.look.trim();
  if (title !== '') out.push([LESSON_TEXT_KEYS.title, title]);
  if (look !== '') out.push([LESSON_TEXT_KEYS.look, look]);
  const q = lesson.question;
  if (q && q.ask.trim() !== '') {
    out.push([LESSON_TEXT_KEYS.ask, q.ask.trim()]);
    const choices = q.choices.filter((c) => c.text.trim() !== '').slice(0, MAX_CHOICES);
    for (const [i, c] of choices.entries()) out.push([CHOICE_KEYS[i] ?? 'a4', c.text.trim()]);
    if (choices.some((c) => c.outcome !== null))
      out.push([JUDGE_KEY, choices.map((c) => (c.outcome ? outcomeId(c.outcome) : FREE_CHOICE)).join(',')]);
  }
  return out;
}

/** What a lesson in the editor still needs before a student can answer it, in words; null when it is complete. */
export function lessonProblem(lesson: TeacherLesson): string | null {
  const q = lesson.question;
  if (!q) return null;
  const filled = q.choices.filter((c) => c.text.trim() !== '');
  if (q.ask.trim() === '') return 'Write the question, or remove it.';
  if (filled.length < MIN_CHOICES) return `Give at least ${MIN_CHOICES} choices.`;
  const texts = filled.map((c) => c.text.trim());
  if (new Set(texts).size !== texts.length) return 'Two choices say the same thing.';
  return null;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable name for a text (not a secret). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Where a student's prediction for this lesson is kept (the browser's local storage): the same lesson on the same
 * experiment finds its answer again; another question, other choices or another experiment start afresh.
 */
export function predictionKey(lesson: TeacherLesson, experimentQuery: string): string {
  const question = lesson.question;
  const text = JSON.stringify([
    experimentQuery,
    lesson.title,
    question?.ask ?? '',
    question?.choices.map((c) => c.text) ?? [],
  ]);
  return `gradient-lab.prediction.${fnv1a(text)}`;
}
