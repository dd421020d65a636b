/**
 * Random and hostile experiment links, for the fuzz tests of the decoder, the
 * CLI and the page: garbage, huge and negative numbers, NaN, script and HTML
 * fragments, very long strings, unknown versions, repeated and unknown keys.
 */
import fc from 'fast-check';
import { CLIFF_FIELDS } from '../../src/experiment/cliff.ts';
import { FIELD_SPECS } from '../../src/experiment/schema.ts';
import { SWEEP_KEYS } from '../../src/experiment/sweep.ts';

const KEYS = [
  'v',
  'preset',
  'lock',
  'page',
  'tour',
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
  ...Object.values(CLIFF_FIELDS).map((f) => f.key),
  ...Object.values(SWEEP_KEYS),
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
  '🙂',
  'undefined',
  'null',
  'true',
  '[]',
  '{}',
];

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
      .map((pairs) =>
        pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&'),
      ),
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

/** A fixed sample (same seed, same links), for tests that drive a browser or a process. */
export function sampleHostileQueries(count: number, seed = 42): string[] {
  return fc.sample(hostileQuery, { numRuns: count, seed });
}
