/**
 * A port of scikit-learn's make_regression (the generator the tutorial used),
 * driven by our seeded Rng instead of numpy's MT19937, so it reproduces the
 * process, not sklearn's exact numbers (load `rs1` for those). The process,
 * all from one random stream, as in sklearn 1.2:
 *   X = n x f standard normals; the first `informative` coefficients are
 *   100 x U[0, 1), the rest 0; y = X . coef + N(0, noise^2);
 *   rows shuffled; feature columns shuffled together with their coefficients.
 */
import type { Rng } from '../rng.ts';
import type { RegressionSet } from './regressionSet.ts';

export interface MakeRegressionOptions {
  samples: number;
  features: number;
  informative: number;
  noise: number;
}

export const TUTORIAL_REGRESSION: MakeRegressionOptions = { samples: 1000, features: 20, informative: 10, noise: 0.1 };

export function makeRegression(rng: Rng, options: MakeRegressionOptions): RegressionSet & { coef: Float64Array } {
  const { samples: n, features: f, informative, noise } = options;
  if (informative > f) throw new Error(`informative (${informative}) must be at most features (${f})`);
  const x = new Float64Array(n * f);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const coef = new Float64Array(f);
  for (let j = 0; j < informative; j++) coef[j] = 100 * rng.uniform();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    // Loop bounds keep every index in range (the `!`s below say so to noUncheckedIndexedAccess).
    for (let j = 0; j < f; j++) s += x[i * f + j]! * coef[j]!;
    y[i] = s;
  }
  for (let i = 0; i < n; i++) y[i]! += noise * rng.normal();

  const rowOrder = rng.permutation(n);
  const colOrder = rng.permutation(f);
  const xOut = new Float32Array(n * f);
  const yOut = new Float32Array(n);
  const coefOut = new Float64Array(f);
  for (let j = 0; j < f; j++) coefOut[j] = coef[colOrder[j]!]!;
  for (let i = 0; i < n; i++) {
    const src = rowOrder[i]!;
    yOut[i] = y[src]!;
    for (let j = 0; j < f; j++) xOut[i * f + j] = x[src * f + colOrder[j]!]!;
  }
  return { x: xOut, y: yOut, rows: n, features: f, coef: coefOut };
}
