/**
 * Shared axis domains, so side-by-side charts can be compared at a glance, and the log axis every
 * log chart draws: a tick at every decade it spans, labels thinned only when they would collide, and
 * an axis break when one run's values are far off the scale of the others.
 */
import { formatNumber } from '../present/describe.ts';

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

/** Ticks at every power of ten in a log domain. */
export function decadeTicks([lo, hi]: [number, number]): number[] {
  const first = Math.round(Math.log10(lo));
  const last = Math.round(Math.log10(hi));
  const ticks: number[] = [];
  for (let e = first; e <= last; e++) ticks.push(10 ** e);
  return ticks;
}

/** Fewest pixels between two unlabelled decade ticks. */
export const MIN_TICK_SPACING_PX = 5;

/** Fewest pixels between two tick labels of a y axis (one line of 11-12 px text and a little air). */
export const MIN_LABEL_SPACING_PX = 16;

/**
 * Which of `count` evenly spaced ticks over `px` pixels get a label: every one when they fit,
 * otherwise every k-th, counted from the first so the labels stay on round decades.
 */
export function labelStride(count: number, px: number, spacing = MIN_LABEL_SPACING_PX): number {
  if (count <= 1) return 1;
  const gap = px / (count - 1);
  return Math.max(1, Math.ceil(spacing / Math.max(gap, 1e-9)));
}

/** A decade tick of a log axis: where it sits (0 at the bottom, 1 at the top) and its label ('' when thinned). */
export interface AxisTick {
  unit: number;
  value: number;
  label: string;
}

/**
 * A log y axis drawn on a linear 0..1 scale, so it can carry a break: values are plotted at `toUnit(v)`.
 * Without a break, 0..1 is the decades of [lo, hi] evenly. With one, the decades up to `breakValue`
 * take the bottom BREAK_UNIT of the height and the decades above it are squeezed into the rest.
 */
export interface LogAxis {
  lo: number;
  hi: number;
  /** The value at the break, or null when the axis is one plain log scale. */
  breakValue: number | null;
  toUnit(value: number): number;
  fromUnit(unit: number): number;
  ticks: AxisTick[];
}

/** With a break, the part of the height the values up to the break take. */
export const BREAK_UNIT = 0.8;
/** A break is made only when the other values reach this many decades above the focus values. */
export const BREAK_MIN_DECADES = 3;

function segmentTicks(
  firstExp: number,
  lastExp: number,
  unitOf: (e: number) => number,
  px: number,
  anchor: 'first' | 'last' = 'first',
): AxisTick[] {
  const stride = labelStride(lastExp - firstExp + 1, px);
  // Decades closer than this are a hatch, not ticks: a squeezed segment keeps only its labelled ones.
  const crowded = lastExp > firstExp && px / (lastExp - firstExp) < MIN_TICK_SPACING_PX;
  const out: AxisTick[] = [];
  for (let e = firstExp; e <= lastExp; e++) {
    const value = 10 ** e;
    const k = anchor === 'first' ? e - firstExp : lastExp - e;
    const label = k % stride === 0 ? formatNumber(value, 2) : '';
    if (label !== '' || !crowded) out.push({ unit: unitOf(e), value, label });
  }
  return out;
}

/**
 * The log axis for `values`, `plotPx` pixels tall. `focus`, when given, are the values that must fill
 * the chart (the runs that did not diverge): if the others reach BREAK_MIN_DECADES decades or more
 * above them, the axis breaks at the top of the focus values' decades.
 */
export function logAxis(values: readonly number[], plotPx: number, focus?: readonly number[]): LogAxis {
  const [lo, hi] = logDomain(values);
  const eLo = Math.round(Math.log10(lo));
  const eHi = Math.round(Math.log10(hi));
  let eBreak: number | null = null;
  if (focus && focus.some((v) => Number.isFinite(v) && v > 0)) {
    const [, focusHi] = logDomain(focus);
    const e = Math.round(Math.log10(focusHi));
    if (eHi - e >= BREAK_MIN_DECADES && e > eLo) eBreak = e;
  }
  // The same axis object while the decades stay the same, so a chart redrawn with new points does not
  // hand recharts a new axis (new ticks, new formatter), which would make it recompute every setting.
  const key = `${eLo},${eHi},${eBreak},${plotPx}`;
  const cached = AXES.get(key);
  if (cached) return cached;
  const axis = buildAxis(lo, hi, eLo, eHi, eBreak, plotPx);
  if (AXES.size >= 256) AXES.clear();
  AXES.set(key, axis);
  return axis;
}

const AXES = new Map<string, LogAxis>();

function buildAxis(lo: number, hi: number, eLo: number, eHi: number, eBreak: number | null, plotPx: number): LogAxis {
  if (eBreak === null) {
    const span = Math.max(1, eHi - eLo);
    const toUnit = (v: number) => (Math.log10(v) - eLo) / span;
    const ticks = segmentTicks(eLo, eHi, (e) => (e - eLo) / span, plotPx);
    // One or two decades: 2 and 5 times each decade too, or the axis would say little more than "1 to 10".
    if (span <= 2)
      for (let e = eLo; e < eHi; e++)
        for (const m of [2, 5])
          ticks.push({ unit: toUnit(m * 10 ** e), value: m * 10 ** e, label: formatNumber(m * 10 ** e, 2) });
    ticks.sort((a, b) => a.unit - b.unit);
    return { lo, hi, breakValue: null, toUnit, fromUnit: (u) => 10 ** (eLo + u * span), ticks };
  }
  const b = eBreak;
  const below = b - eLo;
  const above = eHi - b;
  const toUnit = (v: number) => {
    const e = Math.log10(v);
    return e <= b ? ((e - eLo) / below) * BREAK_UNIT : BREAK_UNIT + ((e - b) / above) * (1 - BREAK_UNIT);
  };
  const fromUnit = (u: number) =>
    u <= BREAK_UNIT
      ? 10 ** (eLo + (u / BREAK_UNIT) * below)
      : 10 ** (b + ((u - BREAK_UNIT) / (1 - BREAK_UNIT)) * above);
  const lower = segmentTicks(eLo, b, (e) => ((e - eLo) / below) * BREAK_UNIT, plotPx * BREAK_UNIT);
  // Above the break, labelled from the top down; the break's own decade is already labelled below.
  const upper = segmentTicks(b, eHi, (e) => toUnit(10 ** e), plotPx * (1 - BREAK_UNIT), 'last').slice(1);
  const upperStride = labelStride(above + 1, plotPx * (1 - BREAK_UNIT));
  for (const t of upper) {
    const e = Math.round(Math.log10(t.value));
    if (e !== eHi && e - b < upperStride) t.label = '';
  }
  const upperCrowded = (plotPx * (1 - BREAK_UNIT)) / above < MIN_TICK_SPACING_PX;
  const kept = upperCrowded ? upper.filter((t) => t.label !== '') : upper;
  return { lo, hi, breakValue: 10 ** b, toUnit, fromUnit, ticks: [...lower, ...kept] };
}

/**
 * Round values to label a linear axis over [lo, hi]: about `count` of them, a step of 1, 2, 2.5 or 5 times a
 * power of ten, every multiple of it inside the range (ends included when they are multiples).
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo || count < 2) return Number.isFinite(lo) ? [lo] : [];
  const rough = (hi - lo) / (count - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough * (1 - 1e-9)) ?? 10) * power;
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  // Multiples written from k and the step, rounded to the step's decimals: 0.1 * 3 is 0.3, not 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let k = first; k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(decimals)));
  return out;
}
