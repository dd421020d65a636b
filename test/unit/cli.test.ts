/** The gradlab command, end to end: a real process for exit codes, in-process for the CSV. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { decodeExperiment } from '../../src/experiment/urlCodec.ts';
import { at } from '../support/at.ts';
import { sampleHostileQueries } from '../support/hostileLinks.ts';
import { runCli } from '../../src/cli/gradlab.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function gradlab(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/gradlab.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gradlab CLI', () => {
  it('runs a shared link end to end: progress, one summary line per run, every step as CSV', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'gradlab-')), 'dense.csv');
    const lines: string[] = [];
    const code = await runCli(
      [
        'run',
        'https://gradient-lab.example/#v=1&preset=dense-explode&steps=40&seed=0',
        '--out',
        out,
        '--backend',
        'cpu',
      ],
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    expect(lines).toContain('baseline (no clipping): diverged at step 5: the loss became Infinity');
    expect(lines.some((l) => /^clipped \(clip by value to \[-1, 1\]\): finished 40 steps, final loss \d/.test(l))).toBe(
      true,
    );
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(at(csv, 0, 'header').startsWith('run,clip,step,epoch,loss,accuracy,global_norm_pre')).toBe(true);
    expect(csv).toHaveLength(1 + 5 + 40); // header, 5 baseline steps, 40 clipped steps
    expect(at(csv, 1, 'row').startsWith('baseline,none,1,1,')).toBe(true);
  });

  it('trains an MNIST link and reports test accuracy (real process)', () => {
    const { code, stdout } = gradlab('run', 'v=1&preset=lstm-tf&steps=10&trainSize=320&testSize=100&pair=0');
    expect(code).toBe(0);
    expect(stdout).toMatch(/backend: wasm/);
    expect(stdout).toMatch(
      /clipped \(clip by value to \[-1, 1\]\): finished 10 steps, final loss [\d.]+, test accuracy [\d.]+% on 100 held-out digits/,
    );
  });

  it.each([
    ['v=1&hidden=-3', 'hidden=-3', 'an integer from 1 to 512'],
    ['v=1&clip=<img src=x onerror=alert(1)>', 'clip=<img src=x onerror=alert(1)>', 'one of none, value, norm'],
    ['v=1&clipMin=3&clipMax=1', 'clipMin', 'clip min (3) is greater than clip max (1)'],
    ['v=1&bogus=1', 'bogus=1', 'unknown parameter'],
  ])('rejects %s with a message naming the parameter and a non-zero exit', (link, named, allowed) => {
    const { code, stderr } = gradlab('run', link);
    expect(code).toBe(2);
    expect(stderr).toContain(named);
    expect(stderr).toContain(allowed);
  });

  it('rejects bad usage with exit 2', () => {
    expect(gradlab('fly').code).toBe(2);
    expect(gradlab('run').code).toBe(2);
    expect(gradlab('run', 'v=1', '--side', 'left').stderr).toContain('allowed: both, clipped, baseline');
  });

  it("refuses the fuzz test's hostile links with exit code 2, naming a refused parameter, and trains nothing", async () => {
    const refused = sampleHostileQueries(400, 11).filter(
      (q) => !q.startsWith('-') && decodeExperiment(q).issues.length > 0,
    );
    expect(refused.length).toBeGreaterThan(200);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const query of refused) {
        const lines: string[] = [];
        errors.mockClear();
        expect(await runCli(['run', query], (l) => lines.push(l)), query).toBe(2);
        expect(lines, query).toEqual([]);
        const message = errors.mock.calls.map((c) => String(c[0])).join('\n');
        expect(message, query).toContain(at(decodeExperiment(query).issues, 0, 'issue').param);
      }
    } finally {
      errors.mockRestore();
    }
  });
});
