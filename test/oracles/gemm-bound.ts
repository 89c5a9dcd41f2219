/**
 * How far two float64 evaluations of the same matrix product may lie apart when they sum in different orders
 * (JS kernels: k in order; Wasm: in KC = 256 blocks, alpha per block). The standard bound for an inner product
 * evaluated in any order (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1, eq. 3.5) is
 *   |fl(Σ a_p·b_p) − Σ a_p·b_p| ≤ γ_n·Σ |a_p|·|b_p|,   γ_n = n·u/(1 − n·u),  u = 2^-53,
 * with n the number of roundings on the longest path. alpha·s + beta·c adds at most 3 more per block and the
 * blocks' partial sums ⌈k/256⌉ more, all below 2k + 4 for k ≥ 1; so each result lies within γ_{2k+4}·M of the
 * exact value, M = |alpha|·(|op(A)|·|op(B)|) + |beta|·|C|, and the two backends within twice that.
 */

const U = 2 ** -53;

/** γ_n = n·u/(1 − n·u). */
export function gamma(n: number): number { return (n * U) / (1 - n * U); }

/**
 * M (m×n) = |alpha|·|op(A)|·|op(B)| + |beta|·|C| for row-major A (m×k, or k×m when transA), B (k×n, or n×k when
 * transB) and C (m×n; ignored when beta = 0).
 */
export function productMagnitude(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number> | null, m: number, n: number,
  k: number, transA: boolean, transB: boolean, alpha: number, beta: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += Math.abs(transA ? a[p * m + i] : a[i * k + p]) * Math.abs(transB ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = Math.abs(alpha) * s + (beta !== 0 && c !== null ? Math.abs(beta) * Math.abs(c[i * n + j]) : 0);
    }
  }
  return out;
}

/**
 * The largest |x[i] − y[i]| / bound[i] (0/0 counts as 0, anything over a zero bound as Infinity); ≤ 1 means
 * within the bound. NaN in exactly one of x, y counts as Infinity.
 */
export function worstRatio(x: ArrayLike<number>, y: ArrayLike<number>, bound: ArrayLike<number>): { ratio: number; at: number } {
  let ratio = 0, at = -1;
  for (let i = 0; i < bound.length; i++) {
    if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
    const d = Math.abs(x[i] - y[i]);
    const r = d === 0 ? 0 : bound[i] > 0 ? d / bound[i] : Infinity;
    if (!(r <= ratio)) { ratio = Number.isNaN(r) ? Infinity : r; at = i; }
  }
  return { ratio, at };
}
