/**
 * The SIMD cell module the build ships (cellsBinary.ts) is cells.wat as it stands: assembled again here, the
 * bytes are the same. An edit to the .wat without `npx tsx scripts/buildSimdCells.ts` fails this test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleCells, BINARY_PATH, binarySource } from '../../scripts/buildSimdCells.ts';

describe('cellsBinary.ts', () => {
  it('holds the bytes cells.wat assembles to', async () => {
    const bytes = await assembleCells();
    expect(bytes.length).toBeGreaterThan(1000);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(readFileSync(BINARY_PATH, 'utf8')).toBe(binarySource(bytes));
  });
});
