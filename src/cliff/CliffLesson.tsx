/**
 * The cliff lesson: the paper's figure made live. The plane on the left, the
 * per-step loss and gradient norm of both descents on the right, the lesson's
 * settings below. Settings live in the store (and so in the link); the
 * animation's progress is local to this view.
 */
import { useEffect, useMemo, useState } from 'react';
import { CLIFF_FIELDS, CLIFF_PAPER, DEFAULT_CLIFF, MIN_WINDOW_SPAN, type CliffClipMode } from '../experiment/cliff.ts';
import { formatNumber } from '../present/describe.ts';
import { PAGE_SURFACE_CELLS, pathsKey, startCliffSync } from '../store/cliffSession.ts';
import { useLab } from '../store/labStore.ts';
import type { PlaneWindow } from '../train/cliff.ts';
import { lookTextColor, useChartLook } from '../charts/chartLook.ts';
import { MODE_COLOR, modeMarker, type LineMarker } from '../charts/palette.ts';
import { StepChart } from '../charts/StepChart.tsx';
import { logDomain } from '../charts/scales.ts';
import { NumberField } from '../widgets/NumberField.tsx';
import { RangeField } from '../widgets/RangeField.tsx';
import { CliffPlane, PATH_COLOR } from './CliffPlane.tsx';
import { LOG_LOSS_MAX, LOG_LOSS_MIN, colourOf, roundForLink, zoomWindow } from './surfaceImage.ts';

const STEPS_PER_SECOND = 10;

function useAnimation(total: number, key: string | null): [number, () => void, () => void] {
  const [shown, setShown] = useState(0);
  const [run, setRun] = useState(0);
  // A new descent (or a replay) starts the animation again; adjusted while rendering, not in an effect.
  const [started, setStarted] = useState({ key, run });
  if (started.key !== key || started.run !== run) {
    setStarted({ key, run });
    setShown(0);
  }
  useEffect(() => {
    if (key === null || shown >= total) return;
    const timer = setTimeout(() => setShown((s) => s + 1), 1000 / STEPS_PER_SECOND);
    return () => clearTimeout(timer);
  }, [key, shown, total]);
  return [shown, () => setRun((r) => r + 1), () => setShown(total)];
}

function ColourLegend() {
  const stops = Array.from({ length: 11 }, (_, i) => LOG_LOSS_MIN + (i / 10) * (LOG_LOSS_MAX - LOG_LOSS_MIN));
  return (
    <div className="colour-legend" aria-label="Colour scale: loss from 1e-5 (blue) to 0.5 (red), logarithmic">
      <span>loss 1e-5</span>
      <span
        className="bar"
        style={{ background: `linear-gradient(to right, ${stops.map((s) => colourOf(10 ** s)).join(', ')})` }}
      />
      <span>0.5 (log scale)</span>
    </div>
  );
}

function Axes({ window }: { window: PlaneWindow }) {
  return (
    <div className="cliff-axes" aria-hidden="true">
      <span>
        w: {formatNumber(window.wMin)} to {formatNumber(window.wMax)} (across)
      </span>
      <span>
        b: {formatNumber(window.bMin)} to {formatNumber(window.bMax)} (up)
      </span>
    </div>
  );
}

/**
 * The clipped descent's colour, as palette.ts colours each clipping mode: the cliff's norm clipping rescales
 * the whole (dw, db) gradient, which is global-norm clipping (purple); value clipping is blue.
 */
const CLIPPED_COLOR: Record<CliffClipMode, { color: string; name: string; marker: LineMarker | undefined }> = {
  norm: { color: MODE_COLOR.global, name: 'purple', marker: modeMarker('global') },
  value: { color: MODE_COLOR.value, name: 'blue', marker: modeMarker('value') },
};

