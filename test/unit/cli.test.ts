/** The gradlab command, end to end: a real process for exit codes, in-process for the CSV. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

/** A dense run of 100,000 steps in a real process, writing its CSV to a fresh folder. */
function startLongRun(file: string) {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'gradlab-')), file);
  const args = ['run', 'v=1&preset=dense-explode&pair=0&steps=100000', '--out', out, '--backend', 'cpu'];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/gradlab.mjs'), ...args], { cwd: ROOT });
  return { out, child };
}

/** Waits (at most 90 s) until the CSV holds `rows` rows after its header. */
async function rowsWritten(out: string, rows: number): Promise<void> {
  const onDisk = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 2 : 0);
  const deadline = Date.now() + 90_000;
  while (onDisk() < rows && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
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
    // 40 steps are 5 epochs of 8 batches: the summary names the epoch loss, over every row, as the tutorial does.
    expect(
      lines.some((l) =>
        /^clipped \(clip by value to \[-1, 1\]\): finished 40 steps, epoch 5 loss [\d.e+]+ \(over every row\), last batch loss [\d.e+]+$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(lines.some((l) => /^clipped +step +40\/40 +elapsed [\d.]+ s +eta - +loss/.test(l))).toBe(true);
    expect(lines).toContain("progress: loss is the batch's; the gradient norm is the global one, before clipping");
    expect(lines.some((l) => /^trained 45 steps in [\d.]+ s: [\d.]+ ms a step on cpu$/.test(l))).toBe(true);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(at(csv, 0, 'header').startsWith('run,clip,step,epoch,batch_loss,batch_accuracy,global_grad_norm_pre')).toBe(
      true,
    );
    expect(csv).toHaveLength(1 + 5 + 40); // header, 5 baseline steps, 40 clipped steps
    expect(at(csv, 1, 'row').startsWith('baseline,none,1,1,')).toBe(true);
  });

  it('trains an MNIST link and reports test accuracy (real process)', () => {
    const { code, stdout } = gradlab('run', 'v=1&preset=lstm-tf&steps=10&trainSize=320&testSize=100&pair=0');
    expect(code).toBe(0);
    expect(stdout).toMatch(/backend: wasm/);
    expect(stdout).toMatch(
      /clipped \(clip by value to \[-1, 1\]\): finished 10 steps, last batch loss [\d.]+, test accuracy [\d.]+% on 100 held-out digits \(after step 10\)/,
    );
    expect(stdout).toMatch(/ms a step on wasm; evaluation [\d.]+ s apart/);
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

  it('writes the test accuracy into the CSV on the evaluated steps only', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'gradlab-')), 'lstm.csv');
    const link = 'v=1&preset=lstm-tf&steps=4&evalEvery=2&trainSize=128&testSize=100&pair=0&hidden=8';
    expect(await runCli(['run', link, '--out', out, '--backend', 'cpu'], () => {})).toBe(0);
    const [header = '', ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const column = header.split(',').indexOf('test_accuracy');
    expect(column).toBeGreaterThan(0);
    const cells = rows.map((r) => r.split(',')[column]);
    expect(cells.map((c) => c !== '')).toEqual([false, true, false, true]);
    expect(Number(cells[1])).toBeGreaterThanOrEqual(0);
  });

  it('never evaluates a diverged run: the adding problem unclipped overflows at step 31 and has no test MSE after it', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'gradlab-')), 'adding.csv');
    const lines: string[] = [];
    const link = 'v=1&preset=adding&steps=100&trainSize=1000&testSize=100&evalEvery=20&pair=0&clip=none';
    expect(await runCli(['run', link, '--out', out, '--backend', 'cpu'], (l) => lines.push(l))).toBe(0);
    expect(lines).toContain('clipped (no clipping): diverged at step 31: the gradient became Infinity');
    expect(lines.some((l) => /test (mse|MSE)/.test(l) && !/^clipped +step +20\//.test(l))).toBe(false);
    const [header = '', ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const column = header.split(',').indexOf('test_loss');
    const evaluated = rows.filter((r) => r.split(',')[column] !== '').map((r) => Number(r.split(',')[2]));
    expect(rows).toHaveLength(31);
    expect(evaluated).toEqual([20]);
  });

  it('refuses an output path it cannot write before any training, in one line', () => {
    const { code, stdout, stderr } = gradlab('run', 'v=1&preset=dense-explode', '--out', '/no/such/folder/run.csv');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'gradlab: cannot write --out /no/such/folder/run.csv: its folder does not exist. Choose a file in a folder you can write to.',
    );
    expect(stdout).toBe(''); // not even the backend was started
    const folder = mkdtempSync(path.join(tmpdir(), 'gradlab-'));
    expect(gradlab('run', 'v=1', '--out', folder).stderr).toContain('it is a folder');
  });

  it('prints an unexpected error in at most two short lines, and its stack only with --verbose', async () => {
    const huge = new Error(`${'function(){var a=minified;'.repeat(1600)}\n${'more source'.repeat(100)}`);
    const errors: string[] = [];
    const loadData = () => Promise.reject(huge);
    expect(await runCli(['run', 'v=1&steps=3'], () => {}, { error: (l) => errors.push(l), loadData })).toBe(1);
    expect(errors).toHaveLength(2);
    expect(errors.every((l) => l.length <= 240)).toBe(true);
    expect(errors[0]).toMatch(/^gradlab: unexpected error: function\(\)\{var a=minified;.*…$/);
    const verbose: string[] = [];
    await runCli(['run', 'v=1&steps=3', '--verbose'], () => {}, { error: (l) => verbose.push(l), loadData });
    expect(verbose[1]).toContain('at ');
  });

  it('keeps every finished step of a killed run, each a whole row, and at most the row being written cut short', async () => {
    const { out, child } = startLongRun('killed.csv');
    await rowsWritten(out, 300);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const text = readFileSync(out, 'utf8');
    const [header = '', ...rows] = text.split('\n');
    // The file ends with a whole row and its newline, or, when the kill struck inside that row's write (Linux stops
    // a write to a file at a page boundary on SIGKILL), with the first part of the next step's row and no newline.
    const tail = rows.pop() ?? '';
    const next = `clipped,value,${rows.length + 1},`;
    expect(tail === '' || next.startsWith(tail) || tail.startsWith(next), `the file's tail: ${tail}`).toBe(true);
    expect(rows.length).toBeGreaterThanOrEqual(300);
    const width = header.split(',').length;
    rows.forEach((row, k) => {
      const cells = row.split(',');
      expect(cells).toHaveLength(width);
      expect(cells[2], `row ${k + 1}`).toBe(String(k + 1)); // steps 1, 2, 3, ... with none missing
    });
  });

  it('ends cleanly on Ctrl-C: a summary, a whole CSV, exit 130', async () => {
    const { out, child } = startLongRun('interrupted.csv');
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await rowsWritten(out, 50);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(130);
    expect(stdout).toMatch(/clipped \(clip by value to \[-1, 1\]\): interrupted after \d+ steps, epoch \d+ loss/);
    const rows = readFileSync(out, 'utf8').split('\n');
    expect(rows.pop()).toBe('');
    const stepsLine = /interrupted after (\d+) steps/.exec(stdout);
    expect(rows.length - 1).toBe(Number(stepsLine?.[1])); // every trained step has its row
  });

  it('narrates in words with --narrate: events as they happen, a paragraph per run, the pair compared', async () => {
    const lines: string[] = [];
    const link = 'v=1&preset=dense-explode&steps=24';
    expect(await runCli(['run', link, '--narrate', '--backend', 'cpu'], (l) => lines.push(l))).toBe(0);
    expect(lines).toContain(
      'baseline > Step 5: the loss became Infinity: the numbers overflowed float32 and the run stopped.',
    );
    expect(lines.some((l) => l.startsWith('clipped  > Step 1: clipping acted for the first time:'))).toBe(true);
    expect(lines).toContain(
      'the pair: The unclipped run diverged at step 5; the clipped run, from the same weights and batches, stayed finite for all its 24 steps, and its batch loss fell from 23700 to about 770.',
    );
  });

  it('describes every option, and where the columns are explained', () => {
    const help = gradlab('run', '--help');
    expect(help.code).toBe(2);
    for (const option of [
      '--out',
      '--side',
      '--backend',
      '--every',
      '--verbose',
      'docs/METRICS.md',
      'gradlab metrics',
      'Columns: run (baseline,',
    ]) {
      expect(help.stderr).toContain(option);
    }
    expect(gradlab('--help').stderr).toContain('metrics          list every CSV column');
  });

  it("explains every column a run's CSV has: each matches a row of `gradlab metrics`", async () => {
    const metrics = gradlab('metrics');
    expect(metrics.code).toBe(0);
    // The first table lists the columns written; a second one, after a blank line, the retired ones.
    const [head = '', rule = '', ...rows] = (metrics.stdout.trim().split('\n\n')[0] ?? '').split('\n');
    expect(head).toMatch(/^\| column \|/);
    expect(rule).toMatch(/^\|---/);
    // A row's column is a name or a template: {layer} is a layer's name (fc1, rnn0, out), {param} a parameter's
    // (rnn0.W_hh, out.bias), {l} and {t} numbers.
    const PLACEHOLDERS: Record<string, string> = {
      layer: '[a-z]+\\d*',
      param: '[a-z]+\\d*\\.[A-Za-z]+(?:_[a-z]+)?',
      l: '\\d+',
      t: '\\d+',
    };
    const templates = rows.map((row) => {
      const name = /^\| `([^`]+)`/.exec(row)?.[1];
      if (!name) throw new Error(`a row without a column name: ${row}`);
      const pattern = name
        .split(/(\{[a-z]+\})/)
        .map((part) => {
          const key = /^\{([a-z]+)\}$/.exec(part)?.[1];
          if (key === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          const placeholder = PLACEHOLDERS[key];
          if (!placeholder) throw new Error(`unknown placeholder {${key}} in ${name}`);
          return placeholder;
        })
        .join('');
      return new RegExp(`^${pattern}$`);
    });
    const folder = mkdtempSync(path.join(tmpdir(), 'gradlab-'));
    const links = [
      'v=1&preset=dense-explode&steps=2&pair=0',
      'v=1&preset=rnn-scale&steps=2&trainSize=100&testSize=100&hidden=8&pair=0&hiddenGradEvery=1&batch=16',
      'v=1&preset=lstm-tf&steps=1&trainSize=100&testSize=100&hidden=8&pair=0&batch=16&layers=2',
    ];
    for (const [k, link] of links.entries()) {
      const out = path.join(folder, `${k}.csv`);
      expect(await runCli(['run', link, '--out', out, '--backend', 'cpu'], () => {})).toBe(0);
      const header = at(readFileSync(out, 'utf8').split('\n'), 0, 'header').split(',');
      // The first two are gradlab's own, named in `gradlab run --help`: which run of the pair, and its clipping.
      expect(header.slice(0, 2)).toEqual(['run', 'clip']);
      const unexplained = header.slice(2).filter((column) => !templates.some((t) => t.test(column)));
      expect(unexplained, link).toEqual([]);
      expect(header.length, link).toBeGreaterThan(20);
    }
  });

  it("never prints TensorFlow.js's advice to install tfjs-node: neither on the CPU backend nor when timing both", () => {
    for (const backend of [['--backend', 'cpu'], ['--backend', 'wasm'], []]) {
      const { code, stdout, stderr } = gradlab('run', 'v=1&preset=dense-explode&steps=3&pair=0', ...backend);
      expect(code).toBe(0);
      expect(stdout).toMatch(/finished 3 steps/);
      for (const text of [stdout, stderr]) {
        expect(text).not.toMatch(/looks like you are running TensorFlow\.js in Node/i);
        expect(text).not.toContain('tfjs-node');
      }
      expect(stderr).toBe('');
    }
  });

  it('sweeps learning rates x thresholds in one batched run: the map, and a CSV row per cell', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'gradlab-')), 'sweep.csv');
    const lines: string[] = [];
    const link = 'v=1&preset=dense-explode';
    const args = ['sweep', link, '--lr', '0.01:0.1:2', '--clip', '1:10:2', '--steps', '16', '--out', out];
    expect(await runCli([...args, '--verbose'], (l) => lines.push(l))).toBe(0);
    expect(lines).toContain(
      'sweep: 2 learning rates x 2 thresholds (value) + no clipping = 6 cells, 16 steps each, trained together',
    );
    expect(lines.some((l) => /^6 cells x 16 steps in [\d.]+ s$/.test(l))).toBe(true);
    // lr 0.1 unclipped explodes (the tutorial's 0.07 does at step 5).
    expect(lines.some((l) => /^0\.1 .* x\d+$/.test(l))).toBe(true);
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('lr,clip,diverged_at,final_loss,min_loss,test_accuracy,steps');
    expect(rows.map((r) => r.split(',').slice(0, 2).join(','))).toEqual([
      '0.01,1',
      '0.01,10',
      '0.01,none',
      '0.1,1',
      '0.1,10',
      '0.1,none',
    ]);
    const unclipped = at(rows, 5, 'row').split(',');
    expect(Number(unclipped[2])).toBeGreaterThan(0); // diverged_at
    expect(unclipped[3]).toBe(''); // no final loss for a diverged cell
  });

  it.each([
    [['--lr', '0.1:0.01:4', '--clip', '1:10:2'], '--lr 0.1:0.01:4: the range is empty (A = 0.1 is above B = 0.01)'],
    [['--lr', '0.001:0.1:1000', '--clip', '1:10:1000'], '--lr 0.001:0.1:1000: N must be an integer from 1 to 12'],
    [['--lr', '0.01:0.1:2', '--clip', '1:10:13'], '--clip 1:10:13: N must be an integer from 1 to 12 (a 12 x 12 grid'],
    [['--lr', '0.01:0.1:2', '--clip', '1:10:2', '--steps', '0'], '--steps 0: allowed: an integer from 1 to 100000'],
    [['--lr', '0.01:0.1:2'], "'sweep' needs --lr A:B:N and --clip A:B:N"],
    [['--lr', 'fast', '--clip', '1:10:2'], '--lr fast: write it as A:B:N'],
  ])('refuses a bad sweep (%j) naming the parameter and the limit, before training', async (options, message) => {
    const errors: string[] = [];
    const lines: string[] = [];
    const code = await runCli(['sweep', 'v=1&preset=dense-explode', ...options], (l) => lines.push(l), {
      error: (l) => errors.push(l),
    });
    expect(code).toBe(2);
    expect(errors[0]).toContain(message);
    expect(lines).toEqual([]);
  });

  it('sweeps a recurrent net one cell at a time: test accuracy in the CSV; refuses clip=none and a refused link', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'gradlab-')), 'lstm.csv');
    const lines: string[] = [];
    const link = 'v=1&preset=lstm-tf&hidden=8&batch=16&trainSize=100&testSize=100';
    const grid = ['--lr', '0.001:0.01:2', '--clip', '1:1:1'];
    expect(await runCli(['sweep', link, ...grid, '--steps', '3', '--out', out], (l) => lines.push(l))).toBe(0);
    expect(lines).toContain(
      'sweep: 2 learning rates x 1 thresholds (value) + no clipping = 4 cells, 3 steps each, one at a time (model=lstm: batched sweeps train the dense net only)',
    );
    expect(lines).toContain('test accuracy per cell:');
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('lr,clip,diverged_at,final_loss,min_loss,test_accuracy,steps');
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const [, , divergedAt, finalLoss, , accuracy, steps] = row.split(',');
      expect(divergedAt).toBe('');
      expect(Number(finalLoss)).toBeGreaterThan(0);
      // A share of the 100 test digits.
      expect(Math.abs(Number(accuracy) * 100 - Math.round(Number(accuracy) * 100))).toBeLessThan(1e-9);
      expect(Number(accuracy)).toBeLessThanOrEqual(1);
      expect(steps).toBe('3');
    }
    const errors: string[] = [];
    const error = (l: string) => errors.push(l);
    expect(await runCli(['sweep', 'v=1&clip=none', ...grid], () => {}, { error })).toBe(2);
    expect(errors.at(-1)).toMatch(/^gradlab: clip=none: the sweep varies the threshold/);
    expect(await runCli(['sweep', 'v=1&hidden=-3', ...grid], () => {}, { error })).toBe(2);
    expect(errors.at(-1)).toContain('hidden=-3');
  });

  it('rejects bad usage with exit 2', () => {
    expect(gradlab('fly').code).toBe(2);
    expect(gradlab('run').code).toBe(2);
    expect(gradlab('run', 'v=1', '--side', 'left').stderr).toContain(
      'allowed: both (every run), baseline, clipped, third, fourth',
    );
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
