/**
 * The SIMD cell module (cells.wat) bound to a tfjs-wasm heap: tanh, the vanilla RNN's per-step passes, the block
 * transpose, the saturated count, clipping by value and a GEMM without packing, at WASM SIMD speed, on the tensors
 * where they live. Each function gives the TypeScript's values (or tf.matMul's) to the bit (simdCells.test.ts), so a
 * backend with the module and one without train
 * alike. Where WebAssembly SIMD is missing (an old browser), or the heap is shared (tfjs-wasm's threaded build),
 * there is no module and the TypeScript runs.
 */
import { CELLS_WASM_BASE64 } from './cellsBinary.ts';
import { tanhTable } from '../tanhKernel.ts';

/** Pointers are byte offsets into the heap; counts are float32 elements. */
export interface SimdCellExports {
  tanh(x: number, out: number, n: number, table: number): void;
  rnnStep(
    xw: number,
    bih: number,
    bhh: number,
    rec: number,
    hasRec: number,
    out: number,
    rows: number,
    g: number,
    table: number,
  ): void;
  tanhGrad(dh: number, h: number, dz: number, n: number): void;
  transposeBlock(m: number, r0: number, rows: number, g: number, mT: number, stride: number): void;
  countAbove(x: number, n: number, limitBits: number): number;
  clipValue(x: number, out: number, n: number, lo: number, hi: number): number;
  toPanels(m: number, r0: number, rows: number, g: number, dst: number, k: number): void;
  gemm(a: number, m: number, k: number, b: number, n: number, c: number): void;
}

export interface SimdCells {
  exports: SimdCellExports;
  /** Where tanh's table lies in the heap. */
  table: number;
}

/** Whether the module is used where it can be: a field, so tests can run the TypeScript on wasm too. */
export const simdCellsSwitch = { on: true };

/**
 * The little of the WebAssembly API used here, typed locally: the pure core's TypeScript lib has neither the DOM's
 * nor Node's types, and both runtimes have the API.
 */
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (...args: never[]) => WasmMemory;
}
const runtime = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (text: string) => string };

let compiled: object | null | undefined;

/**
 * The module, compiled once per thread (3.7 kB: under the 4 kB a browser's main thread may compile synchronously; it
 * runs in workers anyway); null if it cannot be.
 */
function cellsModule(): object | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const api = runtime.WebAssembly;
  if (!api || !runtime.atob) return compiled;
  try {
    const bytes = Uint8Array.from(runtime.atob(CELLS_WASM_BASE64), (c) => c.charCodeAt(0));
    if (api.validate(bytes)) compiled = new api.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * The module bound to `memory` (tfjs-wasm's heap, a WebAssembly.Memory), with tanh's table written into it by
 * `malloc`, or null where it cannot run there.
 */
export function bindSimdCells(memory: unknown, malloc: (bytes: number) => number): SimdCells | null {
  const api = runtime.WebAssembly;
  if (!api || !(memory instanceof api.Memory)) return null;
  // The threaded build's heap is shared: the module declares an unshared one, so it would not link.
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
  const module = cellsModule();
  if (!module) return null;
  try {
    const instance = new api.Instance(module, { env: { memory } });
    const pairs = tanhTable();
    const table = malloc(pairs.byteLength);
    new Float64Array(memory.buffer, table, pairs.length).set(pairs);
    return { exports: instance.exports as SimdCellExports, table };
  } catch {
    return null;
  }
}
