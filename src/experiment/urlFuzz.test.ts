import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileQuery } from '../../test/support/hostileLinks.ts';
import { CLIFF_FIELDS, checkCliffWindow, type CliffConfig } from './cliff.ts';
import type { ExperimentConfig } from './config.ts';
import { CLIP_FIELD_SPECS, FIELD_SPECS, checkBudget, checkClip } from './schema.ts';
import { decodeExperiment, encodeExperiment, parseExperiment } from './urlCodec.ts';

function assertValid(config: ExperimentConfig, cliff: CliffConfig): void {
  for (const [field, spec] of Object.entries(FIELD_SPECS)) {
    expect(spec.schema.safeParse(config[field as keyof typeof FIELD_SPECS]).success, field).toBe(true);
  }
  for (const side of ['clip', 'baseClip'] as const) {
    for (const [field, spec] of Object.entries(CLIP_FIELD_SPECS))
      expect(
        spec.schema.safeParse(config[side][field as keyof typeof CLIP_FIELD_SPECS]).success,
        `${side}.${field}`,
      ).toBe(true);
    expect(checkClip(config[side])).toBeNull();
  }
  expect(checkBudget(config)).toBeNull();
  for (const [field, { spec }] of Object.entries(CLIFF_FIELDS))
    expect(spec.schema.safeParse(cliff[field as keyof CliffConfig]).success, field).toBe(true);
  expect(checkCliffWindow(cliff)).toBeNull();
}

describe('fuzzing experiment links', () => {
  it('3,000 random and hostile links: decoding never throws, always yields a valid experiment, and names what it refused', () => {
    fc.assert(
      fc.property(hostileQuery, (query) => {
        const decoded = decodeExperiment(query);
        assertValid(decoded.config, decoded.cliff);
        for (const issue of decoded.issues) {
          expect(issue.value.length).toBeLessThanOrEqual(43);
          expect(issue.param.length).toBeLessThanOrEqual(43);
          expect(issue.message.length).toBeGreaterThan(0);
        }
        // What was opened is itself a clean link that reopens the same experiment.
        const again = decodeExperiment(encodeExperiment(decoded.config, decoded.preset, decoded.view, decoded.cliff));
        expect(again.issues).toEqual([]);
        expect(again.config).toEqual(decoded.config);
        expect(again.cliff).toEqual(decoded.cliff);
        // The CLI's strict reading refuses exactly the links that had issues.
        expect(parseExperiment(query).ok).toBe(decoded.issues.length === 0);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});
