/**
 * Min-max downsampling: each bucket of consecutive points keeps its lowest and
 * highest point (in step order), so a one-step gradient spike survives at any
 * zoom. Averaging or skipping points would hide exactly the explosion this lab
 * is about. (Chart.js's decimation plugin defaults to the same 'min-max'.)
 * Non-finite and, for log axes, non-positive values are left out: a chart
 * never receives NaN or Infinity.
 */

export interface Point {
  x: number;
  y: number;
}

export function downsampleMinMax(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  maxPoints: number,
  options: { positiveOnly?: boolean } = {},
): Point[] {
  const n = Math.min(xs.length, ys.length);
  const keep = (y: number) => Number.isFinite(y) && (!options.positiveOnly || y > 0);
  if (n <= maxPoints) {
    const out: Point[] = [];
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      const y = ys[i];
      if (x !== undefined && y !== undefined && keep(y)) out.push({ x, y });
    }
    return out;
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = n / buckets;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(n, Math.floor((b + 1) * size));
    // The bucket's lowest and highest kept points, with their indices to put them in step order.
    let minI = -1;
    let maxI = -1;
    const min: Point = { x: 0, y: 0 };
    const max: Point = { x: 0, y: 0 };
    for (let i = start; i < end; i++) {
      const x = xs[i];
      const y = ys[i];
      if (x === undefined || y === undefined || !keep(y)) continue;
      if (minI < 0 || y < min.y) {
        minI = i;
        min.x = x;
        min.y = y;
      }
      if (maxI < 0 || y > max.y) {
        maxI = i;
        max.x = x;
        max.y = y;
      }
    }
    if (minI < 0) continue;
    out.push(minI <= maxI ? min : max);
    if (maxI !== minI) out.push(minI <= maxI ? max : min);
  }
  return out;
}
