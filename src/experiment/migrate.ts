/**
 * Upgrades the parameters of links written by older versions of the lab, one
 * version at a time, so a link shared today still opens after the format grows.
 * Each step maps the raw key/value pairs of version n to those of n + 1.
 */
import { CONFIG_VERSION } from './config.ts';

export type RawParams = Map<string, string>;
type Migration = (params: RawParams) => RawParams;

/** MIGRATIONS[n] upgrades a version-n link to version n + 1. */
const MIGRATIONS: Record<number, Migration> = {
  // Version 0 is the unversioned draft format, in which the clipped side's
  // threshold was called `clipValue`; it became clipMin/clipMax in version 1.
  0: (params) => {
    const out = new Map(params);
    const value = out.get('clipValue');
    if (value !== undefined) {
      out.delete('clipValue');
      if (!out.has('clipMax')) out.set('clipMax', value);
      if (!out.has('clipMin') && /^[0-9.eE+]+$/.test(value)) out.set('clipMin', `-${value}`);
    }
    return out;
  },
};

export function migrate(params: RawParams, fromVersion: number): RawParams {
  let current = params;
  for (let v = fromVersion; v < CONFIG_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration from link version ${v}`);
    current = step(current);
  }
  return current;
}
