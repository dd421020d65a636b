/**
 * Experiment <-> link. A link carries readable parameters and a version, e.g.
 * `#v=1&preset=dense-explode&clip=value&clipMax=1&seed=0`; only settings that
 * differ from the named preset are written. Decoding never throws: every
 * unknown, malformed or out-of-range parameter becomes an issue naming the
 * parameter, the value and what is allowed, and the preset's value is used.
 *
 * A teacher's lesson rides along in plain-text keys (`title`, `look`, `ask`, `a1`-`a4`, `judge`; see lesson.ts for
 * their limits): control and text-direction characters are removed (with an issue naming the key), and a text over
 * its limit is refused (left out, with an issue naming the key).
 */
import { CONFIG_VERSION, MAX_RACE_RUNS, sidesOf, type ClipConfig, type ExperimentConfig } from './config.ts';
import { formatClipText, parseClipText } from './clipText.ts';
import { CLIFF_FIELDS, DEFAULT_CLIFF, checkCliffWindow, type CliffConfig } from './cliff.ts';
import { migrate, type RawParams } from './migrate.ts';
import { DEFAULT_PRESET, PRESETS, PRESET_IDS, isPresetId, type PresetId } from './presets.ts';
import { TOUR_LENGTH } from './tour.ts';
import { LESSON_KEYS, lessonParams, readLesson, type TeacherLesson } from './lesson.ts';
import {
  DEFAULT_SWEEP,
  SWEEP_KEYS,
  formatLogRange,
  parseLogRange,
  parseSweepSteps,
  type SweepSettings,
} from './sweep.ts';
import { SCHEDULE_KEY, formatSchedule, parseSchedule } from './schedule.ts';
import { CLIP_FIELD_SPECS, FIELD_SPECS, checkBudget, checkClip, parseDecimal, type FieldSpec } from './schema.ts';

export interface ParamIssue {
  param: string;
  /** The value as given, shortened for display; never interpreted as markup. */
  value: string;
  message: string;
}

/** Groups of settings a teacher's link can lock: students see them read-only, "set by your teacher". */
export const LOCK_GROUPS = ['model', 'data', 'optimizer', 'training', 'clip', 'baseClip', 'cliff'] as const;
export type LockGroup = (typeof LOCK_GROUPS)[number];

/**
 * Ways out of the teacher's experiment a link can take away: the preset menu, the tour's lesson buttons and the
 * page tabs. `lock=all` locks these too; a student link made on the page locks them unless the teacher allows them
 * (experiment/studentLink.ts).
 */
export const NAV_LOCK_GROUPS = ['presets', 'tour', 'pages'] as const;
export type NavLockGroup = (typeof NAV_LOCK_GROUPS)[number];

/** Everything `lock=` can name; `lock=all` is every one of them. */
export const ALL_LOCK_GROUPS = [...LOCK_GROUPS, ...NAV_LOCK_GROUPS] as const;
export type AnyLockGroup = LockGroup | NavLockGroup;

/** What the page shows: the pair of runs, the cliff lesson, or a sweep of learning rates x thresholds. */
export const PAGES = ['runs', 'cliff', 'sweep'] as const;
export type PageId = (typeof PAGES)[number];

export { TOUR_LENGTH };

/** How the page shows an experiment; not part of what is trained. */
export interface ViewOptions {
  locked: AnyLockGroup[];
  page: PageId;
  /** The tour lesson whose text is shown, or null outside the tour. */
  tour: number | null;
  /** The sweep page's grid (sweep.ts): what it trains, not how, so it travels with the link like the page. */
  sweep: SweepSettings;
  /**
   * `embed=1`: the experiment alone, for a frame in another page (a course page, slides): its title, Play, Pause and
   * Reset, the loss and gradient-norm charts, the narrator's line and a link to open it in the lab.
   */
  embed: boolean;
  /**
   * `present=1`: presenter mode, for a projector: the charts first and large, their text at least 20 px and their
   * lines at least 3 px, a chart enlarged on click. How the page looks, not what it trains.
   */
  present: boolean;
  /**
   * A teacher's lesson for this experiment (`title`, `look`, `ask`, `a1`-`a4`, `judge`; lesson.ts), or null. Part of
   * the view, so a student link, an embed link and Reset on a locked page keep it as they keep the locks.
   */
  lesson: TeacherLesson | null;
}

export const DEFAULT_VIEW: ViewOptions = {
  locked: [],
  page: 'runs',
  tour: null,
  sweep: DEFAULT_SWEEP,
  embed: false,
  present: false,
  lesson: null,
};

