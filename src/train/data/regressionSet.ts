/** A regression data set held as float32 rows, and its reader for the tutorial's CSV. */

export interface RegressionSet {
  /** rows x features, row-major. */
  x: Float32Array;
  y: Float32Array;
  rows: number;
  features: number;
}

/** Reads `x0,...,x{f-1},y` CSV text with a header line (the layout of make_regression_rs1.csv). */
export function parseRegressionCsv(text: string): RegressionSet {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length < 2) throw new Error('regression CSV has no data rows');
  const header = lines[0].split(',');
  const features = header.length - 1;
  if (features < 1 || header[features].trim() !== 'y') throw new Error(`regression CSV header must end in 'y', got '${lines[0].slice(0, 80)}'`);
  const rows = lines.length - 1;
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(',');
    if (cells.length !== features + 1) throw new Error(`regression CSV row ${i + 1} has ${cells.length} cells, expected ${features + 1}`);
    for (let j = 0; j < features; j++) x[i * features + j] = Number(cells[j]);
    y[i] = Number(cells[features]);
  }
  return { x, y, rows, features };
}
