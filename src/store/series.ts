/**
 * A run's metrics as the page keeps them: bounded memory however long the run.
 * Every column keeps
 *  - the first HEAD steps at full resolution (explosions happen early),
 *  - the last TAIL steps at full resolution (the "last 100" view),
 *  - and the whole run as at most BUCKETS min-max buckets: when they fill up,
 *    neighbours merge and each bucket covers twice the steps, keeping its
 *    lowest and highest value, so a one-step spike is never lost.
 * The full per-step records go to IndexedDB (src/persist); the page keeps the
 * last TAIL of them for explanations and the latest figures.
 */
import { downsampleMinMax, type Point } from './downsample.ts';
import {
  CHARTED_LAYER,
  CHARTED_STEP,
  METRICS,
  type ChartedLayerId,
  type ChartedStepId,
} from '../train/metricSchema.ts';
import type { EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';
import type { Band, SeedBandRow, SeedEvalRow } from '../train/seedBands.ts';

export const HEAD = 2048;
export const TAIL = 2048;
export const BUCKETS = 2048;
const MAX_SNAPSHOTS = 256;
const MAX_EVALS = 2048;

/** A series column: a charted per-step metric, or a charted per-layer one with its layer (`layerNormPre:fc1`). */
export type SeriesColumn = ChartedStepId | `${ChartedLayerId}:${string}`;

export function layerColumn(id: ChartedLayerId, layer: string): SeriesColumn {
  return `${id}:${layer}`;
}

export interface HiddenSnapshot {
  step: number;
  /** ||dL/dh_t|| layer-major: layer 0 t = 1..T, then layer 1. */
  norms: number[];
}

interface ColumnStore {
  head: Float64Array;
  tail: Float64Array;
  minX: Float64Array;
  minY: Float64Array;
  maxX: Float64Array;
  maxY: Float64Array;
}

function newColumn(): ColumnStore {
  return {
    head: new Float64Array(HEAD),
    tail: new Float64Array(TAIL),
    minX: new Float64Array(BUCKETS),
    minY: new Float64Array(BUCKETS).fill(NaN),
    maxX: new Float64Array(BUCKETS),
    maxY: new Float64Array(BUCKETS).fill(NaN),
  };
}

/**
 * A cell of a column's typed array. Every index read here is in range (steps below HEAD, buckets below BUCKETS);
 * NaN, the columns' "no value", stands in for one that is not, as a Float64Array would store it.
 */
function cell(values: Float64Array, index: number): number {
  return values[index] ?? NaN;
}

/** The registry's charted metrics: per step, per layer, and per recurrent layer (the first hiddenLayers). */
function columnsOf(layout: RunLayout): SeriesColumn[] {
  const names: SeriesColumn[] = [...CHARTED_STEP];
  for (const id of CHARTED_LAYER) {
    const layers =
      METRICS[id].shape === 'recurrent layer' ? layout.layers.slice(0, layout.hiddenLayers) : layout.layers;
    for (const layer of layers) names.push(layerColumn(id, layer));
  }
  return names;
}

/**
 * Where a column's figure sits in a record, worked out once per run rather than per step: appending a race of four's
 * rows (over a thousand a second) parsed every column's name for every row.
 */
interface ColumnSlot {
  id: ChartedStepId | ChartedLayerId;
  /** The layer's index in the record's per-layer arrays, or -1 for a per-step metric. */
  layerIndex: number;
  store: ColumnStore;
}

function slotOf(name: SeriesColumn, layout: RunLayout, store: ColumnStore): ColumnSlot {
  const [id, layer] = name.split(':') as [ChartedStepId | ChartedLayerId, string | undefined];
  return { id, layerIndex: layer === undefined ? -1 : layout.layers.indexOf(layer), store };
}

function valueOf(m: StepMetrics, slot: ColumnSlot): number {
  // A missing figure (a layer the record lacks, a regression's accuracy, a run stored before a metric existed)
  // reads as NaN: a gap, as a Float64Array would store it, never a made-up value.
  const value: number | readonly number[] | null | undefined = m[slot.id];
  if (slot.layerIndex >= 0) return Array.isArray(value) ? (value[slot.layerIndex] ?? NaN) : NaN;
  return typeof value === 'number' ? value : NaN;
}

/**
 * Scratch space for one `points` call's steps and values before they are downsampled (calls never overlap): each
 * chart's lines were copied into fresh arrays on every redraw, several times a second for every line of every run.
 */
const SCRATCH = Math.max(HEAD, TAIL, 2 * BUCKETS);
const scratchX = new Float64Array(SCRATCH);
const scratchY = new Float64Array(SCRATCH);

/** What a band covers: the loss, or the global gradient norm before clipping. */
export type BandColumn = 'loss' | 'globalNorm';
/** Which line of a band: its median, or its lowest or highest seed. */
export type BandPart = 'median' | 'min' | 'max';
const BAND_COLUMNS: readonly BandColumn[] = ['loss', 'globalNorm'];
const BAND_PARTS: readonly BandPart[] = ['median', 'min', 'max'];

/**
 * A run over several seeds: per step, the median and range of its loss and global norm across the seeds
 * (train/seedBands.ts), and per evaluation those of its test metric. Kept at full resolution (9 numbers a step:
 * 7 MB for the longest run the lab allows), since a run over seeds is short enough to watch; the charts downsample.
 */
export class BandSeries {
  count = 0;
  private steps = new Float64Array(256);
  private readonly values = new Map<string, Float64Array>();
  /** Each evaluation's band, in step order. */
  readonly tests: SeedEvalRow[] = [];

  constructor() {
    for (const c of BAND_COLUMNS) for (const p of BAND_PARTS) this.values.set(`${c}:${p}`, new Float64Array(256));
  }

  private grow(): void {
    const grown = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2).fill(NaN);
      b.set(a);
      return b;
    };
    this.steps = grown(this.steps);
    for (const [key, a] of this.values) this.values.set(key, grown(a));
  }

  add(rows: readonly SeedBandRow[], evals: readonly SeedEvalRow[] = []): void {
    for (const row of rows) {
      if (this.count === this.steps.length) this.grow();
      const i = this.count;
      this.steps[i] = row.step;
      for (const c of BAND_COLUMNS) {
        const band: Band | null = c === 'loss' ? row.loss : row.globalNorm;
        for (const p of BAND_PARTS) {
          const column = this.values.get(`${c}:${p}`);
          if (column) column[i] = band ? band[p] : NaN;
        }
      }
      this.count = i + 1;
    }
    this.tests.push(...evals);
  }

  /** The last step banded (0: none yet). */
  get lastStep(): number {
    return this.count > 0 ? (this.steps[this.count - 1] ?? 0) : 0;
  }

  /** One line of a band for steps in [lo, hi], at most `maxPoints`, each bucket's extremes kept. */
  points(
    column: BandColumn,
    part: BandPart,
    [lo, hi]: [number, number],
    maxPoints: number,
    options: { positiveOnly?: boolean } = {},
  ): Point[] {
    const values = this.values.get(`${column}:${part}`);
    if (!values || this.count === 0) return [];
    // Steps are 1, 2, 3, ... in order: row i is step i + 1.
    const from = Math.max(0, Math.floor(lo) - 1);
    const to = Math.min(this.count, Math.ceil(hi));
    if (to <= from) return [];
    return downsampleMinMax(this.steps.subarray(from, to), values.subarray(from, to), maxPoints, options);
  }
}

