/** `gradlab run` over several seeds: a CSV row per run, seed and step, each seed the run of its own seed. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runCli } from './gradlab.ts';

function csvOf(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((r) => r.split(','));
}

const fresh = (name: string) => path.join(mkdtempSync(path.join(tmpdir(), 'gradlab-seeds-')), name);

describe('gradlab run --seeds', () => {
  it('writes a seed column, and each seed trains as the link with that seed would', async () => {
    const link = 'v=1&preset=dense-explode&steps=12&seed=4';
    const out = fresh('seeds.csv');
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    expect(await runCli(['run', link, '--seeds', '3', '--out', out, '--backend', 'cpu'], (l) => lines.push(l))).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const [header = [], ...rows] = csvOf(out);
    expect(header.slice(0, 4)).toEqual(['run', 'clip', 'seed', 'step']);
    expect(lines).toContain('seeds: 3, from seed 4 to 6');
    // Seed k's clipped rows are those of `seed=4+k` trained alone (its own weights and batches), with the seed put in.
    for (const seed of [4, 5, 6]) {
      const alone = fresh(`alone-${seed}.csv`);
      const single = `v=1&preset=dense-explode&steps=12&seed=${seed}`;
      expect(await runCli(['run', single, '--side', 'clipped', '--out', alone, '--backend', 'cpu'], () => {})).toBe(0);
      const [, ...aloneRows] = csvOf(alone);
      const mine = rows
        .filter((r) => r[0] === 'clipped' && r[2] === String(seed))
        .map((r) => [...r.slice(0, 2), ...r.slice(3)]);
      expect(mine).toHaveLength(12);
      expect(mine).toEqual(aloneRows);
    }
    // Every baseline seed overflows (the unclipped tutorial run), so its rows stop at its divergence.
    const baselineSteps = rows.filter((r) => r[0] === 'baseline').length;
    expect(baselineSteps).toBeLessThan(3 * 12);
    expect(lines.find((l) => l.startsWith('seeds: The unclipped run diverged in 3 of 3 seeds'))).toBeDefined();
  });

  it("reads the link's seeds= the same way, and refuses a count out of range before training", async () => {
    const out = fresh('link.csv');
    expect(
      await runCli(
        ['run', 'v=1&preset=dense-explode&pair=0&steps=3&seeds=2', '--out', out, '--backend', 'cpu'],
        () => {},
      ),
    ).toBe(0);
    const [, ...rows] = csvOf(out);
    expect(rows.map((r) => `${r[2]}:${r[3]}`)).toEqual(['0:1', '1:1', '0:2', '1:2', '0:3', '1:3']);
    const errors: string[] = [];
    expect(
      await runCli(['run', 'v=1&preset=dense-explode', '--seeds', '11'], () => {}, { error: (l) => errors.push(l) }),
    ).toBe(2);
    expect(errors.join('\n')).toContain('--seeds 11: allowed: an integer from 1 to 10');
    expect(await runCli(['run', 'v=1&preset=dense-explode&seeds=0'], () => {}, { error: (l) => errors.push(l) })).toBe(
      2,
    );
    expect(errors.join('\n')).toContain('seeds=0: allowed: an integer from 1 to 10');
  });

  it('sweeps every cell over the seeds, with a CSV row per cell saying how many seeds diverged', async () => {
    const out = fresh('sweep.csv');
    const lines: string[] = [];
    const link = 'v=1&preset=dense-explode&seeds=3';
    const args = ['sweep', link, '--lr', '0.07:0.07:1', '--clip', '1:1:1', '--steps', '12', '--out', out];
    expect(await runCli(args, (l) => lines.push(l))).toBe(0);
    const [header = [], ...rows] = csvOf(out);
    expect(header).toEqual([
      'lr',
      'clip',
      'diverged_at',
      'final_loss',
      'min_loss',
      'test_accuracy',
      'steps',
      'seeds',
      'seeds_diverged',
    ]);
    expect(rows.map((r) => [r[1], r[7]])).toEqual([
      ['1', '3'],
      ['none', '3'],
    ]);
    // The same count as three one-seed runs of the link's pair: gradlab run over seeds counts them too.
    const runLines: string[] = [];
    expect(await runCli(['run', `${link}&steps=12`, '--backend', 'cpu'], (l) => runLines.push(l))).toBe(0);
    const said = runLines.find((l) => l.startsWith('seeds: The '));
    const diverged = /unclipped run diverged in (\d) of 3/.exec(said ?? '')?.[1] ?? '0';
    expect(rows.find((r) => r[1] === 'none')?.[8]).toBe(diverged);
    expect(rows.find((r) => r[1] === '1')?.[8]).toBe(/The clipped run diverged in (\d)/.exec(said ?? '')?.[1] ?? '0');
    expect(lines.some((l) => l.includes('3 seeds per cell'))).toBe(true);
  });
});
