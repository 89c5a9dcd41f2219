/**
 * Chebyshev grids and barycentric Lagrange interpolation for the interpolated reverse dynamic method (IRDM,
 * Daulbaev et al. 2020, §2 and eq. (7)). Nodes are the Chebyshev extreme (Lobatto) points
 *     τ_k = t0 + (t1 − t0)(1 − cos(kπ/N))/2,  k = 0 … N  (n = N + 1 nodes, both ends included),
 * with Berrut–Trefethen weights w_k = (−1)^k δ_k (δ_0 = δ_N = ½, else 1), which make the interpolant the degree-N
 * polynomial through the nodes. `weights: 'irdm-paper'` uses the published w_k = (−1)^k sin((2k+1)π/(2N+2)) (the
 * weights of first-kind points), which still interpolate every node but converge only algebraically on these nodes.
 */
import { TideError } from '../core/errors.ts';

/**
 * Barycentric weights on the Chebyshev extreme (Lobatto) nodes: 'lobatto' (default), Berrut–Trefethen's
 * w_k = (−1)^k δ_k, exact polynomial interpolation through the nodes; 'irdm-paper', the weights printed with
 * Daulbaev et al. 2020's eq. (7), w_n = (−1)^n sin((2n+1)π/(2N+2)) (see the module header).
 */
export type ChebyshevWeights = 'lobatto' | 'irdm-paper';

/** n Chebyshev–Lobatto nodes on [t0, t1] (n ≥ 2), increasing from t0 to t1. */
export function chebyshevNodes(n: number, t0: number, t1: number): Float64Array {
  if (!Number.isInteger(n) || n < 2) throw new TideError('BAD_OPTION', `chebyshevNodes: need an integer number of nodes ≥ 2, got ${n}. 16 to 64 suit most problems.`, { option: 'chebyshevNodes' });
  const N = n - 1, out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = t0 + (t1 - t0) * (1 - Math.cos((k * Math.PI) / N)) / 2;
  out[0] = t0; out[N] = t1;
  if (n % 2 === 1) out[N / 2] = t0 + (t1 - t0) / 2;
  return out;
}

/** Barycentric weights for n nodes. */
export function barycentricWeights(n: number, kind: ChebyshevWeights = 'lobatto'): Float64Array {
  const N = n - 1, w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const sign = k % 2 === 0 ? 1 : -1;
    w[k] = kind === 'lobatto' ? sign * (k === 0 || k === N ? 0.5 : 1) : sign * Math.sin(((2 * k + 1) * Math.PI) / (2 * N + 2));
  }
  return w;
}

/**
 * out = ŷ(t) = Σ_k w_k y_k/(t − τ_k) / Σ_k w_k/(t − τ_k), with values `ys` (n rows of length d, row-major).
 * At a node (|t − τ_k| < 1e-12·scale) returns y_k exactly. O(n·d), no allocation. Returns out.
 */
export function barycentric(out: Float64Array, t: number, nodes: Readonly<Float64Array>, w: Readonly<Float64Array>,
  ys: Readonly<Float64Array>): Float64Array {
  const n = nodes.length, d = out.length;
  const tol = 1e-12 * Math.max(1, Math.abs(nodes[0]), Math.abs(nodes[n - 1]));
  for (let k = 0; k < n; k++) {
    if (Math.abs(t - nodes[k]) < tol) {
      for (let m = 0; m < d; m++) out[m] = ys[k * d + m];
      return out;
    }
  }
  out.fill(0);
  let den = 0;
  for (let k = 0; k < n; k++) {
    const c = w[k] / (t - nodes[k]);
    den += c;
    const off = k * d;
    for (let m = 0; m < d; m++) out[m] += c * ys[off + m];
  }
  const inv = 1 / den;
  for (let m = 0; m < d; m++) out[m] *= inv;
  return out;
}
