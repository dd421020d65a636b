/**
 * How a colour looks to the common colour-vision deficiencies, and how far apart two colours look: pure
 * functions, used by the palette's tests to keep run colours distinguishable.
 *
 * Simulation: Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
 * Vision Deficiency", IEEE TVCG 15(6), the matrices for severity 1.0 (dichromacy), applied to linear RGB.
 * Colour difference: CIEDE2000 (CIE 142-2001), written after Sharma, Wu & Dalal (2005), "The CIEDE2000
 * color-difference formula: implementation notes, supplementary test data, and mathematical observations".
 */

/** Linear-light RGB, each channel 0..1. */
export type Rgb = readonly [number, number, number];
/** CIELAB under D65: L* 0..100, a*, b*. */
export type Lab = readonly [number, number, number];
type Matrix = readonly [Rgb, Rgb, Rgb];

export type Deficiency = 'deuteranopia' | 'protanopia' | 'tritanopia';
export const DEFICIENCIES: readonly Deficiency[] = ['deuteranopia', 'protanopia', 'tritanopia'];

/** Machado et al. 2009, table for severity 1.0; each row sums to 1, so greys (white, black) stay as they are. */
export const MACHADO_2009: Record<Deficiency, Matrix> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

/** sRGB (IEC 61966-2-1) to XYZ, D65 white. */
const RGB_TO_XYZ: Matrix = [
  [0.4124564, 0.3575761, 0.1804375],
  [0.2126729, 0.7151522, 0.072175],
  [0.0193339, 0.119192, 0.9503041],
];
/** The D65 white point the matrix above maps (1, 1, 1) to. */
const WHITE_XYZ: Rgb = [0.95047, 1, 1.08883];

function multiply(m: Matrix, v: Rgb): Rgb {
  return [
    m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
    m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
    m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
  ];
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** '#rrggbb' (or '#rgb') to linear RGB. */
export function hexToLinear(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
  if (!m?.[1]) throw new Error(`not a hex colour: "${hex}"`);
  const digits = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  const channel = (i: number) => srgbToLinear(parseInt(digits.slice(2 * i, 2 * i + 2), 16) / 255);
  return [channel(0), channel(1), channel(2)];
}

/** One sRGB channel (0..1, gamma-encoded) to linear light. */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** How a dichromat of this kind sees `rgb` (linear), as the linear RGB a typical viewer would match it with. */
export function simulate(rgb: Rgb, deficiency: Deficiency): Rgb {
  const [r, g, b] = multiply(MACHADO_2009[deficiency], rgb);
  return [clamp01(r), clamp01(g), clamp01(b)];
}

/** Linear RGB to CIELAB (D65). */
export function linearToLab(rgb: Rgb): Lab {
  const xyz = multiply(RGB_TO_XYZ, rgb);
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116);
  const fx = f(xyz[0] / WHITE_XYZ[0]);
  const fy = f(xyz[1] / WHITE_XYZ[1]);
  const fz = f(xyz[2] / WHITE_XYZ[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** A hex colour in CIELAB, as seen with normal vision or simulated for `deficiency`. */
export function hexToLab(hex: string, deficiency?: Deficiency): Lab {
  const rgb = hexToLinear(hex);
  return linearToLab(deficiency ? simulate(rgb, deficiency) : rgb);
}

const DEG = Math.PI / 180;

/** CIEDE2000 colour difference (kL = kC = kH = 1), as in Sharma et al. 2005, equations 1-22. */
export function deltaE2000(lab1: Lab, lab2: Lab): number {
  const [L1, a1, b1] = lab1;
  const [L2, a2, b2] = lab2;
  const cBar = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const g = 0.5 * (1 - Math.sqrt(cBar ** 7 / (cBar ** 7 + 25 ** 7)));
  const a1p = (1 + g) * a1;
  const a2p = (1 + g) * a2;
  const c1p = Math.hypot(a1p, b1);
  const c2p = Math.hypot(a2p, b2);
  const hueDeg = (b: number, a: number) => (b === 0 && a === 0 ? 0 : (Math.atan2(b, a) / DEG + 360) % 360);
  const h1p = hueDeg(b1, a1p);
  const h2p = hueDeg(b2, a2p);

  const dLp = L2 - L1;
  const dCp = c2p - c1p;
  let dhp = 0;
  if (c1p * c2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(c1p * c2p) * Math.sin((dhp / 2) * DEG);

  const lBarP = (L1 + L2) / 2;
  const cBarP = (c1p + c2p) / 2;
  let hBarP = h1p + h2p;
  if (c1p * c2p !== 0) {
    if (Math.abs(h1p - h2p) <= 180) hBarP = (h1p + h2p) / 2;
    else if (h1p + h2p < 360) hBarP = (h1p + h2p + 360) / 2;
    else hBarP = (h1p + h2p - 360) / 2;
  }
  const t =
    1 -
    0.17 * Math.cos((hBarP - 30) * DEG) +
    0.24 * Math.cos(2 * hBarP * DEG) +
    0.32 * Math.cos((3 * hBarP + 6) * DEG) -
    0.2 * Math.cos((4 * hBarP - 63) * DEG);
  const dTheta = 30 * Math.exp(-(((hBarP - 275) / 25) ** 2));
  const rc = 2 * Math.sqrt(cBarP ** 7 / (cBarP ** 7 + 25 ** 7));
  const sl = 1 + (0.015 * (lBarP - 50) ** 2) / Math.sqrt(20 + (lBarP - 50) ** 2);
  const sc = 1 + 0.045 * cBarP;
  const sh = 1 + 0.015 * cBarP * t;
  const rt = -Math.sin(2 * dTheta * DEG) * rc;
  return Math.sqrt((dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dCp / sc) * (dHp / sh));
}

/** How different two hex colours look, in ΔE00, with normal vision or simulated for `deficiency`. */
export function colorDistance(hex1: string, hex2: string, deficiency?: Deficiency): number {
  return deltaE2000(hexToLab(hex1, deficiency), hexToLab(hex2, deficiency));
}

/** WCAG 2 relative luminance of a hex colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = hexToLinear(hex);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two hex colours (1..21). */
export function contrastRatio(hex1: string, hex2: string): number {
  const l1 = relativeLuminance(hex1);
  const l2 = relativeLuminance(hex2);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}