/** The key that asks for the embedded view. */
export const EMBED_KEY = 'embed';
/** The key that asks for presenter mode. */
export const PRESENT_KEY = 'present';

export interface DecodedExperiment {
  config: ExperimentConfig;
  preset: PresetId;
  view: ViewOptions;
  cliff: CliffConfig;
  issues: ParamIssue[];
}

export type ParseResult =
  { ok: true; config: ExperimentConfig; preset: PresetId } | { ok: false; reason: string; issues: ParamIssue[] };

const MAX_LINK_LENGTH = 4096;
const MAX_SHOWN_VALUE = 40;

type ScalarField = keyof typeof FIELD_SPECS;
type ClipSide = 'clip' | 'baseClip';

/** URL key of every clip field, per side. */
const CLIP_KEYS: Record<ClipSide, Record<keyof ClipConfig, string>> = {
  clip: { mode: 'clip', min: 'clipMin', max: 'clipMax', threshold: 'clipNorm', normType: 'normType' },
  baseClip: {
    mode: 'baseClip',
    min: 'baseClipMin',
    max: 'baseClipMax',
    threshold: 'baseClipNorm',
    normType: 'baseNormType',
  },
};

/** A race's third and fourth runs, each one parameter (see clipText.ts). */
const RACE_KEYS = ['run3', 'run4'] as const;

const SCALAR_FIELDS = Object.keys(FIELD_SPECS) as ScalarField[];
const CLIP_FIELDS = Object.keys(CLIP_FIELD_SPECS) as (keyof ClipConfig)[];
const CLIFF_KEYS = Object.keys(CLIFF_FIELDS) as (keyof CliffConfig)[];
const KNOWN_KEYS = new Set<string>([
  'v',
  'preset',
  'lock',
  'page',
  'tour',
  EMBED_KEY,
  PRESENT_KEY,
  ...CLIFF_KEYS.map((k) => CLIFF_FIELDS[k].key),
  ...SCALAR_FIELDS,
  ...Object.values(CLIP_KEYS.clip),
  ...Object.values(CLIP_KEYS.baseClip),
  ...RACE_KEYS,
  ...Object.values(SWEEP_KEYS),
  SCHEDULE_KEY,
  ...LESSON_KEYS,
]);

function shown(value: string): string {
  return value.length > MAX_SHOWN_VALUE ? `${value.slice(0, MAX_SHOWN_VALUE)}...` : value;
}

/**
 * Which part of the page's address holds its experiment: the hash (`#v=1&...`, what the lab writes) or, for a
 * link written with `?v=1&...`, the query. A query is read only when the hash is empty and the query names the
 * lab's version or preset, so unrelated parameters (a campaign tag, say) never replace the default experiment.
 */
export function linkOfLocation(search: string, hash: string): { query: string; from: 'hash' | 'search' | 'none' } {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h.trim() !== '') return { query: h, from: 'hash' };
  const q = search.startsWith('?') ? search.slice(1) : search;
  if (q.trim() === '') return { query: '', from: 'none' };
  try {
    const params = new URLSearchParams(q);
    if (params.has('v') || params.has('preset')) return { query: q, from: 'search' };
  } catch {
    // An unreadable query is not a link to the lab.
  }
  return { query: '', from: 'none' };
}

/** The query part of a full URL, a `#...`/`?...` fragment, or a bare `a=1&b=2` string. */
export function queryOf(input: string): string {
  const hash = input.indexOf('#');
  if (hash >= 0) return input.slice(hash + 1);
  const question = input.indexOf('?');
  if (question >= 0) return input.slice(question + 1);
  return input;
}

function parseField(spec: FieldSpec, raw: string): { ok: true; value: unknown } | { ok: false } {
  let candidate: unknown = raw;
  if (spec === FIELD_SPECS.pair) {
    if (raw !== '0' && raw !== '1') return { ok: false };
    candidate = raw === '1';
  } else if (spec.choices === undefined) {
    candidate = parseDecimal(raw);
    if (candidate === null) return { ok: false };
  }
  const result = spec.schema.safeParse(candidate);
  return result.success ? { ok: true, value: result.data } : { ok: false };
}

function formatValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