export class RunSeries {
  readonly layout: RunLayout;
  /** A run over several seeds: its bands across the seeds (null for a run of one seed). */
  bands: BandSeries | null = null;
  /** Steps recorded so far (steps are 1, 2, 3, ...). */
  count = 0;
  readonly evals: EvalMetrics[] = [];
  readonly hidden: HiddenSnapshot[] = [];
  private readonly columns = new Map<SeriesColumn, ColumnStore>();
  private readonly slots: ColumnSlot[] = [];
  private readonly recent: StepMetrics[] = [];
  private buckets = 0;
  private bucketWidth = 1;
  private lastBucketFill = 0;
  private firstRow: StepMetrics | null = null;

  constructor(layout: RunLayout) {
    this.layout = layout;
    for (const name of columnsOf(layout)) {
      const store = newColumn();
      this.columns.set(name, store);
      this.slots.push(slotOf(name, layout, store));
    }
  }

  append(steps: StepMetrics[]): void {
    for (const m of steps) this.appendOne(m);
    // Once per batch, not per step: dropping one row at a time moved the other 2,047 for every step.
    if (this.recent.length > TAIL) this.recent.splice(0, this.recent.length - TAIL);
  }

  private appendOne(m: StepMetrics): void {
    const i = this.count;
    const newBucket = this.buckets === 0 || this.lastBucketFill >= this.bucketWidth;
    if (newBucket && this.buckets === BUCKETS) this.mergeBuckets();
    const b = newBucket ? this.buckets : this.buckets - 1;
    for (const slot of this.slots) {
      const c = slot.store;
      const y = valueOf(m, slot);
      if (i < HEAD) c.head[i] = y;
      c.tail[i % TAIL] = y;
      if (newBucket) {
        c.minX[b] = m.step;
        c.maxX[b] = m.step;
        c.minY[b] = Number.isFinite(y) ? y : NaN;
        c.maxY[b] = Number.isFinite(y) ? y : NaN;
      } else if (Number.isFinite(y)) {
        if (!(y >= cell(c.minY, b))) {
          c.minY[b] = y;
          c.minX[b] = m.step;
        }
        if (!(y <= cell(c.maxY, b))) {
          c.maxY[b] = y;
          c.maxX[b] = m.step;
        }
      }
    }
    if (newBucket) {
      this.buckets = b + 1;
      this.lastBucketFill = 1;
    } else this.lastBucketFill += 1;
    if (m.hiddenGradNorms) this.addSnapshot({ step: m.step, norms: m.hiddenGradNorms });
    this.firstRow ??= m;
    this.recent.push(m);
    this.count = i + 1;
  }

