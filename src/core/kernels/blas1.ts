/**
 * Vector kernels on typed arrays. Conventions: the written array comes first and is returned,
 * inputs follow; lengths are taken from `out` and inputs must be at least that long (callers validate shapes
 * once at setup, so kernels do not re-check in hot loops unless stated). Aliasing is allowed where said.
 */
import type { FloatArray } from '../array.ts';

/** out[i] = alpha·x[i] + y[i]. out may alias x or y. */
export function axpy(out: FloatArray, alpha: number, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = alpha * x[i] + y[i];
  return out;
}

/** y[i] += alpha·x[i] (in place). */
export function axpyInPlace(y: FloatArray, alpha: number, x: Readonly<FloatArray>): FloatArray {
  const n = y.length;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  return y;
}

/** out[i] = alpha·x[i]. out may alias x. */
export function scale(out: FloatArray, alpha: number, x: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = alpha * x[i];
  return out;
}

/** out[i] = x[i] + y[i]. */
export function add(out: FloatArray, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
  return out;
}

/** out[i] = x[i] − y[i]. */
export function sub(out: FloatArray, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
  return out;
}

/** out[i] = x[i]·y[i]. */
export function mul(out: FloatArray, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
  return out;
}

/** out[i] = x[i] / y[i]. */
export function div(out: FloatArray, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
  return out;
}

/** out[i] = x[i] (copy; out and x may be different dtypes). */
export function copy(out: FloatArray, x: Readonly<FloatArray>): FloatArray {
  out.set(x.length === out.length ? x : x.subarray(0, out.length));
  return out;
}

/** Σ x[i]·y[i]. */
export function dot(x: Readonly<FloatArray>, y: Readonly<FloatArray>): number {
  const n = x.length;
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) { s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1]; }
  if (i < n) s0 += x[i] * y[i];
  return s0 + s1;
}

/** Σ x[i]. */
export function sum(x: Readonly<FloatArray>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/** Euclidean norm, scaled to avoid overflow/underflow. */
export function norm2(x: Readonly<FloatArray>): number {
  let amax = 0;
  for (let i = 0; i < x.length; i++) { const v = Math.abs(x[i]); if (v > amax) amax = v; }
  if (amax === 0 || !Number.isFinite(amax)) return amax;
  let s = 0;
  const inv = 1 / amax;
  for (let i = 0; i < x.length; i++) { const v = x[i] * inv; s += v * v; }
  return amax * Math.sqrt(s);
}

/** max |x[i]|. */
export function normInf(x: Readonly<FloatArray>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) { const v = Math.abs(x[i]); if (v > m || v !== v) m = v; }
  return m;
}

/** out (m×n, row-major) += bias (n) on every row. */
export function addRowBias(out: FloatArray, bias: Readonly<FloatArray>, m: number, n: number): FloatArray {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] += bias[j];
  }
  return out;
}

/** out (n) = alpha·(column sums of x (m×n)) + beta·out: the bias gradient of a dense layer. */
export function sumRows(out: FloatArray, x: Readonly<FloatArray>, m: number, n: number, alpha = 1, beta = 0): FloatArray {
  if (beta === 0) for (let j = 0; j < n; j++) out[j] = 0;
  else if (beta !== 1) for (let j = 0; j < n; j++) out[j] *= beta;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[j] += alpha * x[o + j];
  }
  return out;
}

/** out[i] = Σ_j x[i, j] (row sums of an m×n matrix). */
export function sumCols(out: FloatArray, x: Readonly<FloatArray>, m: number, n: number): FloatArray {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const o = i * n;
    for (let j = 0; j < n; j++) s += x[o + j];
    out[i] = s;
  }
  return out;
}

/** Sets every element to value. */
export function fill(out: FloatArray, value: number): FloatArray {
  out.fill(value);
  return out;
}