export function decodeExperiment(input: string): DecodedExperiment {
  const issues: ParamIssue[] = [];
  const fallback = (): DecodedExperiment => ({
    config: structuredClone(PRESETS[DEFAULT_PRESET].config),
    preset: DEFAULT_PRESET,
    view: structuredClone(DEFAULT_VIEW),
    cliff: { ...DEFAULT_CLIFF },
    issues,
  });

  if (input.length > MAX_LINK_LENGTH) {
    issues.push({
      param: '(link)',
      value: `${input.length} characters`,
      message: `the link is longer than ${MAX_LINK_LENGTH} characters; the default experiment was opened instead`,
    });
    return fallback();
  }
  let raw: RawParams = new Map();
  const query = queryOf(input.trim());
  let search: URLSearchParams;
  try {
    search = new URLSearchParams(query);
  } catch {
    issues.push({
      param: '(link)',
      value: shown(query),
      message: 'the link could not be read; the default experiment was opened instead',
    });
    return fallback();
  }
  for (const [key, value] of search) {
    if (key === '' && value === '') continue;
    if (raw.has(key))
      issues.push({
        param: key,
        value: shown(value),
        message: `'${shown(key)}' appears more than once; the last value was used`,
      });
    raw.set(key, value);
  }

  // Version: absent means current; older versions are migrated; newer ones are read as far as they go.
  const versionRaw = raw.get('v');
  raw.delete('v');
  let version = CONFIG_VERSION;
  if (versionRaw !== undefined) {
    const n = /^\d{1,4}$/.test(versionRaw) ? Number(versionRaw) : NaN;
    if (!Number.isInteger(n)) {
      issues.push({
        param: 'v',
        value: shown(versionRaw),
        message: `link version must be an integer from 0 to ${CONFIG_VERSION}; read as version ${CONFIG_VERSION}`,
      });
    } else if (n > CONFIG_VERSION) {
      issues.push({
        param: 'v',
        value: shown(versionRaw),
        message: `this link is from a newer version of the lab (v=${n}); it was read as version ${CONFIG_VERSION}, and settings this version does not know were ignored`,
      });
    } else {
      version = n;
    }
  }
  raw = migrate(raw, Math.min(version, CONFIG_VERSION));

  let preset: PresetId = DEFAULT_PRESET;
  const presetRaw = raw.get('preset');
  if (presetRaw !== undefined) {
    if (isPresetId(presetRaw)) preset = presetRaw;
    else
      issues.push({
        param: 'preset',
        value: shown(presetRaw),
        message: `allowed: one of ${PRESET_IDS.join(', ')}; used ${DEFAULT_PRESET}`,
      });
  }
  const config: ExperimentConfig = structuredClone(PRESETS[preset].config);
  const assign = config as unknown as Record<string, unknown>;

  for (const field of SCALAR_FIELDS) {
    const value = raw.get(field);
    if (value === undefined) continue;
    const parsed = parseField(FIELD_SPECS[field], value);
    if (parsed.ok) assign[field] = parsed.value;
    else
      issues.push({
        param: field,
        value: shown(value),
        message: `allowed: ${FIELD_SPECS[field].allowed}; used ${formatValue(assign[field])}`,
      });
  }
  for (const side of ['clip', 'baseClip'] as const) {
    const clip = config[side] as unknown as Record<string, unknown>;
    for (const field of CLIP_FIELDS) {
      const key = CLIP_KEYS[side][field];
      const value = raw.get(key);
      if (value === undefined) continue;
      const parsed = parseField(CLIP_FIELD_SPECS[field], value);
      if (parsed.ok) clip[field] = parsed.value;
      else
        issues.push({
          param: key,
          value: shown(value),
          message: `allowed: ${CLIP_FIELD_SPECS[field].allowed}; used ${formatValue(clip[field])}`,
        });
    }
    const problem = checkClip(config[side]);
    if (problem) {
      const presetClip = PRESETS[preset].config[side];
      // Name the bound the link gave: a link that set only the max must not be told its min is wrong.
      const { min: minKey, max: maxKey } = CLIP_KEYS[side];
      issues.push({
        param: raw.get(minKey) === undefined && raw.get(maxKey) !== undefined ? maxKey : minKey,
        value: shown(`${config[side].min} > ${config[side].max}`),
        message: `${problem}; used ${presetClip.min} to ${presetClip.max}`,
      });
      config[side] = { ...config[side], min: presetClip.min, max: presetClip.max };
    }
  }
  readRace(raw, config, issues);
  // After the race: a choice may stand for an outcome of any run the experiment trains, and of no other.
  const lessonRead = readLesson((key) => raw.get(key), sidesOf(config));
  for (const issue of lessonRead.issues) issues.push({ ...issue, value: shown(issue.value) });
  const view: ViewOptions = { ...structuredClone(DEFAULT_VIEW), lesson: lessonRead.lesson };
  const pageRaw = raw.get('page');
  if (pageRaw !== undefined) {
    if ((PAGES as readonly string[]).includes(pageRaw)) view.page = pageRaw as PageId;
    else
      issues.push({ param: 'page', value: shown(pageRaw), message: `allowed: one of ${PAGES.join(', ')}; used runs` });
  }
  const tourRaw = raw.get('tour');
  if (tourRaw !== undefined) {
    const n = /^\d{1,2}$/.test(tourRaw) ? Number(tourRaw) : NaN;
    if (n >= 1 && n <= TOUR_LENGTH) view.tour = n;
    else
      issues.push({
        param: 'tour',
        value: shown(tourRaw),
        message: `allowed: a lesson number from 1 to ${TOUR_LENGTH}; the tour was not opened`,
      });
  }
  const embedRaw = raw.get(EMBED_KEY);
  if (embedRaw !== undefined) {
    if (embedRaw === '0' || embedRaw === '1') view.embed = embedRaw === '1';
    else
      issues.push({
        param: EMBED_KEY,
        value: shown(embedRaw),
        message: 'allowed: 1 (the experiment alone, for a frame in another page) or 0; the whole page was opened',
      });
  }
  const presentRaw = raw.get(PRESENT_KEY);
  if (presentRaw !== undefined) {
    if (presentRaw === '0' || presentRaw === '1') view.present = presentRaw === '1';
    else
      issues.push({
        param: PRESENT_KEY,
        value: shown(presentRaw),
        message: 'allowed: 1 (presenter mode, for a projector) or 0; the page opened in its usual look',
      });
  }
  view.sweep = readSweep(raw, issues);
  const cliff: CliffConfig = { ...DEFAULT_CLIFF };
  const cliffAssign = cliff as unknown as Record<string, unknown>;
  for (const field of CLIFF_KEYS) {
    const { key, spec } = CLIFF_FIELDS[field];
    const value = raw.get(key);
    if (value === undefined) continue;
    const parsed = parseField(spec, value);
    if (parsed.ok) cliffAssign[field] = parsed.value;
    else
      issues.push({
        param: key,
        value: shown(value),
        message: `allowed: ${spec.allowed}; used ${formatValue(cliffAssign[field])}`,
      });
  }
  const windowProblem = checkCliffWindow(cliff);
  if (windowProblem) {
    issues.push({
      param: 'cliffWMin',
      value: shown(`${cliff.wMin}..${cliff.wMax}, ${cliff.bMin}..${cliff.bMax}`),
      message: `${windowProblem}; the default window was used`,
    });
    Object.assign(cliff, {
      wMin: DEFAULT_CLIFF.wMin,
      wMax: DEFAULT_CLIFF.wMax,
      bMin: DEFAULT_CLIFF.bMin,
      bMax: DEFAULT_CLIFF.bMax,
    });
  }
  const lockRaw = raw.get('lock');
  if (lockRaw !== undefined) {
    const groups = lockRaw === 'all' ? [...ALL_LOCK_GROUPS] : lockRaw.split(',').filter((g) => g !== '');
    for (const group of groups) {
      if ((ALL_LOCK_GROUPS as readonly string[]).includes(group)) {
        if (!view.locked.includes(group as AnyLockGroup)) view.locked.push(group as AnyLockGroup);
      } else {
        issues.push({
          param: 'lock',
          value: shown(group),
          message: `allowed: all, or a comma-separated list of ${ALL_LOCK_GROUPS.join(', ')}; '${shown(group)}' was ignored`,
        });
      }
    }
  }
  for (const key of raw.keys()) {
    if (!KNOWN_KEYS.has(key))
      issues.push({
        param: shown(key),
        value: shown(raw.get(key) ?? ''),
        message: 'unknown parameter; it was ignored',
      });
  }
  const budget = checkBudget(config);
  if (budget) {
    issues.push({ param: 'batch', value: String(config.batch), message: `${budget}; the preset's sizes were used` });
    const base = PRESETS[preset].config;
    config.batch = base.batch;
    config.hidden = base.hidden;
    config.layers = base.layers;
    config.trainSize = base.trainSize;
    config.samples = base.samples;
  }
  // Last: a change is checked against the steps and the runs the experiment ended up with.
  const scheduleRaw = raw.get(SCHEDULE_KEY);
  if (scheduleRaw !== undefined) {
    const { schedule, problems } = parseSchedule(scheduleRaw, config);
    config.schedule = schedule;
    for (const p of problems) issues.push({ param: SCHEDULE_KEY, value: shown(p.text), message: p.message });
  }
  return { config, preset, view, cliff, issues };
}