  private mergeBuckets(): void {
    for (const c of this.columns.values()) {
      for (let k = 0; k < BUCKETS / 2; k++) {
        const [a, b] = [2 * k, 2 * k + 1];
        const [minYa, minYb, maxYa, maxYb] = [cell(c.minY, a), cell(c.minY, b), cell(c.maxY, a), cell(c.maxY, b)];
        // NaN (a bucket of only non-finite values) loses to any number.
        const takeMinB = !(minYa <= minYb) && !Number.isNaN(minYb);
        const takeMaxB = !(maxYa >= maxYb) && !Number.isNaN(maxYb);
        c.minY[k] = takeMinB ? minYb : minYa;
        c.minX[k] = cell(c.minX, takeMinB ? b : a);
        c.maxY[k] = takeMaxB ? maxYb : maxYa;
        c.maxX[k] = cell(c.maxX, takeMaxB ? b : a);
      }
    }
    this.buckets = BUCKETS / 2;
    this.bucketWidth *= 2;
  }

  private addSnapshot(snapshot: HiddenSnapshot): void {
    this.hidden.push(snapshot);
    if (this.hidden.length > MAX_SNAPSHOTS) {
      // Thin the older half, keep the newest measurements dense.
      const keep = this.hidden.filter((_, k) => k % 2 === 0 || k >= MAX_SNAPSHOTS / 2);
      this.hidden.splice(0, this.hidden.length, ...keep);
    }
  }

  addEval(result: EvalMetrics): void {
    this.evals.push(result);
    if (this.evals.length > MAX_EVALS) this.evals.splice(0, this.evals.length - MAX_EVALS);
  }

  /**
   * Points of a column for steps in [lo, hi], at most `maxPoints`, extremes kept.
   * Full resolution where the head or the tail covers the range, buckets elsewhere.
   */
  points(
    name: SeriesColumn,
    [lo, hi]: [number, number],
    maxPoints: number,
    options: { positiveOnly?: boolean } = {},
  ): Point[] {
    const c = this.columns.get(name);
    if (!c || this.count === 0) return [];
    const last = this.count;
    const from = Math.max(1, Math.floor(lo));
    const to = Math.min(last, Math.ceil(hi));
    if (to < from) return [];
    const tailStart = Math.max(1, last - Math.min(TAIL, last) + 1);
    let n = 0;
    if (to <= Math.min(HEAD, last)) {
      for (let s = from; s <= to; s++, n++) {
        scratchX[n] = s;
        scratchY[n] = cell(c.head, s - 1);
      }
    } else if (from >= tailStart) {
      for (let s = from; s <= to; s++, n++) {
        scratchX[n] = s;
        scratchY[n] = cell(c.tail, (s - 1) % TAIL);
      }
    } else {
      // Each bucket's low and high point, in step order; a step both are at is taken once.
      const take = (x: number, y: number) => {
        if (x < from || x > to || (n > 0 && scratchX[n - 1] === x)) return;
        scratchX[n] = x;
        scratchY[n] = y;
        n += 1;
      };
      for (let b = 0; b < this.buckets; b++) {
        const [minX, minY, maxX, maxY] = [cell(c.minX, b), cell(c.minY, b), cell(c.maxX, b), cell(c.maxY, b)];
        if (maxX < minX) {
          take(maxX, maxY);
          take(minX, minY);
        } else {
          take(minX, minY);
          take(maxX, maxY);
        }
      }
    }
    return downsampleMinMax(scratchX.subarray(0, n), scratchY.subarray(0, n), maxPoints, options);
  }

  /** The latest step's record. */
  get last(): StepMetrics | null {
    return this.recent[this.recent.length - 1] ?? null;
  }

  get first(): StepMetrics | null {
    return this.firstRow;
  }

  /** The most recent full records (at most TAIL), oldest first. */
  get recentRows(): readonly StepMetrics[] {
    return this.recent;
  }
}
