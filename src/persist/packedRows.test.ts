import { describe, expect, it } from 'vitest';
import { packRows, unpackRows } from './packedRows.ts';

describe('rows kept as columns', () => {
  const rows = [
    { step: 1, loss: -0, norms: [1, 2], hidden: null, tag: 'a', empty: [] as number[], ragged: [1] },
    { step: 2, loss: NaN, norms: [3, Infinity], hidden: null, tag: 'b', empty: [] as number[], ragged: [1, 2] },
    { step: 3, loss: -Infinity, norms: [5, 6], hidden: null, tag: 'c', empty: [] as number[], ragged: [] },
  ];

  it('stores numbers and same-length number arrays as Float64Arrays, the rest as it is', () => {
    const packed = packRows(rows);
    if (!packed) throw new Error('not packed');
    expect(packed.count).toBe(3);
    const byKey = Object.fromEntries(packed.columns.map((c) => [c.key, c]));
    // By hand: the norms end to end, two per row.
    expect(byKey.norms?.width).toBe(2);
    expect(Array.from(byKey.norms?.values as Float64Array)).toEqual([1, 2, 3, Infinity, 5, 6]);
    expect(byKey.step?.width).toBe(0);
    expect(Array.from(byKey.step?.values as Float64Array)).toEqual([1, 2, 3]);
    for (const key of ['hidden', 'tag', 'empty', 'ragged']) expect(byKey[key]?.width).toBe(-1);
    expect(byKey.ragged?.values).toEqual([[1], [1, 2], []]);
  });

  it('gives the rows back exactly, fields in their order, -0 and NaN included', () => {
    const back = unpackRows<(typeof rows)[number]>(packRows(rows) as NonNullable<ReturnType<typeof packRows>>);
    expect(back).toEqual(rows);
    expect(Object.is(back[0]?.loss, -0)).toBe(true);
    expect(back.map((r) => Object.keys(r))).toEqual(rows.map((r) => Object.keys(r)));
  });

  it('keeps rows of different fields, or none, as rows', () => {
    expect(packRows([])).toBeNull();
    expect(packRows([{ a: 1, b: 2 }, { a: 1 }])).toBeNull();
    expect(
      packRows([
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ]),
    ).toBeNull();
  });
});