/** `run3`/`run4`: a race's extra runs. A race needs the pair; a fourth run without a third moves up. */
function readRace(raw: RawParams, config: ExperimentConfig, issues: ParamIssue[]): void {
  const given = RACE_KEYS.filter((key) => raw.has(key));
  if (given.length === 0) return;
  const race: ClipConfig[] = [];
  for (const key of given) {
    const value = raw.get(key) ?? '';
    const parsed = parseClipText(value);
    if (parsed.ok) race.push(parsed.clip);
    else issues.push({ param: key, value: shown(value), message: `${parsed.message}; that run was left out` });
  }
  if (race.length > 0 && !config.pair) {
    issues.push({
      param: given[0] ?? 'run3',
      value: shown(raw.get(given[0] ?? 'run3') ?? ''),
      message: `a race of up to ${MAX_RACE_RUNS} runs needs the pair (pair=1); only the one run was trained`,
    });
    return;
  }
  config.race = race;
}

/** `sweepLr`, `sweepClip` (A:B:N) and `sweepSteps`; a refused one names the limit and falls back to the default. */
function readSweep(raw: RawParams, issues: ParamIssue[]): SweepSettings {
  const sweep: SweepSettings = structuredClone(DEFAULT_SWEEP);
  for (const axis of ['lr', 'clip'] as const) {
    const key = SWEEP_KEYS[axis];
    const value = raw.get(key);
    if (value === undefined) continue;
    const parsed = parseLogRange(value);
    if (parsed.ok) sweep[axis] = parsed.range;
    else
      issues.push({ param: key, value: shown(value), message: `${parsed.why}; used ${formatLogRange(sweep[axis])}` });
  }
  const steps = raw.get(SWEEP_KEYS.steps);
  if (steps !== undefined) {
    const parsed = parseSweepSteps(steps);
    if (parsed.ok) sweep.steps = parsed.steps;
    else
      issues.push({
        param: SWEEP_KEYS.steps,
        value: shown(steps),
        message: `${parsed.why}; used the experiment's steps`,
      });
  }
  return sweep;
}

