/**
 * Chart data that changes outside React. While a pair trains, the series change every REDRAW_INTERVAL_MS;
 * re-rendering the charts for each change was most of the main thread's work. A chart's data now lives in
 * a LiveModel, rebuilt when the store's `seriesVersion` changes (a subscription, not a React hook), and
 * readers take what they need: the line canvas repaints from it on an animation frame, the accessible
 * description is one small text node, and React re-renders the chart only when what its SVG draws (the
 * axis, the legend, the markers) changes: `useLiveView` with the key of those.
 */
import { startTransition, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { flushSync } from 'react-dom';
import type { RunSide } from '../experiment/config.ts';
import { seriesBySide, useLab } from '../store/labStore.ts';
import type { RunSeries } from '../store/series.ts';
import type { LineSpec, YAxisSpec } from './StepChart.tsx';

export interface LiveSource<T> {
  get(): T;
  subscribe(listener: () => void): () => void;
}

export type SeriesList = [RunSide, RunSeries][];

/** A chart's data, rebuilt from the series whenever the store says they changed. */
/**
 * At most this often a step chart renders again for its axis, legend or markers while training: at the start
 * of a run its axes change with nearly every batch, which would re-render every chart each time.
 */
export const VIEW_INTERVAL_MS = 250;

export class LiveModel<M> implements LiveSource<M> {
  private model: M;
  private readonly listeners = new Set<() => void>();
  private build: (series: SeriesList) => M;

  constructor(build: (series: SeriesList) => M) {
    this.build = build;
    this.model = build([...seriesBySide.entries()]);
  }

  get = (): M => this.model;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private refresh(): void {
    this.model = this.build([...seriesBySide.entries()]);
    for (const listener of [...this.listeners]) listener();
  }

  /** Rebuilds with a new `build` (the chart's React inputs changed) or for new runs. */
  rebuild(build: (series: SeriesList) => M): void {
    this.build = build;
    this.refresh();
  }

  /** Follows the store's series until the returned function is called. */
  start(): () => void {
    // The series may have changed between the render that built this and now.
    this.refresh();
    const stop = useLab.subscribe((state, previous) => {
      // New runs at once; new steps in the next slice of rebuilds (refreshSoon).
      if (state.generation !== previous.generation) this.refresh();
      else if (state.seriesVersion !== previous.seriesVersion) refreshSoon(this);
    });
    return () => {
      stop();
      waiting.delete(this);
    };
  }

  /** Rebuilds from the series as they are now (refreshSoon's slices call it). */
  refreshNow(): void {
    this.refresh();
  }
}

/**
 * The models to rebuild for the series' new steps, a few per task: all the charts of a race rebuilt in the store
 * update's own task made it one of the page's long tasks (20 to 60 ms of JavaScript in a trace of the race, more in
 * wall time on two cores shared with four workers). Each task rebuilds models until REFRESH_SLICE_MS have passed
 * and leaves the rest to the next task; every model waiting is rebuilt within a few tasks.
 */
const waiting = new Set<LiveModel<unknown>>();
export const REFRESH_SLICE_MS = 8;
let sliceQueued = false;

function refreshSoon(model: LiveModel<unknown>): void {
  waiting.add(model);
  if (sliceQueued) return;
  sliceQueued = true;
  nextTask(refreshSlice);
}

function refreshSlice(): void {
  sliceQueued = false;
  const start = performance.now();
  for (const model of waiting) {
    waiting.delete(model);
    model.refreshNow();
    if (performance.now() - start >= REFRESH_SLICE_MS) break;
  }
  if (waiting.size > 0) {
    sliceQueued = true;
    nextTask(refreshSlice);
  }
}

/** Runs `then` in a task of its own: a message to itself, which (unlike a timer) no browser delays or clamps. */
export function nextTask(then: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    then();
  };
  channel.port2.postMessage(0);
}

/**
 * A chart's live data. One model for the chart's lifetime: when `build` changes (its React inputs) or the
 * runs are replaced, it is rebuilt, and what React renders from it changes only if its view key does.
 */
export function useLiveModel<M>(build: (series: SeriesList) => M): LiveModel<M> {
  const generation = useLab((s) => s.generation);
  const [live] = useState(() => new LiveModel(build));
  const first = useRef(true);
  useLayoutEffect(() => {
    if (first.current) first.current = false;
    else live.rebuild(build);
  }, [live, build, generation]);
  useEffect(() => live.start(), [live]);
  return live;
}

/** `value`, or the one given before while `key` is the same: props that stay equal keep their identity. */
export function useStable<T>(value: T, key: string): T {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the key stands for the value
  return useMemo(() => value, [key]);
}

