/**
 * The fused kernels' products and activations on wasm: the module's own functions, called into a tensor the kernel
 * keeps, giving tf.matMul's and tf.sigmoid's numbers to the bit; on the CPU, the backend's kernels. tanh is
 * tanhKernel.ts's on both, which the started backend's tf.tanh runs too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startNodeBackend } from '../../cli/nodeBackend.ts';
import { backendMemory, type BackendMemory } from './backendMemory.ts';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** A [rows, cols] temporary of `memory` holding `values`. */
function filled(memory: BackendMemory, shape: [number, number], values: number[]): tf.TensorInfo {
  const info = memory.alloc(shape);
  memory.view(info).set(values);
  return info;
}

const values = (n: number, scale: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + scale) * scale);

describe.each(['wasm', 'cpu'] as const)('backendMemory on %s', (name) => {
  it("writes tf.matMul's, tf.sigmoid's and tf.tanh's numbers, to the bit, into the tensor it is given", async () => {
    await startNodeBackend([name]);
    const backend = tf.backend() as unknown as { wasm?: Record<string, unknown> };
    const module = backend.wasm;
    const spies =
      name === 'wasm' && module
        ? (['_BatchMatMul', '_Sigmoid'] as const).map((f) => vi.spyOn(module as never, f as never))
        : [];
    const dataIds = tf.engine().backend.numDataIds();
    const memory = backendMemory(name, backend);
    const [a, b] = [values(3 * 4, 2), values(4 * 5, 3)];
    const ia = filled(memory, [3, 4], a);
    const ib = filled(memory, [4, 5], b);
    const out = memory.alloc([3, 5]);
    const act = memory.alloc([3, 4]);

    // A kernel function would register its output (makeOutput) and free it; the module's functions write into `out`.
    const made = name === 'wasm' ? vi.spyOn(backend as never, 'makeOutput' as never) : null;
    memory.matMul(ia, ib, out);
    const product = Array.from(memory.view(out));
    memory.activation('Sigmoid', ia, act);
    const sigmoid = Array.from(memory.view(act));
    memory.activation('Tanh', ia, act);
    const tanh = Array.from(memory.view(act));
    // On wasm the module's functions did the work, each once: no kernel function around them
    // (counted before tf's own ops below, which call them too).
    expect(spies.length).toBe(name === 'wasm' ? 2 : 0);
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
    if (made) expect(made).not.toHaveBeenCalled();
    vi.restoreAllMocks();

    const expected = tf.tidy(() => {
      const ta = tf.tensor2d(a, [3, 4]);
      const tb = tf.tensor2d(b, [4, 5]);
      return [tf.matMul(ta, tb), tf.sigmoid(ta), tf.tanh(ta)].map((t) => Array.from(t.dataSync()));
    });
    expect([product, sigmoid, tanh]).toEqual(expected);

    for (const info of [ia, ib, out, act]) memory.free(info);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  });
});
