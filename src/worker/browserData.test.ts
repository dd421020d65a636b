import { describe, expect, it } from 'vitest';
import { appRoot } from './browserData.ts';

describe('appRoot: where public/ (MNIST, the CSV) is, seen from a worker', () => {
  it('is the folder above assets/ for a relative base, at the root or under a sub-path', () => {
    expect(appRoot('./', 'https://example.edu/gradient-lab/assets/trainer.worker-x1.js')).toBe(
      'https://example.edu/gradient-lab/',
    );
    expect(appRoot('./', 'http://127.0.0.1:4173/assets/sweep.worker-x2.js')).toBe('http://127.0.0.1:4173/');
  });

  it("is the base itself when it is absolute (the dev server's '/')", () => {
    expect(appRoot('/', 'http://localhost:5173/src/worker/trainer.worker.ts?worker_file&type=module')).toBe(
      'http://localhost:5173/',
    );
    expect(appRoot('/lab/', 'https://h.example/lab/assets/w.js')).toBe('https://h.example/lab/');
  });
});
