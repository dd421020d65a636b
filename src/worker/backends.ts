/**
 * Starting a tfjs backend inside the worker: the first of an order that works
 * (WebGL through OffscreenCanvas, WASM, CPU). For `auto` the order comes from
 * backendChoice.ts: the remembered choice for this model size, or WASM first. Every setBackend is raced against a timeout, because
 * a backend can hang instead of failing (tfjs WASM's threaded build does in a
 * minified production bundle); WASM threads are therefore turned off.
 */
import * as tf from '@tensorflow/tfjs-core';
// TensorFlow.js's core, its gradients and the backends the lab trains on, not the umbrella package: its layers,
// converter and data were a third of each worker's JavaScript, and the lab uses none of them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerTanhKernel } from '../train/kernels/fusedRegistry.ts';
import type { BackendChoice, BackendName } from './protocol.ts';

const START_TIMEOUT_MS = 15_000;

/** The order for a user's choice; `auto`'s own order comes from backendChoice.ts (`autoOrder`), never from here. */
export function backendOrder(choice: BackendChoice): BackendName[] {
  switch (choice) {
    case 'auto':
    case 'webgl':
      return ['webgl', 'wasm', 'cpu'];
    case 'wasm':
      return ['wasm', 'cpu'];
    case 'cpu':
      return ['cpu'];
  }
}

let wasmPrepared = false;

function prepareWasm(threads: boolean): void {
  // Threads stay off in the lab: the threaded build's helper workers hang setBackend in
  // production bundles. The benchmark asks for them to measure whether that still holds.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads);
  if (wasmPrepared) return;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  });
  wasmPrepared = true;
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${what} did not start within ${ms / 1000} s`)), ms),
  );
}

/** Starts the first backend in `order` that works; `onFailure` hears why each one before it did not. */
export async function startBackend(
  order: BackendName[],
  onFailure: (name: BackendName, reason: string) => void,
  options: { wasmThreads?: boolean } = {},
): Promise<BackendName> {
  for (const name of order) {
    try {
      if (name === 'wasm') prepareWasm(options.wasmThreads ?? false);
      const ok = await Promise.race([tf.setBackend(name), timeout(START_TIMEOUT_MS, name)]);
      if (!ok) throw new Error(`${name} is not available in this browser`);
      await tf.ready();
      registerTanhKernel();
      // A backend can start and still fail its first kernel: prove it with one.
      const probe = tf.tidy(() => tf.sum(tf.add(tf.ones([4]), 1)));
      const [value] = await probe.data();
      probe.dispose();
      if (value !== 8) throw new Error(`${name} computed 1+1 wrongly (${value})`);
      return name;
    } catch (error) {
      onFailure(name, error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`no TensorFlow.js backend could start (tried ${order.join(', ')})`);
}

/** The WebGL context of the current backend, if it is WebGL. */
export function webglContext(): WebGLRenderingContext | WebGL2RenderingContext | null {
  if (tf.getBackend() !== 'webgl') return null;
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext } };
  return backend.gpgpu?.gl ?? null;
}
