/**
 * The little a fused recurrent kernel needs from a backend that keeps tensors in CPU-visible memory
 * ('cpu': JS typed arrays; 'wasm': the WASM heap): temporaries, a float32 view of any tensor, and the
 * backend's own matMul and sigmoid called directly (on wasm: XNNPACK's matMul and sigmoid, the
 * kernels tf.matMul and tf.sigmoid run), so the results are those ops' to the bit, without the engine's
 * ~13 us of dispatch per call. tanh is tanhKernel.ts's, which is also both backends' Tanh kernel. On wasm they are the module's own functions, called with the tensors' ids
 * and writing into a tensor the kernel keeps for the whole sequence: the backend's kernel functions
 * around them (two reshapes, an output registered and freed, shapes copied to the stack) cost more than
 * a 32 x 32 product itself (18 against 2.4 us a call in Node, under load; docs/PERFORMANCE.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { bindSimdCells, simdCellsSwitch, type SimdCells } from './simd/simdCells.ts';
import { tanhInto } from './tanhKernel.ts';

type TensorInfo = tf.TensorInfo;

export interface BackendMemory {
  /** A new float32 tensor of the backend, zero-filled; the kernel returns it or frees it. */
  alloc(shape: number[]): TensorInfo;
  /**
   * Its float32 values, in place. On wasm a view dies when the heap grows (any alloc or matMul), so
   * take views after the allocations they could be outlived by, and again after each matMul.
   */
  view(info: TensorInfo): Float32Array;
  /**
   * a [M, K] x b [K, N] into `out` [M, N] (a tensor of this memory's); with `transposeA` a is stored [K, M], with
   * `transposeB` b is stored [N, K], as tf.matMul's flags (the same kernel, so the same bits as tf.matMul).
   */
  matMul(a: TensorInfo, b: TensorInfo, out: TensorInfo, transposeA?: boolean, transposeB?: boolean): void;
  /** The backend's elementwise sigmoid, or tanhKernel.ts's tanh (the backend's Tanh kernel), of x into `out` (of x's shape). */
  activation(name: Activation, x: TensorInfo, out: TensorInfo): void;
  free(info: TensorInfo): void;
  /** The SIMD cell module on this backend's tensors, or null (cpu; no WebAssembly SIMD; switched off for a test). */
  simd(): SimdCellOps | null;
}

/** simd/cells.wat's functions on tensors: the TypeScript's arithmetic to the bit (simdCells.test.ts). */
export interface SimdCellOps {
  /** out = tanh(x), every value. */
  tanh(x: TensorInfo, out: TensorInfo): void;
  /** Rows row0 .. row0 + rows of `out` = tanh(((xw + bih) + bhh) + rec) of xw's same rows (rec [rows, G] or none). */
  rnnStep(
    xw: TensorInfo,
    bih: TensorInfo,
    bhh: TensorInfo,
    rec: TensorInfo | null,
    out: TensorInfo,
    row0: number,
    rows: number,
  ): void;
  /** dz = dh (1 - h^2) over n values from element `offset` of all three. */
  tanhGrad(dh: TensorInfo, h: TensorInfo, dz: TensorInfo, offset: number, n: number): void;
  /**
   * Rows r0 .. r0 + rows of m [R, G] into columns r0 .. of mT [G, R] (recurrentKernels.ts transposeBlock), mT
   * read from element `offset` on (a block of rows further down, a shift of columns).
   */
  transposeBlock(m: TensorInfo, r0: number, rows: number, mT: TensorInfo, offset?: number): void;
  /**
   * How many values of x have |x| above the non-negative float32 whose bits are `limitBits`, counted on the bits
   * (diagnosticKernels.ts), or -1 if any is NaN.
   */
  countAbove(x: TensorInfo, limitBits: number): number;
  /**
   * out = x clipped to [lo, hi] as tfjs-wasm's clipByValue clips (a NaN becomes lo); returns how many x were below lo
   * or above hi (clipKernel.ts byValue).
   */
  clipValue(x: TensorInfo, out: TensorInfo, lo: number, hi: number): number;
  /**
   * Rows r0 .. r0 + rows of m [R, G] into `panels` [ceil(G / 8), R, 8]: the layout `gemm` reads its right operand in
   * (columns past G stay as they are: zero in a fresh tensor).
   */
  toPanels(m: TensorInfo, r0: number, rows: number, panels: TensorInfo): void;
  /**
   * c [M, 8P] = a [M, K] x the matrix in `panels` [P, K, 8], M a multiple of 4: tf.matMul's bits (simdCells.test.ts);
   * with `row0` and `rows`, a's rows row0 .. row0 + rows only (M = rows).
   */
  gemm(a: TensorInfo, panels: TensorInfo, c: TensorInfo, row0?: number, rows?: number): void;
}

/** The backends whose memory a fused kernel can read: where tensors live in CPU memory. */
export const FUSED_BACKENDS = ['cpu', 'wasm'] as const;
export type FusedBackend = (typeof FUSED_BACKENDS)[number];

