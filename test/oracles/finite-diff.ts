/**
 * Central finite differences in float64, the oracle for every gradient in tide's tests.
 * relErr uses max(|a|, |b|, floor) so tiny gradients are compared absolutely.
 */
export function centralDiff(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const xp = x.slice();
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const step = h * Math.max(1, Math.abs(xi));
    xp[i] = xi + step; const fp = f(xp);
    xp[i] = xi - step; const fm = f(xp);
    xp[i] = xi;
    g[i] = (fp - fm) / (2 * step);
  }
  return g;
}

/** max_i |a_i − b_i| / max_i |b_i|: the largest difference relative to the largest entry of the reference b. */
export function maxDiffOverMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return d / m;
}

/** Max over entries of |a − b| / max(|a|, |b|, floor). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`maxRelErr: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i]), floor);
    if (!(e <= m)) m = e;
  }
  return m;
}

/** Relative error of whole vectors: ‖a − b‖₂ / max(‖b‖₂, floor). */
export function vecRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; n += b[i] ** 2; }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), floor);
}

export function randomArray(n: number, rng: { normal(): number }, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}
