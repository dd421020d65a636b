/** The bench's PyTorch column: which BLAS torch runs on, and when ratios against it are refused. */
import { describe, expect, it } from 'vitest';
import { blasInfo, classifyBlas, describeBlas, whyNotComparable } from '../../scripts/torchBlas.ts';

/** Debian's python3-torch 1.13: the build config names no BLAS. */
const DEBIAN_CONFIG = `PyTorch built with:
  - GCC 12.2
  - Intel(R) MKL-DNN v2.6.3 (Git Hash N/A)
  - LAPACK is enabled (usually provided by MKL)
  - Build settings: BLAS_INFO=generic, BUILD_TYPE=RelWithDebInfo, LAPACK_INFO=generic, USE_MKLDNN=ON,`;

/** A pip wheel: MKL linked in statically, so nothing BLAS-like is mapped. */
const WHEEL_CONFIG = `PyTorch built with:
  - GCC 9.3
  - Intel(R) oneAPI Math Kernel Library Version 2022.2-Product Build 20220804 for Intel(R) 64 architecture applications
  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release, LAPACK_INFO=mkl,`;

const OPENBLAS_MAPS = [
  '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3',
  '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so',
  '/usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack.so.3',
];
const REFERENCE_MAPS = [
  '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0',
  '/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3.11.0',
];

describe('classifyBlas', () => {
  it('Debian torch with libopenblas0-pthread: OpenBLAS, named by its real library', () => {
    expect(classifyBlas(DEBIAN_CONFIG, OPENBLAS_MAPS)).toEqual({
      kind: 'openblas',
      library: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so',
    });
  });

  it('Debian torch alone: the reference BLAS (the config says only "generic")', () => {
    expect(classifyBlas(DEBIAN_CONFIG, REFERENCE_MAPS)).toEqual({ kind: 'reference', library: REFERENCE_MAPS[0] });
  });

  it('a pip wheel: MKL from the build config when no library is mapped', () => {
    expect(classifyBlas(WHEEL_CONFIG, [])).toEqual({ kind: 'mkl', library: null });
    expect(classifyBlas('Build settings: BLAS_INFO=open, LAPACK_INFO=open', [])).toEqual({
      kind: 'openblas',
      library: null,
    });
  });

  it('what the process mapped wins over what the build says', () => {
    expect(classifyBlas(WHEEL_CONFIG, REFERENCE_MAPS).kind).toBe('reference');
    expect(classifyBlas(DEBIAN_CONFIG, ['/opt/intel/lib/libmkl_rt.so.2']).kind).toBe('mkl');
    expect(classifyBlas(DEBIAN_CONFIG, ['/usr/lib/x86_64-linux-gnu/blis-openmp/libblis.so.4']).kind).toBe('blis');
  });

  it('nothing to go by: unknown', () => {
    expect(classifyBlas(DEBIAN_CONFIG, [])).toEqual({ kind: 'unknown', library: null });
    expect(classifyBlas('', [])).toEqual({ kind: 'unknown', library: null });
  });
});

describe('whyNotComparable', () => {
  it('allows ratios against an optimised BLAS', () => {
    const blas = blasInfo({ config: DEBIAN_CONFIG, mapped: OPENBLAS_MAPS, gflops: 48.2 });
    expect(whyNotComparable(blas)).toBeNull();
    expect(describeBlas(blas)).toBe('OpenBLAS (libopenblasp-r0.3.21.so), 512x512 float32 matmul 48.2 GFLOP/s');
  });

  it('refuses them against the reference BLAS, saying why and how to fix it', () => {
    const why = whyNotComparable(blasInfo({ config: DEBIAN_CONFIG, mapped: REFERENCE_MAPS, gflops: 5.9 })) ?? '';
    expect(why).toContain('reference BLAS (libblas.so.3.11.0), 512x512 float32 matmul 5.9 GFLOP/s');
    expect(why).toContain('no ratios are printed');
    expect(why).toContain('apt-get install libopenblas0-pthread');
  });

  it('an unnamed BLAS counts only when it is fast', () => {
    expect(whyNotComparable(blasInfo({ config: '', mapped: [], gflops: 6 }))).toContain('an unknown BLAS');
    expect(whyNotComparable(blasInfo({ config: '', mapped: [], gflops: 60 }))).toBeNull();
  });
});
