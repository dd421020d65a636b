/**
 * The link codec fuzzed at scale: over 10,000 generated links per run, in three kinds: random and hostile queries,
 * structured hostile values for every key the codec reads (numbers at and past their bounds, clip text for clip,
 * baseClip, run3 and run4, A:B:N ranges for sweepLr and sweepClip, lists for lock, the tour's lesson number, embed, a
 * teacher's lesson text and judge= with scripts, markup, 10 kB, direction overrides, controls and lone surrogates), and
 * any string at all. None throws; each opens a valid experiment; every refusal names its key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEYS, anyString, hostileQuery, structuredQueryFor } from '../../test/support/hostileLinks.ts';
import { CLIFF_FIELDS, checkCliffWindow, type CliffConfig } from './cliff.ts';
import { sidesOf, type ExperimentConfig } from './config.ts';
import { LESSON_LIMITS, MAX_CHOICES, MIN_CHOICES, type TeacherLesson } from './lesson.ts';
import { CLIP_KNOB_SIDE, MAX_KNOB_CHANGES } from './schedule.ts';
import { CLIP_FIELD_SPECS, FIELD_SPECS, checkBudget, checkClip } from './schema.ts';
import { decodeExperiment, encodeExperiment, parseExperiment, queryOf, type ParamIssue } from './urlCodec.ts';

/** What is wrong with a decoded experiment, or [] (plain checks: an `expect` per field would cost most of the run). */
function invalidFields(config: ExperimentConfig, cliff: CliffConfig): string[] {
  const bad: string[] = [];
  for (const [field, spec] of Object.entries(FIELD_SPECS))
    if (!spec.schema.safeParse(config[field as keyof typeof FIELD_SPECS]).success) bad.push(field);
  for (const side of ['clip', 'baseClip'] as const) {
    for (const [field, spec] of Object.entries(CLIP_FIELD_SPECS))
      if (!spec.schema.safeParse(config[side][field as keyof typeof CLIP_FIELD_SPECS]).success)
        bad.push(`${side}.${field}`);
    if (checkClip(config[side]) !== null) bad.push(side);
  }
  for (const [i, clip] of config.race.entries()) if (checkClip(clip) !== null) bad.push(`race.${i}`);
  if (config.schedule.length > MAX_KNOB_CHANGES) bad.push('schedule length');
  for (const change of config.schedule) {
    if (!Number.isInteger(change.step) || change.step < 0 || change.step >= config.steps) bad.push('schedule step');
    if (change.knob === 'lr' ? !FIELD_SPECS.lr.schema.safeParse(change.lr).success : checkClip(change.clip) !== null)
      bad.push(`schedule ${change.knob}`);
    if (change.knob !== 'lr' && !sidesOf(config).includes(CLIP_KNOB_SIDE[change.knob])) bad.push('schedule side');
  }
  if (checkBudget(config) !== null) bad.push('budget');
  for (const [field, { spec }] of Object.entries(CLIFF_FIELDS))
    if (!spec.schema.safeParse(cliff[field as keyof CliffConfig]).success) bad.push(field);
  if (checkCliffWindow(cliff) !== null) bad.push('cliff window');
  return bad;
}

/** Written out here, apart from lesson.ts, so a character the codec forgets to remove is caught. */
const FORBIDDEN_IN_LESSON =
  // eslint-disable-next-line no-control-regex -- finding control characters is what this expression is for
  /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A lesson as opened: every text within its limit, free of controls and direction overrides; 2-4 choices. */
function lessonProblems(lesson: TeacherLesson | null): string[] {
  if (!lesson) return [];
  const bad: string[] = [];
  const texts: [string, string, number][] = [
    ['title', lesson.title, LESSON_LIMITS.title],
    ['look', lesson.look, LESSON_LIMITS.look],
  ];
  if (lesson.question) {
    texts.push(['ask', lesson.question.ask, LESSON_LIMITS.ask]);
    for (const c of lesson.question.choices) texts.push(['choice', c.text, LESSON_LIMITS.choice]);
    const n = lesson.question.choices.length;
    if (n < MIN_CHOICES || n > MAX_CHOICES) bad.push(`lesson with ${n} choices`);
  }
  for (const [name, text, limit] of texts) {
    if (text.length > limit) bad.push(`lesson ${name} over ${limit}`);
    if (FORBIDDEN_IN_LESSON.test(text)) bad.push(`lesson ${name} keeps a control or direction character`);
  }
  return bad;
}

