/**
 * A smoke run of `npm run bench` (a couple of steps of the small cases), so
 * the benchmark cannot rot: every column runs, tensors are freed, the table prints.
 */
import { describe, expect, inject, it } from 'vitest';
import { formatReport, runBench } from '../../scripts/bench.ts';
import { useBrowser } from './browser.ts';

const browser = useBrowser();

describe('npm run bench (smoke)', () => {
  it('times every case in Node and in Chromium workers, frees every tensor, and prints the table', async () => {
    const report = await runBench({ smoke: true, baseUrl: inject('baseUrl'), browser: browser(), log: () => {} });
    const measured = report.columns.filter((c) => Object.keys(c.results).length > 0);
    const names = measured.map((c) => c.name);
    expect(names).toContain('node wasm');
    expect(names.some((n) => n.startsWith('chromium webgl'))).toBe(true);
    for (const column of measured) {
      for (const { id } of report.cases) {
        expect(column.results[id]?.medianMs, `${column.name} ${id}`).toBeGreaterThan(0);
        expect(column.bare?.[id]?.medianMs, `${column.name} ${id} bare`).toBeGreaterThan(0);
      }
      expect(column.leakedTensors, column.name).toBe(0);
      expect(column.surfaceMs?.warmMs, column.name).toBeGreaterThan(0);
    }
    // PyTorch is measured where python3 has torch, and otherwise says why not.
    expect('results' in report.torch ? Object.keys(report.torch.results) : report.torch.skipped).toBeTruthy();
    expect('coldStartMs' in report.page ? report.page.coldStartMs : report.page.skipped).toBeTruthy();
    const table = formatReport(report);
    expect(table).toContain('| dense 20-25-1, batch 128 |');
    expect(table).toContain('SMOKE RUN');
    console.log(table);
  });
});