export function CliffLesson() {
  const cliff = useLab((s) => s.cliff);
  const look = useChartLook();
  const clippedColor = CLIPPED_COLOR[cliff.clipMode].color;
  // The clipped lines carry their mode's marker too, as on the lab's charts (palette.ts's MODE_MARKER).
  const clippedMarker = CLIPPED_COLOR[cliff.clipMode].marker;
  const setCliff = useLab((s) => s.setCliff);
  const surface = useLab((s) => s.cliffSurface);
  const pathsView = useLab((s) => s.cliffPaths);
  const backend = useLab((s) => s.cliffBackend);
  const error = useLab((s) => s.cliffError);
  const notices = useLab((s) => s.cliffNotices);
  const locked = useLab((s) => s.view.locked.includes('cliff'));
  useEffect(() => startCliffSync(), []);

  const current = pathsView !== null && pathsView.key === pathsKey(cliff) ? pathsView : null;
  const total = current ? current.unclipped.length : 0;
  const [shown, replay, showAll] = useAnimation(total, current?.key ?? null);
  const window: PlaneWindow = { wMin: cliff.wMin, wMax: cliff.wMax, bMin: cliff.bMin, bMax: cliff.bMax };

  const setWindow = (next: PlaneWindow) => {
    const spanW = next.wMax - next.wMin;
    const spanB = next.bMax - next.bMin;
    const limit = (v: number, spec: { min?: number; max?: number }) =>
      Math.min(spec.max ?? v, Math.max(spec.min ?? v, v));
    if (!(spanW >= MIN_WINDOW_SPAN && spanB >= MIN_WINDOW_SPAN && spanW <= 200 && spanB <= 200)) return;
    setCliff({
      wMin: roundForLink(limit(next.wMin, CLIFF_FIELDS.wMin.spec), spanW),
      wMax: roundForLink(limit(next.wMax, CLIFF_FIELDS.wMax.spec), spanW),
      bMin: roundForLink(limit(next.bMin, CLIFF_FIELDS.bMin.spec), spanB),
      bMax: roundForLink(limit(next.bMax, CLIFF_FIELDS.bMax.spec), spanB),
    });
  };
  const commit = (patch: Partial<typeof cliff>): null => {
    setCliff(patch);
    return null;
  };
  const setStart = (w: number, b: number) =>
    setCliff({ w0: roundForLink(w, cliff.wMax - cliff.wMin), b0: roundForLink(b, cliff.bMax - cliff.bMin) });

  const chartData = useMemo(() => {
    if (!current) return null;
    const slice = (name: 'unclipped' | 'clipped', field: 'loss' | 'gradNorm') =>
      current[name].slice(0, Math.max(1, shown)).map((s, i) => ({ x: i, y: s[field] }));
    return {
      loss: { unclipped: slice('unclipped', 'loss'), clipped: slice('clipped', 'loss') },
      norm: { unclipped: slice('unclipped', 'gradNorm'), clipped: slice('clipped', 'gradNorm') },
    };
  }, [current, shown]);
  const lossDomain = logDomain(current ? [...current.unclipped, ...current.clipped].map((s) => s.loss) : [], [1e-4, 1]);
  const normDomain = logDomain(
    current ? [...current.unclipped, ...current.clipped].map((s) => s.gradNorm) : [],
    [1e-3, 10],
  );
  // The step drawn last, in both descents (none before the animation starts).
  const lastUnclipped = shown > 0 ? current?.unclipped[shown - 1] : undefined;
  const lastClipped = shown > 0 ? current?.clipped[shown - 1] : undefined;
  const last = lastUnclipped && lastClipped ? { unclipped: lastUnclipped, clipped: lastClipped } : null;

  return (
    <section className="cliff" aria-labelledby="cliff-title">
      <header>
        <h2 id="cliff-title">The cliff: gradient descent next to a wall</h2>
        <p>
          One hidden unit, no input: x<sub>t</sub> = w·σ(x<sub>t−1</sub>) + b, run for T steps from x<sub>0</sub> ={' '}
          {CLIFF_PAPER.x0}, with the error E = (σ(x<sub>T</sub>) − {CLIFF_PAPER.target})². This is the model of figure 6
          in Pascanu, Mikolov and Bengio (2013), "On the difficulty of training recurrent neural networks"
          (arXiv:1211.5063, section 2.3), with their x<sub>0</sub> = 0.5, target 0.7 and T = {CLIFF_PAPER.steps}. Where
          a tiny change of (w, b) decides which state the recurrence settles into, the loss jumps: a wall, next to the
          valley of good solutions.
        </p>
      </header>
      {error && (
        <p className="crashed" role="alert">
          {error}
        </p>
      )}
      {notices.map((n, i) => (
        <p key={i} className="notice">
          {n}
        </p>
      ))}
      <div className="cliff-body">
        <figure className="cliff-figure">
          <CliffPlane
            window={window}
            surface={surface}
            paths={current ? { unclipped: current.unclipped, clipped: current.clipped } : null}
            shown={shown}
            start={{ w: cliff.w0, b: cliff.b0 }}
            lr={cliff.lr}
            onStart={setStart}
            onWindow={setWindow}
          />
          <Axes window={window} />
          <ColourLegend />
          <figcaption className="hint" data-testid="cliff-status">
            {surface
              ? surface.cols === PAGE_SURFACE_CELLS && !surface.final
                ? `Surface ${surface.cols} x ${surface.rows} sketched on the page in ${formatNumber(surface.elapsedMs)} ms, sharpening...`
                : `Surface ${surface.cols} x ${surface.rows} computed in ${formatNumber(surface.elapsedMs)} ms on ${backend?.toUpperCase() ?? '...'}${surface.final ? '' : ', sharpening...'}`
              : 'Computing the surface...'}
          </figcaption>
          <div className="buttons">
            <button
              type="button"
              onClick={() =>
                setWindow(zoomWindow(window, 0.6, (window.wMin + window.wMax) / 2, (window.bMin + window.bMax) / 2))
              }
            >
              Zoom in
            </button>
            <button
              type="button"
              onClick={() =>
                setWindow(zoomWindow(window, 1 / 0.6, (window.wMin + window.wMax) / 2, (window.bMin + window.bMax) / 2))
              }
            >
              Zoom out
            </button>
            <button
              type="button"
              onClick={() =>
                setWindow({
                  wMin: DEFAULT_CLIFF.wMin,
                  wMax: DEFAULT_CLIFF.wMax,
                  bMin: DEFAULT_CLIFF.bMin,
                  bMax: DEFAULT_CLIFF.bMax,
                })
              }
            >
              Whole view
            </button>
            <button type="button" onClick={replay} disabled={!current}>
              Replay
            </button>
            <button type="button" onClick={showAll} disabled={!current || shown >= total}>
              Show all steps
            </button>
          </div>
        </figure>
        <div className="cliff-side">
          <dl className="figures" aria-live="polite">
            <div>
              <dt>step</dt>
              <dd data-testid="cliff-step">
                {Math.max(0, shown - 1)} / {Math.max(0, total - 1)}
              </dd>
            </div>
            {last && (
              <>
                <div>
                  <dt style={{ color: lookTextColor(look, MODE_COLOR.none) }}>unclipped loss</dt>
                  <dd data-testid="cliff-loss-unclipped">{formatNumber(last.unclipped.loss)}</dd>
                </div>
                <div>
                  <dt style={{ color: lookTextColor(look, clippedColor) }}>clipped loss</dt>
                  <dd data-testid="cliff-loss-clipped">{formatNumber(last.clipped.loss)}</dd>
                </div>
              </>
            )}
          </dl>
          {chartData && (
            <>
              <StepChart
                height={180}
                yLog
                yLabel="loss"
                xDomain={[0, Math.max(1, total - 1)]}
                yDomain={lossDomain}
                lines={[
                  { key: 'lu', name: 'Unclipped loss', color: MODE_COLOR.none, points: chartData.loss.unclipped },
                  {
                    key: 'lc',
                    name: 'Clipped loss',
                    color: clippedColor,
                    marker: clippedMarker,
                    points: chartData.loss.clipped,
                  },
                ]}
              />
              <StepChart
                height={180}
                yLog
                yLabel="‖g‖"
                xDomain={[0, Math.max(1, total - 1)]}
                yDomain={normDomain}
                thresholds={
                  cliff.clipMode === 'norm'
                    ? [{ value: cliff.threshold, label: `threshold c = ${cliff.threshold}` }]
                    : []
                }
                lines={[
                  { key: 'nu', name: 'Unclipped ‖g‖', color: MODE_COLOR.none, points: chartData.norm.unclipped },
                  {
                    key: 'nc',
                    name: 'Clipped ‖g‖ (before clipping)',
                    color: clippedColor,
                    marker: clippedMarker,
                    points: chartData.norm.clipped,
                  },
                ]}
              />
            </>
          )}
          <p className="help">
            On the plane,{' '}
            <span style={{ color: PATH_COLOR.unclipped, background: '#20232a', padding: '0 0.3em' }}>magenta</span> is
            plain gradient descent (red in the charts, as every unclipped run in the lab) and{' '}
            <span style={{ color: PATH_COLOR.clipped, background: '#20232a', padding: '0 0.3em' }}>white</span> is the
            same descent with its gradient clipped ({CLIPPED_COLOR[cliff.clipMode].name} in the charts, the colour of
            its clipping everywhere). Each arrow is the step the raw gradient asks for (learning rate x gradient); a
            dashed arrow was too long to draw and is labelled with the gradient's true norm.
          </p>
          <p className="help">
            What to look for: near the wall the unclipped step is catapulted far away and loses the progress it had
            made; the clipped step climbs the wall a little, is limited to lr x c, and stays near the solution. Far from
            the wall the gradient is small, clipping never acts, and the two paths are one.
          </p>
        </div>
      </div>
      {!locked && (
        <fieldset className="cliff-controls">
          <legend>Cliff settings</legend>
          <RangeField
            label="Sequence length T"
            hint="Longer sequences make the wall steeper."
            value={cliff.T}
            min={2}
            max={100}
            step={1}
            onCommit={(T) => setCliff({ T })}
          />
          <NumberField
            label="Learning rate"
            value={cliff.lr}
            spec={CLIFF_FIELDS.lr.spec}
            onCommit={(lr) => commit({ lr })}
          />
          <NumberField
            label="Descent steps"
            value={cliff.descentSteps}
            spec={CLIFF_FIELDS.descentSteps.spec}
            onCommit={(descentSteps) => commit({ descentSteps })}
          />
          <div className="field">
            <label htmlFor="cliff-clip-mode">Clipping of the second descent</label>
            <select
              id="cliff-clip-mode"
              value={cliff.clipMode}
              onChange={(e) => setCliff({ clipMode: e.target.value as CliffClipMode })}
            >
              <option value="norm">By norm: g ← g·c/‖g‖ when ‖g‖ &gt; c (the paper)</option>
              <option value="value">By value: each of dw, db clipped to [−c, c]</option>
            </select>
          </div>
          <RangeField
            label="Threshold c"
            value={cliff.threshold}
            min={0.05}
            max={5}
            step={0.05}
            onCommit={(threshold) => setCliff({ threshold })}
          />
          <NumberField label="Start w" value={cliff.w0} spec={CLIFF_FIELDS.w0.spec} onCommit={(w0) => commit({ w0 })} />
          <NumberField label="Start b" value={cliff.b0} spec={CLIFF_FIELDS.b0.spec} onCommit={(b0) => commit({ b0 })} />
        </fieldset>
      )}
    </section>
  );
}