/**
 * Checks over several keys name one of them: the size budget names batch and the cliff's window cliffWMin, the keys
 * whose values they put back, whichever of the sizes or bounds the link gave.
 */
const OVER_SEVERAL = new Set(['(link)', 'batch', 'cliffWMin']);

/** Issues that do not name a key of the link as it was read (cut short as the codec shows long ones). */
function unnamed(query: string, issues: readonly ParamIssue[]): ParamIssue[] {
  let keys: string[] = [];
  try {
    keys = [...new URLSearchParams(queryOf(query.trim())).keys()];
  } catch {
    keys = [];
  }
  const names = new Set(keys.flatMap((k) => [k, k.length > 40 ? `${k.slice(0, 40)}...` : k]));
  return issues.filter((i) => !OVER_SEVERAL.has(i.param) && !names.has(i.param));
}

/** Everything a link must satisfy; returns what failed, in words, so one expect reports it. */
function problems(query: string): string[] {
  const decoded = decodeExperiment(query);
  const out = invalidFields(decoded.config, decoded.cliff).map((f) => `invalid ${f}`);
  for (const issue of decoded.issues) {
    if (issue.value.length > 43 || issue.param.length > 43) out.push(`a long echo in ${JSON.stringify(issue)}`);
    if (issue.message.length === 0) out.push(`no message for ${issue.param}`);
  }
  for (const issue of unnamed(query, decoded.issues)) out.push(`refusal names no key of the link: ${issue.param}`);
  // What was opened is itself a clean link that reopens the same experiment.
  const again = decodeExperiment(encodeExperiment(decoded.config, decoded.preset, decoded.view, decoded.cliff));
  if (again.issues.length > 0) out.push(`its own link has issues: ${again.issues.map((i) => i.param).join()}`);
  if (JSON.stringify(again.config) !== JSON.stringify(decoded.config)) out.push('its own link opens another config');
  if (JSON.stringify(again.cliff) !== JSON.stringify(decoded.cliff)) out.push('its own link opens another cliff');
  if (again.view.embed !== decoded.view.embed) out.push('its own link opens another view (embed)');
  if (JSON.stringify(again.view.lesson) !== JSON.stringify(decoded.view.lesson))
    out.push('its own link opens another lesson');
  out.push(...lessonProblems(decoded.view.lesson));
  // The CLI's strict reading refuses exactly the links that had issues.
  if (parseExperiment(query).ok !== (decoded.issues.length === 0)) out.push('the CLI reads it differently');
  return out;
}

const PER_KEY = 100;

describe('fuzzing experiment links', () => {
  it('5,000 random and hostile links: none throws, each opens a valid experiment, every refusal names its key', () => {
    fc.assert(
      fc.property(hostileQuery, (query) => {
        expect(problems(query), query).toEqual([]);
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it(`structured hostile values for every key (${KEYS.length} keys x ${PER_KEY} links)`, () => {
    expect(KEYS).toEqual(
      expect.arrayContaining([
        'knobs',
        'run3',
        'run4',
        'sweepLr',
        'sweepClip',
        'sweepSteps',
        'tour',
        'embed',
        'title',
        'look',
        'ask',
        'a1',
        'a4',
        'judge',
        'lock',
        'clip',
        'cliffC',
      ]),
    );
    for (const [i, key] of KEYS.entries())
      fc.assert(
        fc.property(structuredQueryFor(key), (query) => {
          expect(problems(query), query).toEqual([]);
        }),
        { numRuns: PER_KEY, seed: 100 + i },
      );
  });

  it('1,500 arbitrary strings, lone surrogates and control characters included, as the whole link', () => {
    fc.assert(
      fc.property(anyString, (query) => {
        expect(problems(query), JSON.stringify(query)).toEqual([]);
      }),
      { numRuns: 1500, seed: 11 },
    );
  });

  it('a refusal that names no key of the link is caught by the check above', () => {
    // The check itself can fail: an issue about a key the link does not have.
    expect(unnamed('#v=1&lr=2', [{ param: 'momentum', value: '', message: 'x' }])).toHaveLength(1);
    expect(unnamed('#v=1&lr=2', [{ param: 'lr', value: '', message: 'x' }])).toHaveLength(0);
  });
});
