/**
 * The (w, b) plane: the loss as a heatmap with contour lines, the two descents
 * with an arrow for each step's gradient, and the gestures of the lesson:
 * click to start both descents there, drag to pan, wheel or buttons to zoom.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import { formatNumber } from '../present/describe.ts';
import type { CliffSurfaceView } from '../store/labStore.ts';
import type { DescentStep, PlaneWindow } from '../train/cliff.ts';
import {
  CONTOUR_LEVELS,
  contourPaths,
  fromPicture,
  panWindow,
  surfacePixels,
  toPicture,
  zoomWindow,
} from './surfaceImage.ts';

export const PICTURE_W = 640;
export const PICTURE_H = 480;
/** Longest arrow drawn; a longer gradient step is capped there and labelled with its true length. */
const ARROW_CAP_PX = 60;
const DRAG_THRESHOLD_PX = 4;

/** Colours that stand out on every part of the turbo colour scale, drawn over a dark outline. */
export const PATH_COLOR = { unclipped: '#ff3df5', clipped: '#ffffff' } as const;
export type PathName = keyof typeof PATH_COLOR;

export interface CliffPlaneProps {
  window: PlaneWindow;
  surface: CliffSurfaceView | null;
  paths: Record<PathName, DescentStep[]> | null;
  /** Steps of each path drawn so far (the animation). */
  shown: number;
  start: { w: number; b: number };
  lr: number;
  onStart: (w: number, b: number) => void;
  onWindow: (window: PlaneWindow) => void;
}

function SurfaceCanvas({ surface, window }: { surface: CliffSurfaceView | null; window: PlaneWindow }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const image = useMemo(() => {
    if (!surface || typeof document === 'undefined') return null;
    const grid = document.createElement('canvas');
    grid.width = surface.cols;
    grid.height = surface.rows;
    const context = grid.getContext('2d');
    context?.putImageData(
      new ImageData(
        surfacePixels(surface.loss, surface.cols, surface.rows) as Uint8ClampedArray<ArrayBuffer>,
        surface.cols,
        surface.rows,
      ),
      0,
      0,
    );
    return grid;
  }, [surface]);
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    context.fillStyle = '#20232a';
    context.fillRect(0, 0, PICTURE_W, PICTURE_H);
    if (!image || !surface) return;
    // The surface may belong to the window before a pan or zoom: draw it where that window now sits.
    const [x0, y0] = toPicture(window, PICTURE_W, PICTURE_H, surface.window.wMin, surface.window.bMax);
    const [x1, y1] = toPicture(window, PICTURE_W, PICTURE_H, surface.window.wMax, surface.window.bMin);
    context.imageSmoothingEnabled = true;
    context.drawImage(image, x0, y0, x1 - x0, y1 - y0);
  }, [image, surface, window]);
  return (
    <canvas
      ref={ref}
      width={PICTURE_W}
      height={PICTURE_H}
      className="cliff-canvas"
      data-testid="cliff-canvas"
      aria-hidden="true"
    />
  );
}

function Arrow({
  from,
  step,
  lr,
  color,
  label,
}: {
  from: [number, number];
  step: DescentStep;
  lr: number;
  color: string;
  label: boolean;
}) {
  const [dx, dy] = [-lr * step.gradW, lr * step.gradB];
  // Picture units per plane unit are applied by the caller through `from`; here dx, dy are already in pixels.
  const length = Math.hypot(dx, dy);
  if (!(length > 0.5)) return null;
  const capped = length > ARROW_CAP_PX;
  const k = capped ? ARROW_CAP_PX / length : 1;
  const to: [number, number] = [from[0] + dx * k, from[1] + dy * k];
  const angle = Math.atan2(to[1] - from[1], to[0] - from[0]);
  const head = (a: number) => `${to[0] - 7 * Math.cos(angle + a)},${to[1] - 7 * Math.sin(angle + a)}`;
  return (
    <g className="gradient-arrow" data-capped={capped || undefined}>
      <line
        x1={from[0]}
        y1={from[1]}
        x2={to[0]}
        y2={to[1]}
        stroke={color}
        strokeWidth={1.5}
        strokeDasharray={capped ? '4 2' : undefined}
      />
      <polygon points={`${to[0]},${to[1]} ${head(0.45)} ${head(-0.45)}`} fill={color} />
      {capped && label && (
        <text x={to[0] + 4} y={to[1] - 4} className="arrow-label" fill="#fff">
          ‖g‖ = {formatNumber(step.gradNorm)} (arrow capped)
        </text>
      )}
    </g>
  );
}