export type Activation = 'Sigmoid' | 'Tanh';

/**
 * Where the fused kernels' time goes, for scripts/profileRecurrent.ts --detail: when `on`, the ms spent in
 * the recurrent kernels, and in the backend matMuls and activations they call (the rest is TypeScript).
 */
export const fusedClock = { on: false, kernelMs: 0, matMulMs: 0, matMuls: 0, activationMs: 0, activations: 0 };

function timed<A extends unknown[]>(run: (...args: A) => void, which: 'matMul' | 'activation') {
  return (...args: A): void => {
    if (!fusedClock.on) return run(...args);
    const start = tf.util.now();
    run(...args);
    const ms = tf.util.now() - start;
    if (which === 'matMul') {
      fusedClock.matMulMs += ms;
      fusedClock.matMuls += 1;
    } else {
      fusedClock.activationMs += ms;
      fusedClock.activations += 1;
    }
  };
}

interface CpuLike {
  data: { get(dataId: unknown): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

/** The functions of tfjs-wasm's module the backend's BatchMatMul and Sigmoid kernels call. */
interface WasmModule {
  HEAPU8: Uint8Array;
  /** The module's exports; `memory` is the heap the SIMD cell module imports. */
  asm?: { memory?: unknown };
  _malloc(bytes: number): number;
  /** (a id, a shape ptr, a rank, b id, b shape ptr, b rank, transpose a, transpose b, out id) */
  _BatchMatMul(...args: number[]): void;
  /** (x id, out id) */
  _Sigmoid(x: number, out: number): void;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: unknown): void;
  dataIdMap: { get(dataId: unknown): { id: number; memoryOffset?: number } | undefined };
  wasm?: Partial<WasmModule>;
}

type MatMul = (a: TensorInfo, b: TensorInfo, out: TensorInfo, transposeA?: boolean, transposeB?: boolean) => void;
type ActivationInto = (name: Activation, x: TensorInfo, out: TensorInfo) => void;
type SigmoidInto = (x: TensorInfo, out: TensorInfo) => void;

/** Sigmoid by the backend; tanh by tanhKernel.ts, which is the backend's Tanh kernel since it started. */
function activationOf(view: (info: TensorInfo) => Float32Array, sigmoid: SigmoidInto): ActivationInto {
  return (name, x, out) => (name === 'Tanh' ? tanhInto(view(x), view(out)) : sigmoid(x, out));
}

/** Through the backend's kernel functions: a new tensor, copied into `out` and freed. */
function viaKernels(
  backendName: FusedBackend,
  backend: object,
  view: (info: TensorInfo) => Float32Array,
  free: (info: TensorInfo) => void,
): { matMul: MatMul; sigmoid: SigmoidInto } {
  const matMulKernel = tf.getKernel('BatchMatMul', backendName);
  if (!matMulKernel) throw new Error(`no BatchMatMul kernel on ${backendName}`);
  const sigmoidKernel = tf.getKernel('Sigmoid', backendName);
  const into = (made: TensorInfo, out: TensorInfo) => {
    view(out).set(view(made));
    free(made);
  };
  return {
    matMul: (a, b, out, transposeA = false, transposeB = false) =>
      into(
        matMulKernel.kernelFunc({
          inputs: { a, b },
          backend: backend as tf.KernelBackend,
          attrs: { transposeA, transposeB } as unknown as tf.NamedAttrMap,
        }) as TensorInfo,
        out,
      ),
    sigmoid: (x, out) => {
      if (!sigmoidKernel) throw new Error(`no Sigmoid kernel on ${backendName}`);
      into(
        sigmoidKernel.kernelFunc({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: {} }) as TensorInfo,
        out,
      );
    },
  };
}

/** The module's functions themselves, when this tfjs-wasm exports them (else null: the kernels are used). */
function viaModule(wasm: WasmLike): { matMul: MatMul; sigmoid: SigmoidInto } | null {
  const module = wasm.wasm;
  if (
    !module?.HEAPU8 ||
    typeof module._malloc !== 'function' ||
    typeof module._BatchMatMul !== 'function' ||
    typeof module._Sigmoid !== 'function'
  )
    return null;
  const m = module as WasmModule;
  const id = (info: TensorInfo): number => {
    const entry = wasm.dataIdMap.get(info.dataId);
    if (!entry) throw new Error('a fused kernel was given a tensor the WASM backend does not hold');
    return entry.id;
  };
  // Two rank-3 shapes ([1, rows, cols] of a and of b as stored, as the backend's kernel passes them), in the heap for good.
  const shapes = m._malloc(24);
  return {
    matMul: (a, b, out, transposeA = false, transposeB = false) => {
      // The shapes as stored, the flags saying how to read them. A view taken now: the heap's buffer is replaced
      // when it grows.
      new Int32Array(m.HEAPU8.buffer, shapes, 6).set([
        1,
        a.shape[0] ?? 0,
        a.shape[1] ?? 0,
        1,
        b.shape[0] ?? 0,
        b.shape[1] ?? 0,
      ]);
      m._BatchMatMul(id(a), shapes, 3, id(b), shapes + 12, 3, transposeA ? 1 : 0, transposeB ? 1 : 0, id(out));
    },
    sigmoid: (x, out) => m._Sigmoid(id(x), id(out)),
  };
}

/** The SIMD cell module on this tfjs-wasm's heap, where its memory is reachable and the module runs; else null. */
function simdOps(wasm: WasmLike): SimdCellOps | null {
  const module = wasm.wasm;
  if (typeof module?._malloc !== 'function') return null;
  const cells: SimdCells | null = bindSimdCells(module.asm?.memory, module._malloc.bind(module));
  if (!cells) return null;
  const { exports: f, table } = cells;
  const at = (info: TensorInfo): number => {
    const entry = wasm.dataIdMap.get(info.dataId);
    if (typeof entry?.memoryOffset !== 'number')
      throw new Error('a fused kernel was given a tensor the WASM backend does not hold');
    return entry.memoryOffset;
  };
  const size = (info: TensorInfo) => tf.util.sizeFromShape(info.shape);
  return {
    tanh: (x, out) => f.tanh(at(x), at(out), size(x), table),
    rnnStep: (xw, bih, bhh, rec, out, row0, rows) => {
      const g = xw.shape[1] ?? 0;
      const offset = 4 * row0 * g;
      f.rnnStep(at(xw) + offset, at(bih), at(bhh), rec ? at(rec) : 0, rec ? 1 : 0, at(out) + offset, rows, g, table);
    },
    tanhGrad: (dh, h, dz, offset, n) => f.tanhGrad(at(dh) + 4 * offset, at(h) + 4 * offset, at(dz) + 4 * offset, n),
    transposeBlock: (m, r0, rows, mT, offset = 0) =>
      f.transposeBlock(at(m), r0, rows, m.shape[1] ?? 0, at(mT) + 4 * offset, mT.shape[1] ?? 0),
    countAbove: (x, limitBits) => f.countAbove(at(x), size(x), limitBits),
    clipValue: (x, out, lo, hi) => f.clipValue(at(x), at(out), size(x), lo, hi),
    toPanels: (m, r0, rows, panels) => f.toPanels(at(m), r0, rows, m.shape[1] ?? 0, at(panels), panels.shape[1] ?? 0),
    gemm: (a, panels, c, row0 = 0, rows = (a.shape[0] ?? 0) - row0) => {
      const k = a.shape[1] ?? 0;
      const n = 8 * (panels.shape[0] ?? 0);
      const fits = rows % 4 === 0 && row0 + rows <= (a.shape[0] ?? 0) && panels.shape[1] === k;
      if (!fits || c.shape[0] !== rows || c.shape[1] !== n)
        throw new Error(`gemm: [${a.shape}] x panels [${panels.shape}] into [${c.shape}] do not fit`);
      f.gemm(at(a) + 4 * row0 * k, rows, k, at(panels), n, at(c));
    },
  };
}

export function backendMemory(backendName: FusedBackend, backend: object): BackendMemory {
  if (backendName === 'wasm') {
    const wasm = backend as WasmLike;
    const view = (info: TensorInfo) => wasm.typedArrayFromHeap(info);
    const free = (info: TensorInfo) => wasm.disposeData(info.dataId);
    const calls = viaModule(wasm) ?? viaKernels(backendName, backend, view, free);
    let bound: SimdCellOps | null | undefined;
    const simd = (): SimdCellOps | null => {
      if (!simdCellsSwitch.on) return null;
      if (bound === undefined) bound = simdOps(wasm);
      return bound;
    };
    const activation: ActivationInto = (name, x, out) => {
      const cells = name === 'Tanh' ? simd() : null;
      if (cells) cells.tanh(x, out);
      else activationOf(view, calls.sigmoid)(name, x, out);
    };
    return {
      simd,
      alloc: (shape) => {
        const info = wasm.makeOutput(shape, 'float32');
        wasm.typedArrayFromHeap(info).fill(0);
        return info;
      },
      view,
      matMul: timed(calls.matMul, 'matMul'),
      activation: timed(activation, 'activation'),
      free,
    };
  }
  const cpu = backend as CpuLike;
  const view = (info: TensorInfo) => {
    const values = cpu.data.get(info.dataId).values;
    if (!(values instanceof Float32Array)) throw new Error('a fused kernel reads float32 tensors only');
    return values;
  };
  const free = (info: TensorInfo) => cpu.disposeIntermediateTensorInfo(info);
  const calls = viaKernels(backendName, backend, view, free);
  return {
    alloc: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((n, d) => n * d, 1))),
    view,
    matMul: timed(calls.matMul, 'matMul'),
    activation: timed(activationOf(view, calls.sigmoid), 'activation'),
    free,
    simd: () => null,
  };
}
