/**
 * What every fused kernel of the lab shares: one BackendMemory per backend instance, and registration on the
 * backends whose tensors live in CPU memory, made the first time a kernel is asked for.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backendMemory, FUSED_BACKENDS, type BackendMemory, type FusedBackend } from './backendMemory.ts';
import { fusedCells } from './recurrentKernels.ts';

const memories = new WeakMap<object, BackendMemory>();

/** The backend's memory, made once per backend instance (a backend set up again gets a new one). */
export function memoryFor(backendName: FusedBackend, backend: object): BackendMemory {
  let memory = memories.get(backend);
  if (!memory) {
    memory = backendMemory(backendName, backend);
    memories.set(backend, memory);
  }
  return memory;
}

/**
 * Whether the fused kernel `kernelName` runs on `backendName`: registered (on cpu and wasm, the first time it is
 * asked about) and the fused kernels are on for that backend (fusedCells, which tests turn off).
 */
export function fusedKernelOn(
  kernelName: string,
  backendName: string,
  kernelFunc: (backendName: FusedBackend) => tf.KernelFunc,
): boolean {
  if (!fusedCells.on(backendName)) return false;
  for (const name of FUSED_BACKENDS) {
    if (!tf.getKernel(kernelName, name))
      tf.registerKernel({ kernelName, backendName: name, kernelFunc: kernelFunc(name) });
  }
  return true;
}

/** A kernel's float32 input by name, or an error naming the kernel and the input. */
export function floatInput(inputs: tf.NamedTensorInfoMap, name: string, kernelName: string): tf.TensorInfo {
  const info = inputs[name];
  if (!info || info.dtype !== 'float32') throw new Error(`${kernelName} reads a float32 tensor ${name}`);
  return info;
}

const tanhRegistered = new Set<FusedBackend>();

/**
 * tanhKernel.ts's tanh as the Tanh kernel of cpu and wasm, replacing theirs, once (called where a backend starts):
 * tf.tanh, the y its gradient reads and the fused kernels' tanh are then one function on both backends, about twice
 * as fast as tfjs-wasm's. A backend whose package is not loaded yet is left for a later call; a tensor other than
 * float32 goes to the backend's own kernel.
 */
export function registerTanhKernel(): void {
  for (const name of FUSED_BACKENDS) {
    const original = tf.getKernel('Tanh', name);
    if (tanhRegistered.has(name) || !original) continue;
    tf.unregisterKernel('Tanh', name);
    tf.registerKernel({
      kernelName: 'Tanh',
      backendName: name,
      kernelFunc: (args) => {
        const x = args.inputs['x'];
        if (!x || x.dtype !== 'float32') return original.kernelFunc(args);
        const memory = memoryFor(name, args.backend);
        const out = memory.alloc(x.shape);
        memory.activation('Tanh', x, out);
        return out;
      },
    });
    tanhRegistered.add(name);
  }
}

/** Whether the SIMD cell module (simd/simdCells.ts) runs on the current backend: wasm, where it bound to the heap. */
export function simdCellsActive(): boolean {
  return tf.getBackend() === 'wasm' && memoryFor('wasm', tf.backend()).simd() !== null;
}