function PathMarks({
  name,
  path,
  shown,
  window,
  lr,
}: {
  name: PathName;
  path: DescentStep[];
  shown: number;
  window: PlaneWindow;
  lr: number;
}) {
  const color = PATH_COLOR[name];
  // Each step drawn so far with its place on the picture.
  const marks = path
    .slice(0, Math.min(shown, path.length))
    .map((step) => ({ step, xy: toPicture(window, PICTURE_W, PICTURE_H, step.w, step.b) }));
  const lastMark = marks[marks.length - 1];
  if (!lastMark) return null;
  const scaleX = PICTURE_W / (window.wMax - window.wMin);
  const scaleY = PICTURE_H / (window.bMax - window.bMin);
  const points = marks.map((m) => m.xy);
  const current = marks.length - 1;
  // The first of the steps with the largest gradient norm.
  const largest = marks.indexOf(marks.reduce((best, m) => (m.step.gradNorm > best.step.gradNorm ? m : best)));
  const { step: last, xy: lastXY } = lastMark;
  const outside = last.w < window.wMin || last.w > window.wMax || last.b < window.bMin || last.b > window.bMax;
  const edge: [number, number] = [
    Math.min(PICTURE_W - 8, Math.max(8, lastXY[0])),
    Math.min(PICTURE_H - 8, Math.max(8, lastXY[1])),
  ];
  return (
    <g data-path={name}>
      <polyline
        points={points.map((p) => p.join(',')).join(' ')}
        fill="none"
        stroke="#000"
        strokeOpacity={0.6}
        strokeWidth={4}
      />
      <polyline points={points.map((p) => p.join(',')).join(' ')} fill="none" stroke={color} strokeWidth={2} />
      {points.map((p, i) => (
        <circle
          key={i}
          cx={p[0]}
          cy={p[1]}
          r={i === current ? 4.5 : 2.5}
          fill={color}
          stroke="#000"
          strokeWidth={0.5}
        />
      ))}
      {marks.map(({ step: s, xy }, i) =>
        i < path.length - 1 ? (
          <Arrow
            key={`a${i}`}
            from={xy}
            step={{ ...s, gradW: s.gradW * scaleX, gradB: s.gradB * scaleY }}
            lr={lr}
            color={color}
            label={i === largest || i === current}
          />
        ) : null,
      )}
      {outside && (
        <g className="off-window">
          <circle cx={edge[0]} cy={edge[1]} r={7} fill="none" stroke={color} strokeWidth={2} />
          <text
            x={edge[0] > PICTURE_W / 2 ? edge[0] - 12 : edge[0] + 12}
            y={edge[1] < 40 ? edge[1] + 22 : edge[1] - 12}
            textAnchor={edge[0] > PICTURE_W / 2 ? 'end' : 'start'}
            fill="#fff"
            className="arrow-label"
          >
            {name}: thrown off the picture, to w = {formatNumber(last.w)}, b = {formatNumber(last.b)}
          </text>
        </g>
      )}
    </g>
  );
}

