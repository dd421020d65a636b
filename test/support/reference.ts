/**
 * The PyTorch reference figures kept in test/golden/ (measured with torch
 * 1.13.1, float32; its README says where they came from). Golden tests replay them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden');

export function referencePath(file: string): string {
  return path.join(REFERENCE_DIR, file);
}

export type CsvRow = Record<string, string>;

export function readCsv(file: string): CsvRow[] {
  const [header = '', ...lines] = readFileSync(referencePath(file), 'utf8').trim().split(/\r?\n/);
  const keys = header.split(',');
  return lines.map((line, n) => {
    const cells = line.split(',');
    if (cells.length !== keys.length) {
      throw new Error(`${file}, row ${n + 1}: ${cells.length} cells, not ${keys.length}`);
    }
    return Object.fromEntries(keys.map((k, i) => [k, cells[i] ?? '']));
  });
}

/** Python writes inf/nan; JS reads Infinity/NaN. */
export function num(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  return Number(text);
}

export interface DenseInit {
  fc1_weight: number[][];
  fc1_bias: number[];
  fc2_weight: number[][];
  fc2_bias: number[];
  epoch_orders: number[][];
}

let initCache: Record<string, DenseInit> | null = null;

export function denseInit(seed: number): DenseInit {
  initCache ??= (
    JSON.parse(readFileSync(referencePath('dense_init_weights_and_batch_orders.json'), 'utf8')) as {
      seeds: Record<string, DenseInit>;
    }
  ).seeds;
  const init = initCache[String(seed)];
  if (!init) throw new Error(`no reference weights for seed ${seed} in dense_init_weights_and_batch_orders.json`);
  return init;
}
