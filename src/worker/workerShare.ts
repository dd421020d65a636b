/**
 * How much of a core each training worker keeps busy. A browser gives the page's main thread no priority over its
 * workers: with more workers than cores, the operating system shares the cores among all of them, and the main
 * thread, one runnable thread of five in a race of four on two cores, got some 40% of a core. Its frames then took
 * two or three times their own work, and many became long tasks (docs/PERFORMANCE.md). So where the workers
 * outnumber the cores they rest in turn, leaving MAIN_THREAD_RESERVE of a core to the page: the race trains some
 * 30% fewer steps a second there, and the page keeps its frames.
 */

/** The part of a core left to the page's main thread while its workers train. */
export const MAIN_THREAD_RESERVE = 0.75;
/** No worker rests more than this share of the time, however many there are: training must still move. */
export const MIN_DUTY = 0.1;
/** The longest rest at a time: a worker hears `advance` and `dispose` at least this often. */
export const MAX_REST_MS = 250;

/**
 * The share of its time each of `workers` training workers computes on a machine of `cores` cores (what
 * `navigator.hardwareConcurrency` says; 2 where it says nothing usable).
 */
export function workerDuty(workers: number, cores: number): number {
  const usable = Number.isFinite(cores) && cores >= 1 ? Math.floor(cores) : 2;
  // As many workers as cores leave the page its share already (a pair on two cores: no change measured).
  if (workers <= usable) return 1;
  return Math.min(1, Math.max(MIN_DUTY, (usable - MAIN_THREAD_RESERVE) / workers));
}

/** How long to rest after `busyMs` of computing, so that the worker computes `duty` of the time. */
export function restAfter(busyMs: number, duty: number): number {
  if (!(duty < 1) || !(busyMs > 0)) return 0;
  return Math.min(MAX_REST_MS, (busyMs * (1 - duty)) / Math.max(duty, MIN_DUTY));
}
