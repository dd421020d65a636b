import type { Point } from '../store/downsample.ts';

/** cos -> degrees, for the direction chart; NaN (a run stored before the angle was measured) stays a gap. */
export function toDegrees(points: readonly Point[]): Point[] {
  return points.map((p) => ({ x: p.x, y: (Math.acos(Math.min(1, Math.max(-1, p.y))) * 180) / Math.PI }));
}
