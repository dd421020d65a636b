import { describe, expect, it } from 'vitest';
import {
  colourPosition,
  contourPaths,
  fromPicture,
  roundForLink,
  surfacePixels,
  toPicture,
  zoomWindow,
} from './surfaceImage.ts';

const WINDOW = { wMin: -2, wMax: 10, bMin: -8, bMax: 3 };

describe('the cliff picture', () => {
  it('maps the window onto the picture with b up, and back', () => {
    expect(toPicture(WINDOW, 640, 480, -2, 3)).toEqual([0, 0]);
    expect(toPicture(WINDOW, 640, 480, 10, -8)).toEqual([640, 480]);
    const [w, b] = fromPicture(WINDOW, 640, 480, ...toPicture(WINDOW, 640, 480, 4.29, -2.18));
    expect(w).toBeCloseTo(4.29, 10);
    expect(b).toBeCloseTo(-2.18, 10);
  });

  it('zooms about a point that stays where it is on screen', () => {
    const zoomed = zoomWindow(WINDOW, 0.5, 4, -1);
    expect(zoomed.wMax - zoomed.wMin).toBeCloseTo(6, 10);
    expect(toPicture(zoomed, 640, 480, 4, -1)).toEqual(
      toPicture(WINDOW, 640, 480, 4, -1).map((v) => expect.closeTo(v, 8)),
    );
  });

  it('colours on a log scale: each decade of loss moves the colour by the same amount', () => {
    expect(colourPosition(1e-5)).toBe(0);
    expect(colourPosition(0)).toBe(0);
    expect(colourPosition(0.5)).toBeCloseTo(1, 10);
    expect(colourPosition(1e-3) - colourPosition(1e-4)).toBeCloseTo(colourPosition(1e-2) - colourPosition(1e-3), 10);
    const pixels = surfacePixels(new Float32Array([1e-5, 0.49, NaN]), 3, 1);
    expect(Array.from(pixels.slice(8, 12))).toEqual([255, 0, 255, 255]);
    expect(pixels[3]).toBe(255);
    expect(pixels.slice(0, 3)).not.toEqual(pixels.slice(4, 7));
  });

  it('traces a contour around a dip in the loss', () => {
    const n = 9;
    const loss = new Float32Array(n * n).fill(0.3);
    loss[4 * n + 4] = 1e-6;
    const paths = contourPaths(loss, n, n, 90, 90);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths[0]?.d).toMatch(/^M[\d.]+,[\d.]+L/);
  });

  it('rounds link numbers to a thousandth of the window', () => {
    expect(roundForLink(4.2873458, 12)).toBe(4.29);
    expect(roundForLink(4.2873458, 0.12)).toBe(4.2873);
  });
});
