/** The line canvas: each line's dash and its run's markers, painted on a recording stand-in for a 2D context. */
import { describe, expect, it } from 'vitest';
import {
  BAND_ALPHA,
  bandPolygon,
  DASH,
  FIRST_POINT_PX,
  MARKER_EVERY_PX,
  markerPositions,
  markerSvgPath,
  paint,
  type CanvasPicture,
  type PlotGeometry,
} from './lineCanvas.ts';
import { MODE_COLOR, runStyle, type LineMarker } from './palette.ts';
import type { ClipConfig } from '../experiment/config.ts';

/** Plot area 400 x 100 px at (50, 10); x 0..400 steps, y 0..1 up. */
const G: PlotGeometry = { x: 50, y: 10, width: 400, height: 100, ax: 1, bx: 50, ay: -100, by: 110 };

interface Call {
  name: string;
  args: unknown[];
  /** The context's stroke and fill styles and dash when the call was made. */
  strokeStyle: unknown;
  fillStyle: unknown;
  dash: number[];
}

/** A canvas whose context records every call, with the styles in force at that moment. */
function recordingCanvas() {
  const calls: Call[] = [];
  const state = { strokeStyle: '' as unknown, fillStyle: '' as unknown, dash: [] as number[] };
  const stack: (typeof state)[] = [];
  const context = new Proxy({} as Record<string | symbol, unknown>, {
    get(target, name) {
      if (name === 'strokeStyle' || name === 'fillStyle') return state[name];
      if (name in target) return target[name];
      return (...args: unknown[]) => {
        calls.push({ name: String(name), args, ...state, dash: [...state.dash] });
        if (name === 'setLineDash') state.dash = [...(args[0] as number[])];
        if (name === 'save') stack.push({ ...state, dash: [...state.dash] });
        if (name === 'restore') Object.assign(state, stack.pop());
      };
    },
    set(target, name, value) {
      if (name === 'strokeStyle' || name === 'fillStyle') state[name] = value;
      else target[name] = value;
      return true;
    },
  });
  const canvas = { width: 0, height: 0, getContext: () => context } as unknown as HTMLCanvasElement;
  return { canvas, calls };
}

const clip = (mode: ClipConfig['mode']): ClipConfig => ({ mode, min: -1, max: 1, threshold: 1, normType: '2' });
const RACE = {
  baseline: { clip: clip('none') },
  clipped: { clip: clip('value') },
  third: { clip: clip('norm') },
  fourth: { clip: clip('global') },
};
const ramp = Array.from({ length: 401 }, (_, i) => ({ x: i, y: i / 400 }));
const picture = (lines: CanvasPicture['lines']): CanvasPicture => ({ lines, toY: (v) => v });

describe('paint', () => {
  it("strokes each line with its own dash: solid for a run's line, DASH for its clipped twin", () => {
    const { canvas, calls } = recordingCanvas();
    paint(
      canvas,
      G,
      picture([
        { ...runStyle(RACE, 'baseline'), points: ramp },
        { ...runStyle(RACE, 'fourth'), points: ramp },
        { ...runStyle(RACE, 'fourth'), dashed: true, points: ramp },
      ]),
      1,
    );
    const strokes = calls.filter((c) => c.name === 'stroke');
    // Line strokes come first in each line's turn; marker outlines are stroked in white or after a save.
    const lineStrokes = strokes.filter((c) => c.strokeStyle !== '#ffffff');
    expect(lineStrokes.map((c) => [c.strokeStyle, c.dash])).toEqual([
      [MODE_COLOR.none, []],
      [MODE_COLOR.global, []],
      [MODE_COLOR.global, DASH],
    ]);
    expect(calls.filter((c) => c.name === 'setLineDash').map((c) => c.args[0])).toContainEqual(DASH);
    // The markers come after every line, so no later line covers them.
    const lastLine = calls.lastIndexOf(lineStrokes.at(-1) as Call);
    expect(calls.findIndex((c) => c.name === 'fill')).toBeGreaterThan(lastLine);
  });

  it("draws a run's only point as a dot in its colour where the point is, and no line", () => {
    const { canvas, calls } = recordingCanvas();
    // Step 100 at y 0.5: x = 1 * 100 + 50, y = -100 * 0.5 + 110.
    paint(canvas, G, picture([{ ...runStyle(RACE, 'fourth'), points: [{ x: 100, y: 0.5 }] }]), 1);
    expect(calls.filter((c) => c.name === 'lineTo')).toEqual([]);
    const arcs = calls.filter((c) => c.name === 'arc');
    expect(arcs.map((c) => c.args.slice(0, 3))).toEqual([[150, 60, FIRST_POINT_PX / 2]]);
    expect(calls.filter((c) => c.name === 'fill').map((c) => c.fillStyle)).toEqual([MODE_COLOR.global]);
    expect(calls.filter((c) => c.name === 'stroke').map((c) => [c.strokeStyle, c.dash])).toEqual([
      [MODE_COLOR.global, []],
    ]);
  });

  it("draws a clipped run's markers in its colour, solid even on a dashed line, and none on the unclipped run", () => {
    const { canvas, calls } = recordingCanvas();
    paint(canvas, G, picture([{ ...runStyle(RACE, 'baseline'), points: ramp }]), 1);
    expect(calls.filter((c) => c.name === 'fill')).toEqual([]);

    const marked = recordingCanvas();
    paint(marked.canvas, G, picture([{ ...runStyle(RACE, 'clipped'), dashed: true, points: ramp }]), 1);
    const fills = marked.calls.filter((c) => c.name === 'fill');
    expect(fills).toHaveLength(1);
    expect(fills[0]?.fillStyle).toBe(MODE_COLOR.value);
    expect(fills[0]?.dash).toEqual([]);
    // Squares for value clipping: one rect per marker, 400 px / MARKER_EVERY_PX of them.
    const rects = marked.calls.filter((c) => c.name === 'rect');
    expect(rects.length).toBe(Math.floor((400 - 6) / MARKER_EVERY_PX) + 1);
    expect(marked.calls.filter((c) => c.name === 'arc')).toEqual([]);
  });

  it('a hollow marker is white inside, outlined in the run colour', () => {
    const { canvas, calls } = recordingCanvas();
    const hollow: LineMarker = { shape: 'circle', hollow: true };
    paint(canvas, G, picture([{ color: '#d97100', marker: hollow, points: ramp }]), 1);
    const fill = calls.find((c) => c.name === 'fill');
    expect(fill?.fillStyle).toBe('#ffffff');
    const outline = calls.filter((c) => c.name === 'stroke').at(-1);
    expect(outline?.strokeStyle).toBe('#d97100');
    expect(calls.filter((c) => c.name === 'arc').length).toBeGreaterThan(2);
  });
});

