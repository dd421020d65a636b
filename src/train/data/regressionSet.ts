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
  const [headerLine = '', ...dataLines] = lines;
  const header = headerLine.split(',');
  const features = header.length - 1;
  if (features < 1 || header[features]?.trim() !== 'y')
    throw new Error(`regression CSV header must end in 'y', got '${headerLine.slice(0, 80)}'`);
  const rows = lines.length - 1;
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  for (const [i, line] of dataLines.entries()) {
    const cells = line.split(',');
    if (cells.length !== features + 1)
      throw new Error(`regression CSV row ${i + 1} has ${cells.length} cells, expected ${features + 1}`);
    for (let j = 0; j < features; j++) x[i * features + j] = Number(cells[j]);
    y[i] = Number(cells[features]);
  }
  return { x, y, rows, features };
}
