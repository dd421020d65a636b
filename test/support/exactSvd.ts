/**
 * The exact largest singular value, in float64, from the eigenvalues of W^T W by cyclic Jacobi rotations:
 * an independent method (no power iteration) for small matrices.
 */
export function exactSpectralNorm(w: number[][]): number {
  const m = w.length;
  const n = w[0]?.length ?? 0;
  const a = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => w.reduce((s, row) => s + (row[i] ?? 0) * (row[j] ?? 0), 0)),
  );
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  void m;
  return Math.sqrt(Math.max(...a.map((row, i) => row[i]!)));
}
