/**
 * Keeps TensorFlow.js from giving advice that does not apply here (see silenceNodeBackendAdvice). Its own module,
 * with tfjs as its only import, so the unit tests' setup can use it without loading the WASM backend.
 */
import * as tf from '@tensorflow/tfjs-core';

let adviceSilenced = false;

/**
 * tfjs's CPU backend prints "Hi, looks like you are running TensorFlow.js in Node.js. To speed things up
 * dramatically, install our node backend" on its first write, whenever IS_NODE. That advice cannot be followed
 * here (tfjs-node downloads a native binary) and the backend choice already answers it. tfjs's logger is quiet
 * in PROD mode, so the backend's first write is made with PROD on and PROD is put back at once: every later
 * warning (a backend that fails to start, say) still prints. IS_NODE itself stays true: the WASM backend
 * reads it to load its binary from disk and to leave threads off in Node.
 */
export function silenceNodeBackendAdvice(): void {
  if (adviceSilenced) return;
  const cpu = tf.findBackend('cpu');
  if (!cpu) return;
  const flags = tf.env();
  const prod = flags.getBool('PROD');
  flags.set('PROD', true);
  try {
    cpu.disposeData(cpu.write(new Float32Array(1), [1], 'float32'));
  } finally {
    flags.set('PROD', prod);
  }
  adviceSilenced = true;
}
