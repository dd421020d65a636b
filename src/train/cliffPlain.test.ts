import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIFF } from '../experiment/cliff.ts';
import { cliffSurface, descend, type CliffClip } from './cliff.ts';
import { cliffPoint, cliffSurfacePlain, descendPlain } from './cliffPlain.ts';

const T = DEFAULT_CLIFF.T;

describe('the cliff in plain arithmetic, drawn by the page before the worker answers', () => {
  it('one step by hand: w = 1, b = 0, T = 1', () => {
    // x_1 = sigmoid(0.5) = 0.622459; sigmoid(x_1) = 0.650778; E = (0.650778 - 0.7)^2 = 0.0024228;
    // dE/dx_1 = 2 (0.650778 - 0.7) 0.650778 (1 - 0.650778) = -0.0223731; dx_1/dw = sigmoid(0.5), dx_1/db = 1.
    const p = cliffPoint(1, 0, 1);
    expect(p.loss).toBeCloseTo(0.00242283696, 10);
    expect(p.gradW).toBeCloseTo(-0.0139263632, 9);
    expect(p.gradB).toBeCloseTo(-0.0223731294, 9);
  });

  it.each([
    [1, 0],
    [3, -1],
    [8, -6],
    [4.289, -2.181],
  ])('its gradient is the central finite difference at (w=%s, b=%s), T = 50, on the wall too', (w, b) => {
    const h = 1e-6;
    const p = cliffPoint(w, b, T);
    const fw = (cliffPoint(w + h, b, T).loss - cliffPoint(w - h, b, T).loss) / (2 * h);
    const fb = (cliffPoint(w, b + h, T).loss - cliffPoint(w, b - h, T).loss) / (2 * h);
    const scale = Math.max(Math.hypot(fw, fb), 1e-6);
    expect(Math.abs(p.gradW - fw) / scale).toBeLessThan(1e-4);
    expect(Math.abs(p.gradB - fb) / scale).toBeLessThan(1e-4);
  });

  it('its surface is the worker’s (tfjs, float32) on the same grid', async () => {
    const window = { wMin: -2, wMax: 10, bMin: -8, bMax: 3 };
    const plain = cliffSurfacePlain(window, 9, 6, T);
    const tfjs = await cliffSurface(window, 9, 6, T);
    expect(plain).toHaveLength(54);
    for (let i = 0; i < plain.length; i++) expect(plain[i]).toBeCloseTo(tfjs[i] ?? NaN, 4);
  });

  it('its descents are the tfjs ones: the same wall, the same catapult, the same clipped steps', () => {
    const clips: CliffClip[] = [
      { mode: 'none', threshold: DEFAULT_CLIFF.threshold },
      { mode: 'norm', threshold: DEFAULT_CLIFF.threshold },
      { mode: 'value', threshold: DEFAULT_CLIFF.threshold },
    ];
    const start = { w: DEFAULT_CLIFF.w0, b: DEFAULT_CLIFF.b0 };
    const options = { T, lr: DEFAULT_CLIFF.lr, steps: 20 };
    const plain = descendPlain(start, clips, options);
    const tfjs = descend(start, clips, options);
    plain.forEach((path, i) => {
      const other = tfjs[i] ?? [];
      expect(path).toHaveLength(options.steps + 1);
      path.forEach((step, k) => {
        const ref = other[k];
        if (!ref) throw new Error(`tfjs path ${i} has no step ${k}`);
        expect(step.clipped, `path ${i} step ${k}`).toBe(ref.clipped);
        for (const key of ['w', 'b', 'loss', 'stepW', 'stepB'] as const) {
          const tolerance = 1e-3 * Math.max(1, Math.abs(ref[key]));
          expect(Math.abs(step[key] - ref[key]), `path ${i} step ${k} ${key}`).toBeLessThan(tolerance);
        }
      });
    });
    // The point of the lesson, in these numbers: unclipped, one huge first step; clipped, a step of length lr x c.
    const [unclipped, byNorm] = plain;
    expect(Math.hypot(unclipped?.[0]?.stepW ?? 0, unclipped?.[0]?.stepB ?? 0)).toBeGreaterThan(10 * DEFAULT_CLIFF.lr);
    expect(Math.hypot(byNorm?.[0]?.stepW ?? 0, byNorm?.[0]?.stepB ?? 0)).toBeCloseTo(
      DEFAULT_CLIFF.lr * DEFAULT_CLIFF.threshold,
      9,
    );
  });
});
