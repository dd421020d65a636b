/**
 * How much of a core each training worker keeps busy. A browser gives the page's main thread no priority over its
 * workers: with more workers than cores, the operating system shares the cores among all of them, and the main
 * thread, one runnable thread of five in a race of four on two cores, got some 40% of a core. Its frames then took
 * two or three times their own work, and many became long tasks (docs/PERFORMANCE.md). So where the workers
 * outnumber the cores they rest in turn, leaving MAIN_THREAD_RESERVE of a core to the page: the race trains some
 * 30% fewer steps a second there, and the page keeps its frames. Where there is one worker per core (a pair on two
 * cores) they rest a little, leaving ONE_PER_CORE_RESERVE: the LSTM pair's long tasks halved for some 5% of its steps
 * (docs/PERFORMANCE.md).
 */

/** The part of a core left to the page's main thread while its workers train. */
export const MAIN_THREAD_RESERVE = 0.75;
/** The part of a core left to the page where the workers are exactly as many as the cores. */
export const ONE_PER_CORE_RESERVE = 0.25;
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
  // Fewer workers than cores leave the page a core of its own.
  if (workers < usable) return 1;
  const reserve = workers === usable ? ONE_PER_CORE_RESERVE : MAIN_THREAD_RESERVE;
  return Math.min(1, Math.max(MIN_DUTY, (usable - reserve) / workers));
}

/** How long to rest after `busyMs` of computing, so that the worker computes `duty` of the time. */
export function restAfter(busyMs: number, duty: number): number {
  if (!(duty < 1) || !(busyMs > 0)) return 0;
  return Math.min(MAX_REST_MS, (busyMs * (1 - duty)) / Math.max(duty, MIN_DUTY));
}
