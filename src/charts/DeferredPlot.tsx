/**
 * A chart's plot, drawn when it comes near the screen and it is its turn (chartTurns.ts); until then an empty
 * box of the plot's height, so nothing moves when it draws. A phone's first screen shows one chart of five: the
 * others wait until scrolled to, and printing draws them all. Once drawn, a plot stays.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { chartTurns } from './chartTurns.ts';

export const PLOT_FAILED =
  'This chart could not be loaded (the network, or a newer version of the lab on the server). Training goes on; reloading the page fetches it again.';

/**
 * A plot's code, fetched apart from the page's: `ready` settles once it is here (asking for it starts the fetch),
 * `loaded` is true from then on, so printing can draw at once.
 */
export interface PlotCode {
  readonly ready: Promise<unknown>;
  readonly loaded: boolean;
}

/**
 * A plot's code, fetched now (`when: 'now'`: a plot every page shows) or when a chart first asks for it
 * (`'asked'`: recharts' large chunk, for the per-time-step chart only recurrent runs have). A failed fetch is shown
 * in each chart's box, not reported again as an unhandled rejection.
 */
export function fetchPlotCode(load: () => Promise<unknown>, when: 'now' | 'asked' = 'now'): PlotCode {
  let ready: Promise<unknown> | null = null;
  const code = {
    loaded: false,
    get ready(): Promise<unknown> {
      if (!ready) {
        ready = load().then(() => {
          code.loaded = true;
        });
        ready.catch(() => undefined);
      }
      return ready;
    },
  };
  if (when === 'now') void code.ready;
  return code;
}

/** How far below (or above) the screen a chart starts to draw, so a scrolling reader rarely meets an empty box. */
const AHEAD = '300px 0px';

/**
 * `code`: the plot's code (fetchPlotCode); the chart takes its turn only once it is here, or the charts that came
 * up while it loaded would all draw together when it arrives. `draw` is called once shown, with the
 * box's width, so the chart's first render is at its size (not a render at none, then one at its size).
 */
export function DeferredPlot({
  height,
  code,
  draw,
}: {
  height: number;
  code: PlotCode;
  draw: (width: number) => ReactNode;
}) {
  // The box's width once shown (0: not known, the plot measures it), null until then.
  const [width, setWidth] = useState<number | null>(() => (typeof IntersectionObserver === 'undefined' ? 0 : null));
  const shown = width !== null;
  // The plot's code could not be fetched: said in the box, once, instead of an empty box for ever.
  const [failed, setFailed] = useState(false);
  const boxRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A chart on the page will draw (at least for printing, which cannot wait for a fetch): its code comes now.
    void code.ready.catch(() => undefined);
    const box = boxRef.current;
    if (shown || !box) return;
    let giveUp: (() => void) | null = null;
    let gone = false;
    const observer = new IntersectionObserver(
      (entries) => {
        const entry = entries.find((e) => e.isIntersecting);
        if (!entry) return;
        observer.disconnect();
        const seen = entry.boundingClientRect.width;
        code.ready.then(
          () => {
            if (!gone) giveUp = chartTurns.take(() => setWidth(seen));
          },
          () => {
            if (!gone) setFailed(true);
          },
        );
      },
      { rootMargin: AHEAD },
    );
    observer.observe(box);
    // Printing lays the page out right after this event: every chart must be there by then.
    const print = () => {
      const drawNow = () => flushSync(() => setWidth(box.getBoundingClientRect().width));
      if (code.loaded) drawNow();
      else code.ready.then(drawNow, () => undefined);
    };
    window.addEventListener('beforeprint', print);
    return () => {
      gone = true;
      observer.disconnect();
      giveUp?.();
      window.removeEventListener('beforeprint', print);
    };
  }, [shown, code]);
  if (width !== null) return draw(width);
  if (failed)
    return (
      <div className="plot-waiting plot-failed" style={{ height }} role="alert">
        {PLOT_FAILED}
      </div>
    );
  return <div ref={boxRef} className="plot-waiting" style={{ height }} aria-hidden="true" />;
}
