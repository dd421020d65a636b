/** The bench's printed table: kernels beside every time, ratios to PyTorch only on an optimised BLAS. */
import { describe, expect, it } from 'vitest';
import { formatReport, type BenchReport } from '../../scripts/bench.ts';
import { blasInfo, whyNotComparable } from '../../scripts/torchBlas.ts';
import { SMOKE_BUDGET } from '../../src/bench/cases.ts';

const timing = (medianMs: number) => ({ medianMs, p25Ms: medianMs * 0.9, p75Ms: medianMs * 1.1, steps: 5 });

function report(torch: BenchReport['torch']): BenchReport {
  return {
    date: '2026-11-25T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'AMD EPYC', node: 'v20', chromium: '156' },
    smoke: false,
    budget: SMOKE_BUDGET,
    cases: [{ id: 'dense', label: 'dense 20-25-1, batch 128' }],
    torch,
    columns: [
      {
        name: 'node wasm',
        results: { dense: timing(2) },
        bare: { dense: timing(1) },
        kernels: { dense: 164 },
        bareKernels: { dense: 123 },
        leakedTensors: 0,
        surfaceMs: { firstMs: 20, warmMs: 10, side: 256 },
      },
    ],
    page: { skipped: 'not in this test' },
  };
}

const openblas = blasInfo({
  config: 'BLAS_INFO=generic',
  mapped: ['/usr/lib/openblas-pthread/libopenblasp-r0.3.21.so'],
  gflops: 100,
});
const reference = blasInfo({
  config: 'BLAS_INFO=generic',
  mapped: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'],
  gflops: 6,
});

describe('formatReport', () => {
  it('on OpenBLAS: a PyTorch column named by its BLAS, ratios, and kernels per step', () => {
    const table = formatReport(
      report({ version: '1.13', threads: 1, blas: openblas, results: { dense: timing(0.5) } }),
    );
    expect(table).toContain('PyTorch: 1.13, CPU, 1 thread, on OpenBLAS (libopenblasp-r0.3.21.so)');
    expect(table).toContain('| step | PyTorch (OpenBLAS) | node wasm |');
    expect(table).toContain('| dense 20-25-1, batch 128 | 0.50 (0.45-0.55) | 2.00 (1.80-2.20) 4.0x, 164 kernels |');
    expect(table).toContain('| dense 20-25-1, batch 128 | 2.00 (164 / 123) |');
  });

  it('on the reference BLAS: no PyTorch column, no ratios, and why with the fix', () => {
    const table = formatReport(report({ skipped: whyNotComparable(reference) ?? '', blas: reference }));
    expect(table).toContain('PyTorch: not compared. PyTorch runs on reference BLAS');
    expect(table).toContain('apt-get install libopenblas0-pthread');
    expect(table).toContain('| step | node wasm |');
    expect(table).toContain('| dense 20-25-1, batch 128 | 2.00 (1.80-2.20), 164 kernels |');
    expect(table).not.toMatch(/\d\.\dx/);
  });
});
