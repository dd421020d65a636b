/**
 * A smoke run of `npm run bench` (a couple of steps of the small cases), so
 * the benchmark cannot rot: every column runs, counts its kernels, frees its
 * tensors, PyTorch is measured on a named BLAS or says why not, Play-to-first-point is measured on a cold
 * and a warm visit, the table prints.
 */
import { describe, expect, inject, it } from 'vitest';
import { formatReport, runBench } from '../../scripts/bench.ts';
import { casesFor } from '../../src/bench/cases.ts';
import { useBrowser } from './browser.ts';

const browser = useBrowser();

const positiveFinite = (value: number | undefined): boolean =>
  value !== undefined && Number.isFinite(value) && value > 0;

describe('npm run bench (smoke)', () => {
  it('times and counts the kernels of every case in Node and Chromium, frees tensors, prints the table', async () => {
    const report = await runBench({ smoke: true, baseUrl: inject('baseUrl'), browser: browser(), log: () => {} });
    // The smoke cases, in order.
    const expected = casesFor(true).map((c) => c.id);
    expect(report.cases.map((c) => c.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);

    const measured = report.columns.filter((c) => Object.keys(c.results).length > 0);
    const names = measured.map((c) => c.name);
    expect(names).toContain('node wasm');
    expect(names).toContain('node cpu');
    expect(names.some((n) => n.startsWith('chromium webgl'))).toBe(true);
    expect(names.some((n) => n.startsWith('chromium wasm'))).toBe(true);
    expect(names).toContain('chromium cpu');
    // The SIMD cell module binds to tfjs-wasm's heap in Node and in a Chromium worker, not to the threaded build's
    // shared heap, and never on cpu.
    const simd = Object.fromEntries(measured.map((c) => [c.name, c.simdCells]));
    expect(simd['node wasm']).toBe(true);
    expect(measured.find((c) => c.name.startsWith('chromium wasm '))?.simdCells).toBe(true);
    expect(simd['node cpu']).toBe(false);
    expect(simd['chromium cpu']).toBe(false);
    for (const column of measured) {
      for (const id of expected) {
        const step = column.results[id];
        const bare = column.bare?.[id];
        for (const [what, t] of [
          ['step', step],
          ['bare', bare],
        ] as const) {
          expect(t, `${column.name} ${id} ${what}`).toBeDefined();
          expect(positiveFinite(t?.medianMs), `${column.name} ${id} ${what} median`).toBe(true);
          expect(t && t.p25Ms <= t.medianMs && t.medianMs <= t.p75Ms, `${column.name} ${id} ${what} spread`).toBe(true);
          expect(t?.steps, `${column.name} ${id} ${what} steps`).toBe(report.budget.maxSteps);
        }
        const kernels = column.kernels?.[id] ?? 0;
        const bareKernels = column.bareKernels?.[id] ?? 0;
        expect(Number.isInteger(kernels) && kernels > 0, `${column.name} ${id} kernels ${kernels}`).toBe(true);
        expect(bareKernels > 0, `${column.name} ${id} bare kernels`).toBe(true);
        // The lab's metrics cost kernels on top of the bare step's, or none: on cpu and wasm the dense net's are
        // measured inside the clipping's own kernel (issue 23: at most 1.3x the bare step's).
        expect(kernels, `${column.name} ${id}: lab step vs bare`).toBeGreaterThanOrEqual(bareKernels);
        if (id === 'dense' && /wasm|cpu/.test(column.name))
          expect(kernels, `${column.name} dense: lab step vs bare`).toBeLessThanOrEqual(1.3 * bareKernels);
      }
      expect(column.leakedTensors, column.name).toBe(0);
      expect(positiveFinite(column.surfaceMs?.warmMs), `${column.name} surface`).toBe(true);
    }
    // Every column that was not measured says why.
    for (const column of report.columns.filter((c) => Object.keys(c.results).length === 0)) {
      expect(column.note, column.name).toMatch(/\w/);
    }

    // PyTorch: measured on a named, optimised BLAS, or a reason why not.
    const torch = report.torch;
    if ('results' in torch) {
      expect(['openblas', 'mkl', 'blis', 'atlas', 'accelerate', 'unknown']).toContain(torch.blas.kind);
      expect(torch.blas.name).toMatch(/\w/);
      expect(positiveFinite(torch.blas.gflops)).toBe(true);
      expect(torch.threads).toBe(1);
      for (const id of expected) expect(positiveFinite(torch.results[id]?.medianMs), `torch ${id}`).toBe(true);
    } else {
      expect(torch.skipped).toMatch(/\w{3}/);
      if (torch.blas?.kind === 'reference') expect(torch.skipped).toContain('apt-get install libopenblas0-pthread');
    }

    // The page's health is measured (a failure here is a bug in the bench or the page, not a skip).
    expect('skipped' in report.page ? report.page.skipped : '').toBe('');
    if (!('skipped' in report.page)) {
      expect(positiveFinite(report.page.firstJsGzipBytes)).toBe(true);
      // Both scenarios, dense then LSTM, each watched while Pause was clicked now and then.
      expect(report.page.scenarios.map((s) => s.id)).toEqual(['dense', 'lstm']);
      for (const s of report.page.scenarios) {
        expect('skipped' in s ? s.skipped : '', s.id).toBe('');
        if ('skipped' in s) continue;
        expect(positiveFinite(s.coldStartMs), `${s.id} cold start`).toBe(true);
        expect(positiveFinite(s.watchedMs), `${s.id} watched`).toBe(true);
        expect(positiveFinite(s.framesPerSecond), `${s.id} fps`).toBe(true);
        expect(s.stepsTrained, `${s.id} steps trained`).toBeGreaterThan(0);
        expect(Number.isInteger(s.tasksOver50ms) && s.tasksOver50ms >= 0, `${s.id} tasks`).toBe(true);
        expect(Number.isFinite(s.longestTaskMs) && s.longestTaskMs >= 0, `${s.id} longest`).toBe(true);
        // Every click on Pause was timed until its paint, and Event Timing's view of each is kept beside it.
        const { samplesMs, p95Ms, maxMs, eventTimingMs } = s.pause;
        expect(samplesMs.length, `${s.id} Pause clicks`).toBeGreaterThanOrEqual(2);
        expect(samplesMs.every(positiveFinite), `${s.id} Pause samples ${samplesMs.join(', ')}`).toBe(true);
        expect(positiveFinite(p95Ms) && p95Ms <= maxMs, `${s.id} Pause p95 ${p95Ms}, max ${maxMs}`).toBe(true);
        expect(maxMs).toBe(Math.max(...samplesMs));
        expect(eventTimingMs).toHaveLength(samplesMs.length);
        expect(s.pause.frameMs.every(positiveFinite), `${s.id} Pause by frames`).toBe(true);
        expect(
          eventTimingMs.every((d) => d === null || d >= 16),
          `${s.id} Event Timing ${eventTimingMs.join(', ')}`,
        ).toBe(true);
      }
    }

    // Play-to-first-point of the dense pair, on a cold first visit and a warm second one: measured, never skipped.
    const playFirst = report.playFirst;
    expect(playFirst && 'skipped' in playFirst ? playFirst.skipped : '').toBe('');
    if (playFirst && !('skipped' in playFirst)) {
      for (const [which, visit] of [
        ['cold', playFirst.cold],
        ['warm', playFirst.warm],
      ] as const) {
        expect(positiveFinite(visit.playToFirstPointMs), `${which} Play-to-first-point`).toBe(true);
        expect(positiveFinite(visit.pageToPlayMs), `${which} page to Play`).toBe(true);
        // The first point needs the worker ready first.
        expect(visit.playToReadyMs, which).toBeLessThanOrEqual(visit.playToFirstPointMs);
        expect(visit.backend, which).toBe('WASM');
      }
      // The second visit trains on the choice remembered from the first: its speeds are known.
      expect(playFirst.warm.note).toMatch(/WASM chosen: \d+ steps\/s/);
    }

    const table = formatReport(report);
    expect(table).toMatch(/\| cold first visit \| \d+\.\d\d s \(worker ready \d+\.\d\d s after the click; WASM\) \|/);
    expect(table).toMatch(/\| warm second visit \| \d+\.\d\d s \(worker ready/);
    expect(table).toContain('| dense 20-25-1, batch 128 |');
    expect(table).toContain('SMOKE RUN');
    expect(table).toMatch(/, \d+ kernels/);
    expect(table).toMatch(/While a dense pair trained for \d+ s with live charts: .* Pause painted within \d+ ms/);
    expect(table).toMatch(/While an LSTM pair \(1x32, batch 32\) trained for \d+ s .* over \d+ clicks/);
    if ('results' in torch) {
      expect(table).toContain(`PyTorch (${torch.blas.name})`);
      expect(table).toMatch(/\d\.\dx, \d+ kernels/);
    } else {
      expect(table).toContain('PyTorch: not compared.');
      expect(table).not.toMatch(/\d\.\dx/);
    }
    console.log(table);
  });
});
