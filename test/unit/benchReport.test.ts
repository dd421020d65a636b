/** The bench's printed table: kernels beside every time, ratios to PyTorch only on an optimised BLAS. */
import { describe, expect, it } from 'vitest';
import { formatReport, formatRounds, type BenchReport } from '../../scripts/bench.ts';
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

describe('formatRounds', () => {
  const cases = [
    { id: 'dense', label: 'dense' },
    { id: 'lstm32', label: 'LSTM 1x32' },
  ];

  it("each round's ratio, PyTorch's time under the lab's, and the median over rounds", () => {
    // dense: 0.30 / 0.20 = 1.5, 0.30 / 0.25 = 1.2, 0.30 / 0.10 = 3.0: median 1.5 (not the mean, 1.9).
    // LSTM: 4.5 / 3 = 1.5, 4.8 / 3.2 = 1.5, 4 / 2 = 2: median 1.5.
    const lines = formatRounds(cases, [
      { torch: { dense: 0.2, lstm32: 3 }, node: { dense: 0.3, lstm32: 4.5 } },
      { torch: { dense: 0.25, lstm32: 3.2 }, node: { dense: 0.3, lstm32: 4.8 } },
      { torch: { dense: 0.1, lstm32: 2 }, node: { dense: 0.3, lstm32: 4 } },
    ]);
    expect(lines).toContain('| step | round 1 | round 2 | round 3 | median ratio |');
    expect(lines).toContain('| dense | 0.30 / 0.20 = 1.50x | 0.30 / 0.25 = 1.20x | 0.30 / 0.10 = 3.00x | 1.50x |');
    expect(lines).toContain('| LSTM 1x32 | 4.50 / 3.00 = 1.50x | 4.80 / 3.20 = 1.50x | 4.00 / 2.00 = 2.00x | 1.50x |');
  });

  it('two rounds: the mean of the two; a case a round lacks is a dash; no rounds, no lines', () => {
    const lines = formatRounds(cases, [
      { torch: { dense: 0.2, lstm32: 3 }, node: { dense: 0.3, lstm32: 6 } },
      { torch: { dense: 0.2 }, node: { dense: 0.4 } },
    ]);
    expect(lines).toContain('| dense | 0.30 / 0.20 = 1.50x | 0.40 / 0.20 = 2.00x | 1.75x |');
    expect(lines).toContain('| LSTM 1x32 | 6.00 / 3.00 = 2.00x | - | 2.00x |');
    expect(formatRounds(cases, [])).toEqual([]);
  });
});