describe('markerPositions', () => {
  it('puts a marker every MARKER_EVERY_PX in x, on the line, from an offset that depends on the shape', () => {
    // A straight line from (50, 110) to (450, 10).
    const xy = [50, 110, 250, 60, 450, 10];
    const at = markerPositions(xy, 50, { shape: 'square', hollow: false });
    const xs = at.filter((_, i) => i % 2 === 0);
    expect(xs[0]).toBe(56);
    for (let i = 1; i < xs.length; i++) expect((xs[i] ?? 0) - (xs[i - 1] ?? 0)).toBe(MARKER_EVERY_PX);
    for (let i = 0; i < at.length; i += 2) expect(at[i + 1]).toBeCloseTo(110 - ((at[i] ?? 0) - 50) / 4, 9);
    const circles = markerPositions(xy, 50, { shape: 'circle', hollow: false });
    const hollowCircles = markerPositions(xy, 50, { shape: 'circle', hollow: true });
    expect(circles[0]).not.toBe(xs[0]);
    expect(hollowCircles[0]).not.toBe(circles[0]);
  });

  it('keeps one grid of x along long and short segments alike, and draws none on an empty line', () => {
    const at = markerPositions([50, 10, 60, 10, 300, 20, 450, 20], 50, { shape: 'square', hollow: false });
    const xs = at.filter((_, i) => i % 2 === 0);
    expect(xs).toEqual([56, 140, 224, 308, 392]);
    expect(markerPositions([], 50, { shape: 'square', hollow: false })).toEqual([]);
  });
});

describe('markerSvgPath', () => {
  it('draws the shapes the canvas draws, centred where asked', () => {
    expect(markerSvgPath('diamond', 10, 10, 8)).toBe('M10,5.4L14.6,10L10,14.6L5.4,10Z');
    expect(markerSvgPath('square', 0, 0, 10)).toBe('M-4.4,-4.4h8.8v8.8h-8.8Z');
    expect(markerSvgPath('circle', 0, 0, 10)).toBe('M5,0A5,5 0 1 1 -5,0A5,5 0 1 1 5,0Z');
    expect(markerSvgPath('triangle', 0, 0, 10)).toMatch(/^M0,-5\.5L5\.25,3\.75L-5\.25,3\.75Z$/);
  });
});

describe('a seed band', () => {
  it('is outlined along its lowest seed left to right, then back along its highest', () => {
    const lo = [0, 100, 200].map((x) => ({ x, y: 0.2 }));
    const hi = [0, 100, 200].map((x) => ({ x, y: 0.8 }));
    // y 0.2 is 110 - 20 = 90 px, y 0.8 is 30 px; x 0, 100, 200 are 50, 150, 250 px.
    expect(bandPolygon({ lo, hi }, (v) => v, G)).toEqual([50, 90, 150, 90, 250, 90, 250, 30, 150, 30, 50, 30]);
    expect(bandPolygon({ lo: lo.slice(0, 1), hi }, (v) => v, G)).toEqual([]);
  });

  it('is filled translucent in the run colour, under every line', () => {
    const { canvas, calls } = recordingCanvas();
    const band = { lo: ramp.map((p) => ({ x: p.x, y: p.y / 2 })), hi: ramp };
    const style = runStyle(RACE, 'clipped');
    paint(
      canvas,
      G,
      picture([
        { ...runStyle(RACE, 'baseline'), points: ramp },
        { ...style, points: ramp, band },
      ]),
      1,
    );
    const fills = calls.filter((c) => c.name === 'fill' && c.fillStyle === style.color);
    expect(fills.length).toBeGreaterThan(0);
    const firstFill = calls.indexOf(fills[0] as Call);
    const firstStroke = calls.findIndex((c) => c.name === 'stroke');
    expect(firstFill).toBeLessThan(firstStroke);
    // Set between save and restore, so the lines after it are opaque again.
    const save = calls.slice(0, firstFill).findLastIndex((c) => c.name === 'save');
    expect(save).toBeGreaterThanOrEqual(0);
    expect(BAND_ALPHA).toBeLessThan(0.5);
  });
});
