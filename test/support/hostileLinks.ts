/**
 * Random and hostile experiment links, for the fuzz tests of the decoder, the
 * CLI and the page: garbage, huge and negative numbers, NaN, script and HTML
 * fragments, very long strings, unknown versions, repeated and unknown keys.
 */
import fc from 'fast-check';
import { CLIFF_FIELDS } from '../../src/experiment/cliff.ts';
import { FIELD_SPECS } from '../../src/experiment/schema.ts';
import { LESSON_KEYS } from '../../src/experiment/lesson.ts';
import { SWEEP_KEYS } from '../../src/experiment/sweep.ts';
import { ALL_LOCK_GROUPS, PAGES } from '../../src/experiment/urlCodec.ts';

export const KEYS = [
  'v',
  'preset',
  'lock',
  'page',
  'tour',
  'embed',
  ...Object.keys(FIELD_SPECS),
  'clip',
  'clipMin',
  'clipMax',
  'clipNorm',
  'normType',
  'baseClip',
  'baseClipMin',
  'baseClipMax',
  'baseClipNorm',
  'baseNormType',
  'run3',
  'run4',
  'knobs',
  ...Object.values(CLIFF_FIELDS).map((f) => f.key),
  ...Object.values(SWEEP_KEYS),
  ...LESSON_KEYS,
  '__proto__',
  'constructor',
  'toString',
  '',
];

const HOSTILE_VALUES = [
  '',
  ' ',
  '-1',
  '0',
  '1e308',
  '-1e308',
  '1e999',
  '9'.repeat(400),
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '١٢٣',
  '1e-400',
  '.',
  '-',
  '+',
  'e5',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert('x')",
  '<svg onload=alert(1)>',
  '%3Cscript%3E',
  '{{constructor.constructor("alert(1)")()}}',
  '__proto__',
  'lstm&model=gru',
  'all',
  'model,clip,nope',
  'norm:1e999',
  'value:1:2:3',
  'global:1:inf:2',
  'value:-0:0',
  'x'.repeat(5000),
  '\u0000',
  '\u202e',
  // A teacher's lesson text (title, look, ask, a1-a4): direction overrides, controls, lone surrogates, 10 kB.
  'Lesson \u202e1 cod.exe',
  '\u2066isolated\u2069 \u202aembedded\u202c',
  'bell\u0007 escape\u001b[31m nul\u0000 del\u007f csi\u009b',
  'lone \ud800 high and \udc00 low',
  '%ED%A0%80 a surrogate spelt in UTF-8',
  'line\nbreak\ttab\u2028sep',
  '\ufeffbom',
  '<b onmouseover=alert(1)>bold</b>',
  'y'.repeat(10_000),
  'z'.repeat(61),
  'w'.repeat(401),
  'lower-clipped,-',
  'lower-third,diverge-fourth,close,none-diverge,all-diverge',
  '-,-,-,-,-',
  '🙂',
  'undefined',
  'null',
  'true',
  '[]',
  '{}',
];

/** Percent-encoded, or as it is where it cannot be (a lone surrogate has no UTF-8: encodeURIComponent throws). */
function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