export function CliffPlane({ window, surface, paths, shown, start, lr, onStart, onWindow }: CliffPlaneProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ x: number; y: number; window: PlaneWindow; moved: boolean } | null>(null);
  const [dragWindow, setDragWindow] = useState<PlaneWindow | null>(null);
  const view = dragWindow ?? window;
  const contoursD = useMemo(() => {
    if (!surface) return [];
    // Contours are traced in the surface's own window, then placed like the canvas.
    return contourPaths(surface.loss, surface.cols, surface.rows, PICTURE_W, PICTURE_H);
  }, [surface]);
  // Where the surface's window sits on the picture: its top-left (x0, y0) and bottom-right (x1, y1) corners.
  let surfaceTransform: string | null = null;
  if (surface) {
    const [x0, y0] = toPicture(view, PICTURE_W, PICTURE_H, surface.window.wMin, surface.window.bMax);
    const [x1, y1] = toPicture(view, PICTURE_W, PICTURE_H, surface.window.wMax, surface.window.bMin);
    surfaceTransform = `translate(${x0},${y0}) scale(${(x1 - x0) / PICTURE_W},${(y1 - y0) / PICTURE_H})`;
  }

  const pictureXY = (event: { clientX: number; clientY: number }): [number, number] => {
    const box = svgRef.current?.getBoundingClientRect();
    if (!box) return [0, 0];
    return [((event.clientX - box.left) / box.width) * PICTURE_W, ((event.clientY - box.top) / box.height) * PICTURE_H];
  };
  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    const [x, y] = pictureXY(event);
    svgRef.current?.setPointerCapture?.(event.pointerId);
    setDrag({ x, y, window, moved: false });
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (!drag) return;
    const [x, y] = pictureXY(event);
    if (!drag.moved && Math.hypot(x - drag.x, y - drag.y) < DRAG_THRESHOLD_PX) return;
    const dw = ((drag.x - x) / PICTURE_W) * (drag.window.wMax - drag.window.wMin);
    const db = ((y - drag.y) / PICTURE_H) * (drag.window.bMax - drag.window.bMin);
    setDrag({ ...drag, moved: true });
    setDragWindow(panWindow(drag.window, dw, db));
  };
  const onPointerUp = (event: PointerEvent<SVGSVGElement>) => {
    if (!drag) return;
    if (drag.moved && dragWindow) onWindow(dragWindow);
    else {
      const [x, y] = pictureXY(event);
      onStart(...fromPicture(window, PICTURE_W, PICTURE_H, x, y));
    }
    setDrag(null);
    setDragWindow(null);
  };
  const onWheel = (event: WheelEvent<SVGSVGElement>) => {
    const [x, y] = pictureXY(event);
    const [w, b] = fromPicture(window, PICTURE_W, PICTURE_H, x, y);
    onWindow(zoomWindow(window, event.deltaY > 0 ? 1.25 : 0.8, w, b));
  };
  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    const spanW = window.wMax - window.wMin;
    const spanB = window.bMax - window.bMin;
    const centre: [number, number] = [(window.wMin + window.wMax) / 2, (window.bMin + window.bMax) / 2];
    const moves: Record<string, () => void> = {
      ArrowLeft: () => onWindow(panWindow(window, -0.1 * spanW, 0)),
      ArrowRight: () => onWindow(panWindow(window, 0.1 * spanW, 0)),
      ArrowUp: () => onWindow(panWindow(window, 0, 0.1 * spanB)),
      ArrowDown: () => onWindow(panWindow(window, 0, -0.1 * spanB)),
      '+': () => onWindow(zoomWindow(window, 0.8, ...centre)),
      '=': () => onWindow(zoomWindow(window, 0.8, ...centre)),
      '-': () => onWindow(zoomWindow(window, 1.25, ...centre)),
      Enter: () => onStart(...centre),
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      move();
    }
  };
  const startXY = toPicture(view, PICTURE_W, PICTURE_H, start.w, start.b);
  return (
    <div className="cliff-plane">
      <SurfaceCanvas surface={surface} window={view} />
      <svg
        ref={svgRef}
        viewBox={`0 0 ${PICTURE_W} ${PICTURE_H}`}
        className="cliff-overlay"
        role="application"
        tabIndex={0}
        aria-label="The loss over w (across) and b (up). Click to start both descents at a point; drag or use the arrow keys to pan; wheel or + and - to zoom; Enter starts at the centre."
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          setDrag(null);
          setDragWindow(null);
        }}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
      >
        <defs>
          <clipPath id="cliff-clip">
            <rect width={PICTURE_W} height={PICTURE_H} />
          </clipPath>
        </defs>
        <g clipPath="url(#cliff-clip)">
          {surfaceTransform && (
            <g transform={surfaceTransform}>
              {contoursD.map((c) => (
                <path
                  key={c.level}
                  d={c.d}
                  fill="none"
                  stroke="rgba(255,255,255,0.55)"
                  strokeWidth={c.level === CONTOUR_LEVELS[0] ? 1.4 : 0.8}
                  vectorEffect="non-scaling-stroke"
                  data-level={c.level}
                />
              ))}
            </g>
          )}
          {paths &&
            (['unclipped', 'clipped'] as const).map((name) => (
              <PathMarks key={name} name={name} path={paths[name]} shown={shown} window={view} lr={lr} />
            ))}
          <circle
            cx={startXY[0]}
            cy={startXY[1]}
            r={7}
            fill="none"
            stroke="#fff"
            strokeWidth={2}
            data-testid="cliff-start"
          />
        </g>
      </svg>
    </div>
  );
}
