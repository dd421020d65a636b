/**
 * A titled chart: one line of plain words always visible, the longer explanation behind a "?" toggle,
 * buttons to save it as PNG or SVG, and, for keyboards and screen readers, one tab stop named by its
 * title whose description gives the latest values in words.
 */
import { memo, useDeferredValue, useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useLab } from '../store/labStore.ts';
import { composeChartSvg, legendEntries, mainSurface, pictureToPng } from '../widgets/chartImage.ts';
import { downloadBlob } from '../widgets/download.ts';
import { lineImages } from './lineCanvas.ts';
import { useLiveValue, type LiveSource } from './live.ts';

/**
 * The chart itself, not redrawn while it is off screen during training: a redraw is the costliest work
 * of the main thread then, and nobody sees it. It catches up when it scrolls into view or training stops.
 */
const Drawing = memo(
  function Drawing({ children }: { children: ReactNode; frozen: boolean }) {
    return children;
  },
  (_, next) => next.frozen,
);

/** Whether the element is on screen (or within a few hundred pixels of it). */
function useOnScreen(ref: RefObject<HTMLElement | null>): boolean {
  const [onScreen, setOnScreen] = useState(true);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(([entry]) => setOnScreen(entry?.isIntersecting ?? true), {
      rootMargin: '200px 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return onScreen;
}

/** Text that follows a live source: only this re-renders when it changes. */
function LiveText({ source }: { source: LiveSource<string> }) {
  return useLiveValue(source);
}

export function ChartFrame({
  id,
  title,
  summary,
  help,
  note,
  description,
  children,
}: {
  id: string;
  title: string;
  /** One or two short sentences in plain words, always shown. */
  summary: ReactNode;
  /** The longer explanation, shown on request. */
  help: ReactNode;
  /** Something about how the chart is drawn right now (an axis break), shown when not null. */
  note?: string | null;
  /** The latest values in words (the frame's accessible description), perhaps following the series live. */
  description: string | LiveSource<string>;
  children: ReactNode;
}) {
  const bodyRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(frameRef);
  const playing = useLab((s) => s.playing);
  // It freezes at once but catches up in a deferred render, not in Pause's click (which redrew every chart
  // out of view, a long task before Pause could paint).
  const frozenNow = playing && !onScreen;
  const frozen = useDeferredValue(frozenNow) || frozenNow;
  const [helpOpen, setHelpOpen] = useState(false);
  const uid = useId();
  useEffect(() => {
    // recharts 3 draws its layers as <g class="recharts-zIndex-layer_N"> with no tabindex, and Chromium stops on
    // each of them when tabbing (four unnamed stops a chart): take them out of the order; the frame is the stop.
    const body = bodyRef.current;
    if (!body) return;
    const untab = () => {
      for (const g of body.querySelectorAll('g[class*="recharts-zIndex-layer"]:not([tabindex])'))
        g.setAttribute('tabindex', '-1');
    };
    untab();
    const observer = new MutationObserver(untab);
    observer.observe(body, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
  const save = async (kind: 'png' | 'svg') => {
    const body = bodyRef.current;
    const surface = body && mainSurface(body);
    if (!body || !surface) return;
    const scale = kind === 'png' ? 2 : Math.max(2, window.devicePixelRatio || 1);
    const picture = composeChartSvg(surface, title, legendEntries(body), lineImages(body, surface, scale));
    const blob = kind === 'png' ? await pictureToPng(picture, 2) : new Blob([picture.svg], { type: 'image/svg+xml' });
    downloadBlob(blob, `gradient-lab-${id}.${kind}`);
  };
  return (
    <section
      ref={frameRef}
      className="chart"
      data-chart={id}
      tabIndex={0}
      aria-label={title}
      aria-describedby={`${uid}-latest`}
    >
      <header className="chart-head">
        <h3>{title}</h3>
        <div className="chart-actions">
          <button
            type="button"
            className="small help-toggle"
            aria-expanded={helpOpen}
            aria-controls={`${uid}-help`}
            aria-label={`About the chart "${title}"`}
            onClick={() => setHelpOpen(!helpOpen)}
          >
            ?
          </button>
          <button
            type="button"
            className="small"
            onClick={() => void save('png')}
            aria-label={`Save the chart "${title}" as a PNG image`}
          >
            PNG
          </button>
          <button
            type="button"
            className="small"
            onClick={() => void save('svg')}
            aria-label={`Save the chart "${title}" as an SVG image`}
          >
            SVG
          </button>
        </div>
      </header>
      <p className="chart-summary">{summary}</p>
      {note && (
        <p className="chart-note" data-testid={`note-${id}`}>
          {note}
        </p>
      )}
      <div ref={bodyRef} className="chart-body">
        <Drawing frozen={frozen}>{children}</Drawing>
      </div>
      <div id={`${uid}-help`} className="help" hidden={!helpOpen}>
        {help}
      </div>
      <p id={`${uid}-latest`} className="visually-hidden">
        {typeof description === 'string' ? description : <LiveText source={description} />}
      </p>
    </section>
  );
}
