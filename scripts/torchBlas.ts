/**
 * Which BLAS the benchmark's PyTorch runs on, from what scripts/bench_torch.py
 * reports: `torch.__config__.show()` and the shared libraries its process has
 * mapped (/proc/self/maps). Debian's python3-torch says only BLAS_INFO=generic
 * and runs on whatever libblas.so.3 points at: the reference BLAS (about 6
 * GFLOP/s) unless libopenblas0-pthread is installed. PyTorch timed on the
 * reference BLAS is about 10x too slow to compare tfjs against.
 */

export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'atlas' | 'accelerate' | 'reference' | 'unknown';

export interface BlasInfo {
  kind: BlasKind;
  /** "OpenBLAS", "reference BLAS", ... */
  name: string;
  /** The library the process mapped, when one was seen. */
  library: string | null;
  /** A 512x512 float32 matmul on one thread, measured by the script. */
  gflops: number;
}

/** What bench_torch.py prints about its BLAS. */
export interface TorchBlasProbe {
  config: string;
  mapped: string[];
  gflops: number;
}

const NAMES: Record<BlasKind, string> = {
  openblas: 'OpenBLAS',
  mkl: 'MKL',
  blis: 'BLIS',
  atlas: 'ATLAS',
  accelerate: 'Accelerate',
  reference: 'reference BLAS',
  unknown: 'an unknown BLAS',
};

/** Below this, an unnamed BLAS is taken for the reference one (which does about 6 GFLOP/s on these machines). */
export const MIN_UNKNOWN_GFLOPS = 15;

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** The kind of BLAS from the mapped libraries first (what the process really uses), then from torch's build config. */
export function classifyBlas(config: string, mapped: readonly string[]): { kind: BlasKind; library: string | null } {
  const find = (pattern: RegExp) => mapped.find((file) => pattern.test(file)) ?? null;
  const optimised: [BlasKind, RegExp][] = [
    ['openblas', /openblas/i],
    ['mkl', /libmkl|\/mkl\//i],
    ['blis', /blis/i],
    ['atlas', /atlas/i],
    ['accelerate', /Accelerate\.framework|vecLib/],
  ];
  for (const [kind, pattern] of optimised) {
    // OpenBLAS ships its own libblas.so.3 beside libopenblas: name the real one.
    const library = find(new RegExp(`${pattern.source}[^/]*\\.so`, pattern.flags)) ?? find(pattern);
    if (library) return { kind, library };
  }
  const reference = find(/(^|\/)(libblas|librefblas|libcblas)\.so/);
  if (reference) return { kind: 'reference', library: reference };
  const info = /BLAS_INFO=([\w-]+)/.exec(config)?.[1]?.toLowerCase() ?? '';
  if (info === 'mkl' || /Math Kernel Library/i.test(config)) return { kind: 'mkl', library: null };
  if (info === 'open' || info === 'openblas') return { kind: 'openblas', library: null };
  if (info === 'accelerate' || info === 'veclib') return { kind: 'accelerate', library: null };
  if (info === 'blis') return { kind: 'blis', library: null };
  if (info === 'atlas') return { kind: 'atlas', library: null };
  return { kind: 'unknown', library: null };
}

export function blasInfo(probe: TorchBlasProbe): BlasInfo {
  const { kind, library } = classifyBlas(probe.config, probe.mapped);
  return { kind, name: NAMES[kind], library, gflops: probe.gflops };
}

/** "OpenBLAS (libopenblasp-r0.3.21.so), 512x512 matmul 48.2 GFLOP/s" */
export function describeBlas(blas: BlasInfo): string {
  const library = blas.library ? ` (${basename(blas.library)})` : '';
  return `${blas.name}${library}, 512x512 float32 matmul ${blas.gflops.toFixed(1)} GFLOP/s`;
}

/**
 * Why ratios against this torch would mislead, or null when they are fair: the reference BLAS (or an
 * unnamed one as slow as it) makes every PyTorch step several times slower than PyTorch is.
 */
export function whyNotComparable(blas: BlasInfo): string | null {
  const slowUnknown = blas.kind === 'unknown' && blas.gflops < MIN_UNKNOWN_GFLOPS;
  if (blas.kind !== 'reference' && !slowUnknown) return null;
  return (
    `PyTorch runs on ${describeBlas(blas)}, not an optimised BLAS: its steps are several times slower than ` +
    'PyTorch really is, so no ratios are printed against it. Fix: apt-get install libopenblas0-pthread ' +
    '(Debian then points libblas.so.3 at OpenBLAS; check with ' +
    'update-alternatives --query libblas.so.3-x86_64-linux-gnu).'
  );
}