const value = fc.oneof(
  fc.constantFrom(...HOSTILE_VALUES),
  fc.string({ maxLength: 30 }),
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom(
    'dense',
    'lstm',
    'gru',
    'rnn',
    'value',
    'norm',
    'global',
    'global-tf',
    'none',
    'cliff',
    'runs',
    'dense-explode',
    'lstm-tf',
    '2',
    'inf',
  ),
);
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** A query built from known and unknown keys with hostile values, percent-encoded or raw. */
export const hostileQuery = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(key, value, fc.boolean()), { maxLength: 12 })
      .map((pairs) => pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encoded(k)}=${encoded(v)}`)).join('&')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '#',
      '#&&&',
      '#v=',
      '#v=999999&seed=1',
      '#' + 'a=1&'.repeat(3000),
      '#%',
      '#%E0%A4%A',
      '#v=1&v=2&v=abc',
    ),
  },
);

/** Numbers as a link may spell them: bounds, signs, exponents, padding, and the floating-point edge cases. */
const numberText = fc.oneof(
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.constantFrom(
    '0',
    '-0',
    '+1',
    '1.',
    '.5',
    '0005',
    ' 5',
    '5 ',
    '1e3',
    '1E-3',
    '2e308',
    '5e-324',
    '9007199254740993',
    '2147483648',
    '-2147483649',
    '1/2',
    '1,5',
    '0b11',
    'Infinity',
    'inf',
    '-inf',
  ),
);

/** Clip text (clip, baseClip, run3, run4): mode:threshold, value:min:max, global:threshold:type. */
const clipText = fc
  .tuple(
    fc.constantFrom('none', 'value', 'norm', 'global', 'global-tf', 'Norm', 'clip', '', '<b>'),
    fc.array(fc.oneof(numberText, fc.constantFrom('inf', '2', 'l2', '', '<i>')), { maxLength: 4 }),
  )
  .map(([mode, parts]) => [mode, ...parts].join(':'));

/** A schedule (knobs): STEP:KNOB=VALUE;... with steps past the run, unknown knobs, bad values, missing parts. */
const scheduleText = fc
  .array(
    fc.tuple(
      fc.oneof(numberText, fc.constantFrom('0', '1', '5', '399', '400', '1000000', '')),
      fc.constantFrom('lr', 'clip', 'baseClip', 'run3', 'run4', 'Lr', 'seed', '__proto__', ''),
      fc.oneof(numberText, clipText, fc.constantFrom(...HOSTILE_VALUES)),
      fc.constantFrom(':', '=', '', '::'),
    ),
    { maxLength: 40 },
  )
  .map((changes) => changes.map(([step, knob, v, sep]) => `${step}${sep}${knob}=${v}`).join(';'));

/** A value shaped like what each kind of key reads, then bent: wrong part counts, hostile parts, wrong words. */
const structuredValue = fc.oneof(
  numberText,
  scheduleText,
  clipText,
  // Sweep ranges (sweepLr, sweepClip): A:B:N.
  fc.array(numberText, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(':')),
  // Lists (lock): known groups, unknown ones, empty entries.
  fc
    .array(fc.constantFrom(...ALL_LOCK_GROUPS, ...PAGES, 'all', '', 'nope', '__proto__', '<x>'), { maxLength: 6 })
    .map((groups) => groups.join(',')),
  fc.constantFrom(...HOSTILE_VALUES),
);

/** One known key, repeated or not, with structured hostile values: every key of the link gets its share. */
export function structuredQueryFor(k: string) {
  return fc
    .array(fc.tuple(fc.constantFrom(k, k, k, ...KEYS), structuredValue, fc.boolean()), { minLength: 1, maxLength: 6 })
    .map((pairs) => pairs.map(([key, v, raw]) => (raw ? `${key}=${v}` : `${encoded(key)}=${encoded(v)}`)).join('&'));
}

/** Any string at all, lone surrogates and control characters included, as the whole link. */
export const anyString = fc.string({ unit: 'binary', maxLength: 200 });

/** A fixed sample (same seed, same links), for tests that drive a browser or a process. */
export function sampleHostileQueries(count: number, seed = 42): string[] {
  return fc.sample(hostileQuery, { numRuns: count, seed });
}

/** A fixed sample mixing the three kinds: hostile queries, structured values for every key, and any string. */
export function sampleMixedQueries(count: number, seed = 42): string[] {
  const perKey = fc.constantFrom(...KEYS).chain((k) => structuredQueryFor(k));
  return fc.sample(fc.oneof({ weight: 2, arbitrary: hostileQuery }, { weight: 2, arbitrary: perKey }, anyString), {
    numRuns: count,
    seed,
  });
}
