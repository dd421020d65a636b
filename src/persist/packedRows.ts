/**
 * Rows of one shape stored as columns: each numeric field one Float64Array, each field that is an array of the same
 * length in every row one Float64Array of them end to end, anything else (nulls, strings, arrays of changing length)
 * a plain array. IndexedDB clones a typed array as one block of memory, where 200 step records were some 4,000
 * objects and arrays to walk: the clone was the largest part of the page's own work while a race of four trained
 * (docs/PERFORMANCE.md). Float64 holds every number a row can hold (NaN, the infinities, -0), so unpacking gives the
 * rows back exactly, their fields in the same order.
 */

/** A field's values: numbers (`width` 0), same-length number arrays end to end (`width` their length), or as is. */
type PackedColumn =
  { key: string; width: number; values: Float64Array } | { key: string; width: -1; values: unknown[] };

export interface PackedRows {
  count: number;
  columns: PackedColumn[];
}

function numberArrayWidth(values: readonly unknown[]): number {
  let width = -1;
  for (const v of values) {
    if (!Array.isArray(v)) return -1;
    if (width === -1) width = v.length;
    if (v.length !== width) return -1;
    for (const x of v) if (typeof x !== 'number') return -1;
  }
  // Empty arrays stay as they are: a width of 0 is a column of numbers.
  return width > 0 ? width : -1;
}

/**
 * The rows as columns, or null where they do not share one set of fields (in the first row's order): those are
 * kept as rows.
 */
export function packRows<T extends object>(rows: readonly T[]): PackedRows | null {
  const first = rows[0];
  if (first === undefined) return null;
  const keys = Object.keys(first);
  for (const row of rows) {
    const own = Object.keys(row);
    if (own.length !== keys.length || own.some((k, i) => k !== keys[i])) return null;
  }
  const columns = keys.map((key): PackedColumn => {
    const values = rows.map((row) => (row as Record<string, unknown>)[key]);
    if (values.every((v) => typeof v === 'number')) return { key, width: 0, values: Float64Array.from(values) };
    const width = numberArrayWidth(values);
    if (width < 0) return { key, width: -1, values };
    const flat = new Float64Array(rows.length * width);
    values.forEach((v, i) => flat.set(v as number[], i * width));
    return { key, width, values: flat };
  });
  return { count: rows.length, columns };
}

/** The rows `packRows` was given, field for field. */
export function unpackRows<T>(packed: PackedRows): T[] {
  const rows: Record<string, unknown>[] = Array.from({ length: packed.count }, () => ({}));
  for (const { key, width, values } of packed.columns) {
    for (let i = 0; i < packed.count; i++) {
      const row = rows[i] as Record<string, unknown>;
      if (width === -1) row[key] = (values as unknown[])[i];
      else if (width === 0) row[key] = (values as Float64Array)[i];
      else row[key] = Array.from((values as Float64Array).subarray(i * width, (i + 1) * width));
    }
  }
  return rows as T[];
}
