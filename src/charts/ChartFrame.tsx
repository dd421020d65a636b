/**
 * A titled chart: one line of plain words always visible, the longer explanation behind a "?" toggle,
 * buttons to save it as PNG or SVG, and, for keyboards and screen readers, one tab stop named by its
 * title whose description gives the latest values in words. In presenter mode (chartLook.ts) a click on the
 * chart, or its Enlarge button, shows it over the page, nearly as large as the window, still training live;
 * Escape, Close or a click shrinks it back.
 */
import {
  memo,
  useDeferredValue,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { ChartHeightContext } from './chartHeight.ts';
import { useChartLook } from './chartLook.ts';
import { useLab } from '../store/labStore.ts';
import { downloadBlob } from '../widgets/download.ts';
import { lineImages } from './lineCanvas.ts';
import { usePrinting } from './printing.ts';
import { useLiveView, type LiveSource } from './live.ts';

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

/** Whether the element is on screen (or within a few hundred pixels of it); observed anew when it is replaced. */
function useOnScreen(element: HTMLElement | null): boolean {
  const [onScreen, setOnScreen] = useState(true);
  useEffect(() => {
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(([entry]) => setOnScreen(entry?.isIntersecting ?? true), {
      rootMargin: '200px 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return onScreen;
}

/** The enlarged chart's height: the window's, less its title, sentence, legend rows and margins. */
function enlargedHeightPx(): number {
  return Math.max(240, Math.round(window.innerHeight * 0.92 - 150));
}

/**
 * Presenter mode's enlarged chart: open or not, and the keys and focus that go with it. Focus moves to Close when
 * it opens and back to Enlarge when it closes; Escape closes it from anywhere on the page.
 */
function useEnlarged(uid: string): [boolean, (open: boolean) => void] {
  const [enlarged, setEnlarged] = useState(false);
  useEffect(() => {
    if (!enlarged) return;
    document.getElementById(`${uid}-close`)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      setEnlarged(false);
      requestAnimationFrame(() => document.getElementById(`${uid}-enlarge`)?.focus());
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enlarged, uid]);
  const set = (open: boolean) => {
    setEnlarged(open);
    if (!open) requestAnimationFrame(() => document.getElementById(`${uid}-enlarge`)?.focus());
  };
  return [enlarged, set];
}

export const SAVE_FAILED =
  'The picture could not be made (its code could not be loaded, or the browser refused to draw it). The chart is as it was; try again, or reload the page.';

/** The description's words follow the runs at most this often while they play. */
export const DESCRIPTION_INTERVAL_MS = 1000;

/** Text is its own key: a view of it changes when the words do. */
const wordsKey = (words: string) => words;

/**
 * Text that follows a live source: only this re-renders when it changes, at most every DESCRIPTION_INTERVAL_MS
 * while the runs play. It is a chart's description in words, which a screen reader reads on request; changed
 * with every redraw, each change was a layout and a repaint of the whole page.
 */
function LiveText({ source }: { source: LiveSource<string> }) {
  return useLiveView(source, wordsKey, DESCRIPTION_INTERVAL_MS);
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
  // State, not a ref: the enlarged chart is a new element (in a portal), and the observer must follow it.
  const [frameElement, setFrameElement] = useState<HTMLElement | null>(null);
  const onScreen = useOnScreen(frameElement);
  const playing = useLab((s) => s.playing);
  // It freezes at once but catches up in a deferred render, not in Pause's click (which redrew every chart
  // out of view, a long task before Pause could paint).
  const printing = usePrinting();
  const frozenNow = playing && !onScreen && !printing;
  const deferredFrozen = useDeferredValue(frozenNow);
  // Not the deferred value while printing: in the print event's synchronous render it would still be the old one.
  const frozen = !printing && (deferredFrozen || frozenNow);
  const [helpOpen, setHelpOpen] = useState(false);
  const uid = useId();
  const present = useChartLook().present;
  const [enlargedNow, setEnlarged] = useEnlarged(uid);
  const enlarged = present && enlargedNow;
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
    // An enlarged chart is drawn anew in its own element: that one's layers too.
  }, [enlarged]);
  const [saveFailed, setSaveFailed] = useState(false);
  const save = async (kind: 'png' | 'svg') => {
    const body = bodyRef.current;
    if (!body) return;
    setSaveFailed(false);
    try {
      // The picture's code is fetched when first asked for: few visits save a chart.
      const image = await import('../widgets/chartImage.ts');
      const surface = image.mainSurface(body);
      if (!surface) return;
      const scale = kind === 'png' ? 2 : Math.max(2, window.devicePixelRatio || 1);
      const frameStyle = getComputedStyle(frameElement ?? body);
      const colours = {
        background: image.opaqueColour(frameStyle.backgroundColor) ?? '#ffffff',
        text: frameStyle.color,
      };
      const lines = lineImages(body, surface, scale);
      const picture = image.composeChartSvg(surface, title, image.legendEntries(body), lines, colours);
      const blob =
        kind === 'png' ? await image.pictureToPng(picture, 2) : new Blob([picture.svg], { type: 'image/svg+xml' });
      downloadBlob(blob, `gradient-lab-${id}.${kind}`);
    } catch {
      setSaveFailed(true);
    }
  };
  const frame = (
    <section
      ref={setFrameElement}
      className={enlarged ? 'chart enlarged' : 'chart'}
      data-chart={id}
      tabIndex={0}
      aria-label={title}
      aria-describedby={`${uid}-latest`}
      {...(enlarged ? { role: 'dialog', 'aria-modal': true } : {})}
      {...(present
        ? {
            onKeyDown: (e: ReactKeyboardEvent) => {
              // Enter on the frame itself (its one tab stop) enlarges it, as a click does.
              if (e.key === 'Enter' && e.target === e.currentTarget && !enlarged) setEnlarged(true);
            },
          }
        : {})}
    >
      <header className="chart-head">
        <h3>{title}</h3>
        <div className="chart-actions">
          {present && (
            <button
              type="button"
              id={enlarged ? `${uid}-close` : `${uid}-enlarge`}
              className="small enlarge-toggle"
              aria-label={enlarged ? `Close the enlarged chart "${title}"` : `Enlarge the chart "${title}"`}
              onClick={() => setEnlarged(!enlarged)}
            >
              {enlarged ? 'Close' : 'Enlarge'}
            </button>
          )}
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
      {saveFailed && (
        <p className="chart-note" role="alert">
          {SAVE_FAILED}
        </p>
      )}
      {note && (
        <p className="chart-note" data-testid={`note-${id}`}>
          {note}
        </p>
      )}
      <div
        ref={bodyRef}
        className="chart-body"
        {...(present
          ? { onClick: () => setEnlarged(!enlarged), title: enlarged ? 'Click to close' : 'Click to enlarge' }
          : {})}
      >
        {enlarged ? (
          <ChartHeightContext value={enlargedHeightPx()}>
            <Drawing frozen={false}>{children}</Drawing>
          </ChartHeightContext>
        ) : (
          <Drawing frozen={frozen}>{children}</Drawing>
        )}
      </div>
      <div id={`${uid}-help`} className="help" hidden={!helpOpen}>
        {help}
      </div>
      <p id={`${uid}-latest`} className="visually-hidden">
        {typeof description === 'string' ? description : <LiveText source={description} />}
      </p>
    </section>
  );
  if (!enlarged) return frame;
  // Over the page, outside it: main is a size container, which would hold a fixed element inside itself.
  return createPortal(
    <>
      <div className="chart-backdrop" data-testid="chart-backdrop" onClick={() => setEnlarged(false)} />
      {frame}
    </>,
    document.body,
  );
}
