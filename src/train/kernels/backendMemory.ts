/**
 * The little a fused recurrent kernel needs from a backend that keeps tensors in CPU-visible memory
 * ('cpu': JS typed arrays; 'wasm': the WASM heap): temporaries, a float32 view of any tensor, and the
 * backend's own matMul, sigmoid and tanh called directly (on wasm: XNNPACK's matMul and sigmoid, the
 * kernels tf.matMul and tf.sigmoid run), so the results are those ops' to the bit, without the engine's
 * ~13 us of dispatch per call.
 */
import * as tf from '@tensorflow/tfjs-core';

type TensorInfo = tf.TensorInfo;

export interface BackendMemory {
  /** A new float32 tensor of the backend, zero-filled; the kernel returns it or frees it. */
  alloc(shape: number[]): TensorInfo;
  /**
   * Its float32 values, in place. On wasm a view dies when the heap grows (any alloc or matMul), so
   * take views after the allocations they could be outlived by, and again after each matMul.
   */
  view(info: TensorInfo): Float32Array;
  /** a [M, K] x b [K, N], untransposed: a new tensor the caller frees. */
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo;
  /** The backend's elementwise sigmoid or tanh of x: a new tensor the caller frees. */
  activation(name: Activation, x: TensorInfo): TensorInfo;
  free(info: TensorInfo): void;
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

function timed<A extends unknown[]>(run: (...args: A) => TensorInfo, which: 'matMul' | 'activation') {
  return (...args: A): TensorInfo => {
    if (!fusedClock.on) return run(...args);
    const start = tf.util.now();
    const out = run(...args);
    const ms = tf.util.now() - start;
    if (which === 'matMul') {
      fusedClock.matMulMs += ms;
      fusedClock.matMuls += 1;
    } else {
      fusedClock.activationMs += ms;
      fusedClock.activations += 1;
    }
    return out;
  };
}

interface CpuLike {
  data: { get(dataId: unknown): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: unknown): void;
}

function batchMatMulOf(backendName: FusedBackend, backend: object): (a: TensorInfo, b: TensorInfo) => TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', backendName);
  if (!kernel) throw new Error(`no BatchMatMul kernel on ${backendName}`);
  const attrs = { transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap;
  return (a, b) => kernel.kernelFunc({ inputs: { a, b }, backend: backend as tf.KernelBackend, attrs }) as TensorInfo;
}

function activationOf(backendName: FusedBackend, backend: object): (name: Activation, x: TensorInfo) => TensorInfo {
  const kernels = { Sigmoid: tf.getKernel('Sigmoid', backendName), Tanh: tf.getKernel('Tanh', backendName) };
  return (name, x) => {
    const kernel = kernels[name];
    if (!kernel) throw new Error(`no ${name} kernel on ${backendName}`);
    return kernel.kernelFunc({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: {} }) as TensorInfo;
  };
}

export function backendMemory(backendName: FusedBackend, backend: object): BackendMemory {
  const matMul = timed(batchMatMulOf(backendName, backend), 'matMul');
  const activation = timed(activationOf(backendName, backend), 'activation');
  if (backendName === 'wasm') {
    const wasm = backend as WasmLike;
    return {
      alloc: (shape) => {
        const info = wasm.makeOutput(shape, 'float32');
        wasm.typedArrayFromHeap(info).fill(0);
        return info;
      },
      view: (info) => wasm.typedArrayFromHeap(info),
      matMul,
      activation,
      free: (info) => wasm.disposeData(info.dataId),
    };
  }
  const cpu = backend as CpuLike;
  return {
    alloc: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((n, d) => n * d, 1))),
    view: (info) => {
      const values = cpu.data.get(info.dataId).values;
      if (!(values instanceof Float32Array)) throw new Error('a fused kernel reads float32 tensors only');
      return values;
    },
    matMul,
    activation,
    free: (info) => cpu.disposeIntermediateTensorInfo(info),
  };
}
