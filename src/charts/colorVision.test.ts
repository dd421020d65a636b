/** The colour-vision formulas, pinned with values worked by hand or published with them. */
import { describe, expect, it } from 'vitest';
import {
  DEFICIENCIES,
  MACHADO_2009,
  colorDistance,
  contrastRatio,
  deltaE2000,
  hexToLab,
  hexToLinear,
  linearToLab,
  simulate,
  srgbToLinear,
  type Lab,
} from './colorVision.ts';

describe('sRGB to CIELAB', () => {
  it('decodes the sRGB curve: its linear toe, its power part, and the ends', () => {
    expect(srgbToLinear(0)).toBe(0);
    expect(srgbToLinear(1)).toBeCloseTo(1, 12);
    expect(srgbToLinear(0.04)).toBeCloseTo(0.04 / 12.92, 12);
    // 128/255: ((0.50196 + 0.055) / 1.055)^2.4 = 0.21586
    expect(srgbToLinear(128 / 255)).toBeCloseTo(0.21586, 5);
    expect(hexToLinear('#fff')).toEqual(hexToLinear('#ffffff'));
    expect(() => hexToLinear('red')).toThrow(/"red"/);
  });

  it('white is L 100 with no colour, black L 0', () => {
    const white = hexToLab('#ffffff');
    expect(white[0]).toBeCloseTo(100, 3);
    expect(white[1]).toBeCloseTo(0, 2);
    expect(white[2]).toBeCloseTo(0, 2);
    expect(hexToLab('#000000')).toEqual([0, 0, 0]);
  });

  it.each([
    // The usual reference values for the sRGB primaries under D65 (e.g. Lindbloom's calculator).
    ['#ff0000', [53.24, 80.09, 67.2]],
    ['#00ff00', [87.73, -86.18, 83.18]],
    ['#0000ff', [32.3, 79.19, -107.86]],
    ['#808080', [53.59, 0, 0]],
  ] as const)('%s is L a b %j', (hex, lab) => {
    const got = hexToLab(hex);
    for (let i = 0; i < 3; i++)
      expect(got[i], `${hex} component ${i}: ${got.join(', ')}`).toBeCloseTo(lab[i] ?? NaN, 1);
  });
});

describe('Machado et al. 2009 simulation, severity 1', () => {
  it.each(DEFICIENCIES)('%s: white and black, and every grey, look the same', (deficiency) => {
    for (const grey of [0, 0.2, 1]) {
      const out = simulate([grey, grey, grey], deficiency);
      for (const c of out) expect(c).toBeCloseTo(grey, 5);
    }
  });

  it('each matrix row sums to 1 (what keeps greys grey)', () => {
    for (const deficiency of DEFICIENCIES)
      for (const row of MACHADO_2009[deficiency]) expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 5);
  });

  it('pure red and green collapse to the same hue for a deuteranope, not for a tritanope', () => {
    // The red primary through the deuteranopia matrix is its first column, clipped to 0..1.
    expect(simulate([1, 0, 0], 'deuteranopia')).toEqual([0.367322, 0.280085, 0]);
    expect(simulate([1, 0, 0], 'protanopia')).toEqual([0.152286, 0.114503, 0]);
    expect(simulate([0, 0, 1], 'tritanopia')).toEqual([0, 0.147602, 0.3039]);
    // #cc0000 against #008000: a red and a green of about equal lightness.
    const hue = (lab: Lab) => Math.atan2(lab[2], lab[1]);
    const red = linearToLab(simulate(hexToLinear('#cc0000'), 'deuteranopia'));
    const green = linearToLab(simulate(hexToLinear('#008000'), 'deuteranopia'));
    expect(Math.abs(hue(red) - hue(green))).toBeLessThan(0.2);
    expect(colorDistance('#cc0000', '#008000', 'deuteranopia')).toBeLessThan(colorDistance('#cc0000', '#008000') / 3);
    expect(colorDistance('#cc0000', '#008000', 'tritanopia')).toBeGreaterThan(30);
  });
});

describe('CIEDE2000', () => {
  // Sharma, Wu & Dalal (2005), table 1: seven of its pairs, with their published ΔE00 (4 decimals).
  it.each([
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 0, 0], [50, -1, 2], 2.3669],
    [[50, 2.49, -0.001], [50, -2.49, 0.0011], 7.2195],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[50, 2.5, 0], [50, 0, -2.5], 4.3065],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
  ] as const)('%j vs %j: %f', (lab1, lab2, expected) => {
    expect(deltaE2000(lab1, lab2)).toBeCloseTo(expected, 4);
    expect(deltaE2000(lab2, lab1)).toBeCloseTo(expected, 4);
  });

  it('is 0 for one colour, under any simulation', () => {
    expect(colorDistance('#c8372d', '#c8372d')).toBe(0);
    for (const d of DEFICIENCIES) expect(colorDistance('#1f5fbf', '#1f5fbf', d)).toBe(0);
  });
});

describe('WCAG contrast', () => {
  it('black on white is 21:1, a colour against itself 1:1, #767676 on white about 4.54:1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 6);
    expect(contrastRatio('#c8372d', '#c8372d')).toBe(1);
    expect(contrastRatio('#ffffff', '#767676')).toBeCloseTo(4.54, 2);
  });
});
