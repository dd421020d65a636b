/**
 * bench.html: a page with no UI that the benchmark drives through Playwright.
 * `gradientLabBench.run(request)` times each backend in its own fresh worker.
 */
import type { BenchBudget, BenchCase } from './cases.ts';
import type { BenchBackend, BenchReply } from './bench.worker.ts';

const WORKER_TIMEOUT_MS = 300_000;

function runBackend(backend: BenchBackend, cases: BenchCase[], budget: BenchBudget): Promise<BenchReply> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), {
      type: 'module',
      name: `bench-${backend}`,
    });
    const finish = (reply: BenchReply) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(reply);
    };
    const timer = setTimeout(
      () =>
        finish({
          type: 'skipped',
          backend,
          reason: `no answer within ${WORKER_TIMEOUT_MS / 1000} s (the backend hung)`,
        }),
      WORKER_TIMEOUT_MS,
    );
    worker.onmessage = (event: MessageEvent<BenchReply>) => finish(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      finish({ type: 'skipped', backend, reason: `the worker died: ${event.message}` });
    };
    worker.postMessage({ backend, cases, budget });
  });
}

async function run(request: {
  backends: BenchBackend[];
  cases: BenchCase[];
  budget: BenchBudget;
}): Promise<BenchReply[]> {
  const replies: BenchReply[] = [];
  for (const backend of request.backends) replies.push(await runBackend(backend, request.cases, request.budget));
  return replies;
}

Object.assign(window, { gradientLabBench: { run, hardwareConcurrency: navigator.hardwareConcurrency } });
document.body.dataset.ready = 'true';
