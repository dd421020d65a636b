// Pure-logic tests run on tfjs's CPU backend (float32, deterministic).
import * as tf from '@tensorflow/tfjs-core';
// Autodiff's gradients and the CPU backend, registered as in Node's CLI (src/cli/nodeBackend.ts).
import '@tensorflow/tfjs';
import { beforeAll } from 'vitest';
import { silenceNodeBackendAdvice } from '../../src/cli/quietTfjs.ts';

beforeAll(async () => {
  // Without it every test file's output starts with tfjs's "install our node backend" banner.
  silenceNodeBackendAdvice();
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
});