/** Strict decoding for the CLI: any issue is an error. */
export function parseExperiment(input: string): ParseResult {
  const decoded = decodeExperiment(input);
  if (decoded.issues.length > 0) {
    const reason = decoded.issues.map((i) => `${i.param}=${i.value}: ${i.message}`).join('\n');
    return { ok: false, reason, issues: decoded.issues };
  }
  return { ok: true, config: decoded.config, preset: decoded.preset };
}

/** The link's query (without `#`): version, preset, and every setting that differs from the preset. */
export function encodeExperiment(
  config: ExperimentConfig,
  preset: PresetId,
  view: ViewOptions = DEFAULT_VIEW,
  cliff: CliffConfig = DEFAULT_CLIFF,
): string {
  const base = PRESETS[preset].config;
  const params = new URLSearchParams();
  params.set('v', String(CONFIG_VERSION));
  params.set('preset', preset);
  for (const field of SCALAR_FIELDS) {
    if (config[field] !== base[field]) params.set(field, formatValue(config[field]));
  }
  for (const side of ['clip', 'baseClip'] as const) {
    for (const field of CLIP_FIELDS) {
      if (config[side][field] !== base[side][field])
        params.set(CLIP_KEYS[side][field], formatValue(config[side][field]));
    }
  }
  if (config.race.map(formatClipText).join() !== base.race.map(formatClipText).join())
    for (const [i, clip] of config.race.entries()) params.set(RACE_KEYS[i] ?? 'run4', formatClipText(clip));
  if (config.schedule.length > 0) params.set(SCHEDULE_KEY, formatSchedule(config.schedule));
  if (view.page !== 'runs') params.set('page', view.page);
  if (view.tour !== null) params.set('tour', String(view.tour));
  for (const axis of ['lr', 'clip'] as const) {
    const range = view.sweep[axis];
    if (formatLogRange(range) !== formatLogRange(DEFAULT_SWEEP[axis]))
      params.set(SWEEP_KEYS[axis], formatLogRange(range));
  }
  if (view.sweep.steps !== null) params.set(SWEEP_KEYS.steps, String(view.sweep.steps));
  for (const field of CLIFF_KEYS) {
    if (cliff[field] !== DEFAULT_CLIFF[field]) params.set(CLIFF_FIELDS[field].key, formatValue(cliff[field]));
  }
  if (view.locked.length > 0)
    params.set('lock', ALL_LOCK_GROUPS.every((g) => view.locked.includes(g)) ? 'all' : view.locked.join(','));
  if (view.embed) params.set(EMBED_KEY, '1');
  if (view.present) params.set(PRESENT_KEY, '1');
  for (const [key, value] of lessonParams(view.lesson)) params.set(key, value);
  return params.toString();
}
