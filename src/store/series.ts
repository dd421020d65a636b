/**
 * A run's metrics, kept outside React: columns in growable typed arrays for
 * the charts (cheap to scan and downsample), and the full step records for
 * export. The store only holds a version number that says "something changed".
 */
import type { EvalMetrics, RunLayout, StepMetrics } from '../train/metrics.ts';

export const SERIES_COLUMNS = ['step', 'loss', 'accuracy', 'globalNormPre', 'globalNormPost', 'clipFraction', 'clipScale'] as const;
export type SeriesColumn = (typeof SERIES_COLUMNS)[number];

export interface HiddenSnapshot {
  step: number;
  /** ||dL/dh_t|| layer-major: layer 0 t = 1..T, then layer 1. */
  norms: number[];
}

class Column {
  data = new Float64Array(256);

  set(i: number, value: number): void {
    if (i >= this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[i] = value;
  }
}

export class RunSeries {
  readonly layout: RunLayout;
  count = 0;
  readonly rows: StepMetrics[] = [];
  readonly evals: EvalMetrics[] = [];
  readonly hidden: HiddenSnapshot[] = [];
  private readonly columns = new Map<string, Column>();

  constructor(layout: RunLayout) {
    this.layout = layout;
  }

  private column(name: string): Column {
    let c = this.columns.get(name);
    if (!c) {
      c = new Column();
      this.columns.set(name, c);
    }
    return c;
  }

  append(steps: StepMetrics[]): void {
    for (const m of steps) {
      const i = this.count;
      this.column('step').set(i, m.step);
      this.column('loss').set(i, m.loss);
      this.column('accuracy').set(i, m.accuracy ?? NaN);
      this.column('globalNormPre').set(i, m.globalNormPre);
      this.column('globalNormPost').set(i, m.globalNormPost);
      this.column('clipFraction').set(i, m.clipFraction);
      this.column('clipScale').set(i, m.clipScale);
      this.layout.layers.forEach((layer, l) => {
        this.column(`pre:${layer}`).set(i, m.layerNormPre[l]);
        this.column(`post:${layer}`).set(i, m.layerNormPost[l]);
      });
      if (m.hiddenGradNorms) this.hidden.push({ step: m.step, norms: m.hiddenGradNorms });
      this.rows.push(m);
      this.count = i + 1;
    }
  }

  /** A column's values so far (a view, not a copy). */
  values(name: SeriesColumn | `pre:${string}` | `post:${string}`): Float64Array {
    return (this.columns.get(name)?.data ?? new Float64Array(0)).subarray(0, this.count);
  }

  get last(): StepMetrics | null {
    return this.rows[this.rows.length - 1] ?? null;
  }
}
