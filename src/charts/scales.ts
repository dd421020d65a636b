/** Shared axis domains, so side-by-side charts can be compared at a glance. */

/** A log-axis domain covering every finite positive value, widened to whole decades. */
export function logDomain(values: Iterable<number>, fallback: [number, number] = [1e-3, 1e3]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || v <= 0) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return fallback;
  const low = 10 ** Math.floor(Math.log10(lo));
  const high = 10 ** Math.ceil(Math.log10(hi));
  return low === high ? [low / 10, high * 10] : [low, high];
}

/** Ticks at every power of ten in a log domain (thinned to at most 8). */
export function decadeTicks([lo, hi]: [number, number]): number[] {
  const first = Math.round(Math.log10(lo));
  const last = Math.round(Math.log10(hi));
  const stride = Math.max(1, Math.ceil((last - first + 1) / 8));
  const ticks: number[] = [];
  for (let e = first; e <= last; e += stride) ticks.push(10 ** e);
  return ticks;
}