/**
 * The model as React renders it: the same object while `keyOf` gives the same key, so the chart re-renders
 * only when something its SVG draws has changed. Those renders are transitions: React does them in slices
 * between frames (several charts' axes changing at once at the start of training made one long task), and
 * at most one every `minIntervalMs` (the last change is always shown), except a run's first point: when
 * `hasPoints` says the chart showed none and now has some, its axis is rendered without waiting out the
 * interval. (The canvas paints that point before this render: see StepChart's painter.)
 */
export function useLiveView<M>(
  live: LiveSource<M>,
  keyOf: (model: M) => string,
  minIntervalMs = 0,
  hasPoints?: (model: M) => boolean,
): M {
  const [view, setView] = useState(() => {
    const model = live.get();
    return { model, key: keyOf(model) };
  });
  const keyOfRef = useRef(keyOf);
  const hasPointsRef = useRef(hasPoints);
  const shown = useRef(view.key);
  const shownModel = useRef(view.model);
  // Throttled only while training: once it stops, the chart shows where the runs ended at once.
  const playing = useLab((s) => s.playing);
  const interval = playing ? minIntervalMs : 0;
  useLayoutEffect(() => {
    keyOfRef.current = keyOf;
    hasPointsRef.current = hasPoints;
  });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = -Infinity;
    const firstPoints = (model: M) => {
      const has = hasPointsRef.current;
      return has !== undefined && !has(shownModel.current) && has(model);
    };
    const apply = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      const model = live.get();
      const key = keyOfRef.current(model);
      if (key === shown.current) return;
      shown.current = key;
      shownModel.current = model;
      last = performance.now();
      startTransition(() => setView({ model, key }));
    };
    const check = () => {
      if (firstPoints(live.get())) return apply();
      if (timer !== null) return;
      const wait = last + interval - performance.now();
      if (wait <= 0) apply();
      else if (keyOfRef.current(live.get()) !== shown.current) timer = setTimeout(apply, wait);
    };
    // Printing shows where the runs are now, in the print event itself: a view waiting for its interval, or in a
    // transition that a fast run keeps putting off, would print steps long gone (a dense race trains some 500 a second).
    const printNow = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      // Always set: `shown` may name a view whose transition has not rendered yet.
      const model = live.get();
      const key = keyOfRef.current(model);
      shown.current = key;
      shownModel.current = model;
      last = performance.now();
      flushSync(() => setView({ model, key }));
    };
    check();
    const unsubscribe = live.subscribe(check);
    if (typeof window !== 'undefined') window.addEventListener('beforeprint', printNow);
    return () => {
      unsubscribe();
      if (typeof window !== 'undefined') window.removeEventListener('beforeprint', printNow);
      if (timer !== null) clearTimeout(timer);
    };
  }, [live, interval]);
  return view.model;
}

/** A value derived from a live model, recomputed once per model. */
export function mapLive<M, T>(live: LiveSource<M>, map: (model: M) => T): LiveSource<T> {
  let last: { model: M; value: T } | null = null;
  return {
    get: () => {
      const model = live.get();
      if (last?.model !== model) last = { model, value: map(model) };
      return last.value;
    },
    subscribe: live.subscribe,
  };
}

const NEVER = () => () => {};

/** The live value while `follow` is true; otherwise null, and no re-renders. */
export function useLiveWhile<T>(live: LiveSource<T> | undefined, follow: boolean): T | null {
  const on = Boolean(live && follow);
  const get = () => (on && live ? live.get() : null);
  return useSyncExternalStore(on && live ? live.subscribe : NEVER, get, get);
}

/** What of the lines the SVG draws: the legend, and a diverged run's few dots and last label. */
export function linesKey(lines: readonly LineSpec[]): string {
  return lines
    .map((l) => {
      const last = l.points[l.points.length - 1];
      const fixed = l.lastLabel !== undefined ? `${l.points.length}@${last?.x}:${last?.y}` : '';
      const marker = l.marker ? `${l.marker.shape}${l.marker.hollow ? '-hollow' : ''}` : '';
      return `${l.key}|${l.name}|${l.color}|${l.dashed ? 1 : 0}|${marker}|${l.lastLabel ?? '~'}|${fixed}`;
    })
    .join('\n');
}

/** The y axis as the SVG draws it: a log axis changes only when its decades (or its break) do. */
export function yKey(y: YAxisSpec): string {
  return y.kind === 'log' ? `log ${y.axis.lo} ${y.axis.hi} ${y.axis.breakValue}` : `linear ${y.domain.join(' ')}`;
}
