/**
 * Vector kernels on typed arrays. Conventions: the written array comes first and is returned,
 * inputs follow; lengths are taken from `out` and inputs must be at least that long (callers validate shapes
 * once at setup, so kernels do not re-check in hot loops unless stated). Aliasing is allowed where said.
 *
 * WebAssembly: axpy, axpyInPlace, scale, add, sub, mul, dot, sum and linComb run in the f64x2 kernels of
 * wasm/assembly/blas1.ts when every array is a Float64Array of exactly the output's length, the backend allows it
 * (kernels.setBackend) and, under 'auto', the length is at least the kernel's {@link BLAS1_AUTO_MIN_LENGTH} and,
 * for dot and linComb, within {@link BLAS1_AUTO_MAX}: where the copies into and out of Wasm memory are repaid
 * (measured in bench/blas1.ts). Results are bit-identical to the JS loops: the same IEEE operations in the same order
 * on each element (no fused multiply–add on either side), and the reductions keep the JS summation order.
 */
import type { FloatArray } from '../array.ts';
import { WASM_ADD, WASM_MUL, WASM_SUB, wasmAxpy, wasmAxpyInPlace, wasmBinary, wasmDot, wasmFits, wasmForced, wasmForLength, wasmLinComb,
  wasmScale, wasmSum } from './wasm.ts';

// Measured in bench/blas1.ts (bench/results/blas1.json; repeated runs on a shared machine): every kernel, its copies
// included, lost to the JS loop at n = 8 (0.2–0.6×), was about even at 32 (0.6–1.4×), and won at 128 (1.3–3×) and
// beyond (2–5× from 512 to 131072).
const AXPY_MIN = 128, AXPY_IN_PLACE_MIN = 128, SCALE_MIN = 128, ADD_MIN = 128, SUB_MIN = 128, MUL_MIN = 128;
const DOT_MIN = 128, SUM_MIN = 128, LIN_COMB_MIN = 128, NORM_SUM_MIN = 128;
/** dot at 1e6 was even at best (0.83–1.44 over runs); 262144 and 524288 still paid (1.6×). */
const DOT_MAX = 524288;
/** linComb: 8 stages × 131072 and 5 × 262144 paid (2–3×, 1.5–2×); 12 × 131072, 16 × 131072 and 8 × 1e6 lost (0.6–0.98×). */
const LIN_COMB_MAX_STAGE_ELEMENTS = 1310720;

/**
 * Lengths from which the 'auto' backend runs each vector kernel in WebAssembly, measured in bench/blas1.ts (the
 * length listed there from which Wasm, its copies included, was faster). sumSquaredScaled is the error-norm sum of
 * control/norms.ts. dot and linComb also have upper limits, {@link BLAS1_AUTO_MAX}.
 */
export const BLAS1_AUTO_MIN_LENGTH: Readonly<Record<'axpy' | 'axpyInPlace' | 'scale' | 'add' | 'sub' | 'mul' | 'dot' | 'sum' | 'linComb' | 'sumSquaredScaled', number>> = Object.freeze({
  axpy: AXPY_MIN, axpyInPlace: AXPY_IN_PLACE_MIN, scale: SCALE_MIN, add: ADD_MIN, sub: SUB_MIN, mul: MUL_MIN,
  dot: DOT_MIN, sum: SUM_MIN, linComb: LIN_COMB_MIN, sumSquaredScaled: NORM_SUM_MIN,
});

/**
 * Where 'auto' stops sending dot and linComb to WebAssembly because the copies leave the caches and cost more than
 * SIMD saves (bench/blas1.ts). The other kernels paid at every length measured (to 1e6; axpy to 1.6e7).
 */
export const BLAS1_AUTO_MAX: Readonly<{
  /** Longest dot that 'auto' runs in Wasm. */
  dotLength: number;
  /** Largest (stages with a nonzero coefficient)·n of a linComb that 'auto' runs in Wasm. */
  linCombStageElements: number;
}> = Object.freeze({ dotLength: DOT_MAX, linCombStageElements: LIN_COMB_MAX_STAGE_ELEMENTS });

function f64Of(a: Readonly<FloatArray>, n: number): boolean {
  return a instanceof Float64Array && a.length === n;
}

/** out[i] = alpha·x[i] + y[i]. out may alias x or y. */
export function axpy(out: FloatArray, alpha: number, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  if (wasmForLength(n, AXPY_MIN) && f64Of(out, n) && f64Of(x, n) && f64Of(y, n)
    && wasmAxpy(out as Float64Array, alpha, x as Float64Array, y as Float64Array)) return out;
  for (let i = 0; i < n; i++) out[i] = alpha * x[i] + y[i];
  return out;
}

/** y[i] += alpha·x[i] (in place). */
export function axpyInPlace(y: FloatArray, alpha: number, x: Readonly<FloatArray>): FloatArray {
  const n = y.length;
  if (wasmForLength(n, AXPY_IN_PLACE_MIN) && f64Of(y, n) && f64Of(x, n)
    && wasmAxpyInPlace(y as Float64Array, alpha, x as Float64Array)) return y;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  return y;
}

/** out[i] = alpha·x[i]. out may alias x. */
export function scale(out: FloatArray, alpha: number, x: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  if (wasmForLength(n, SCALE_MIN) && f64Of(out, n) && f64Of(x, n) && wasmScale(out as Float64Array, alpha, x as Float64Array)) return out;
  for (let i = 0; i < n; i++) out[i] = alpha * x[i];
  return out;
}

/** out[i] = x[i] + y[i]. out may alias x or y. */
export function add(out: FloatArray, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  if (wasmForLength(n, ADD_MIN) && f64Of(out, n) && f64Of(x, n) && f64Of(y, n)
    && wasmBinary(WASM_ADD, out as Float64Array, x as Float64Array, y as Float64Array)) return out;
  for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
  return out;
}

/** out[i] = x[i] − y[i]. out may alias x or y. */
export function sub(out: FloatArray, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  if (wasmForLength(n, SUB_MIN) && f64Of(out, n) && f64Of(x, n) && f64Of(y, n)
    && wasmBinary(WASM_SUB, out as Float64Array, x as Float64Array, y as Float64Array)) return out;
  for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
  return out;
}

/** out[i] = x[i]·y[i]. out may alias x or y. */
export function mul(out: FloatArray, x: Readonly<FloatArray>, y: Readonly<FloatArray>): FloatArray {
  const n = out.length;
  if (wasmForLength(n, MUL_MIN) && f64Of(out, n) && f64Of(x, n) && f64Of(y, n)
    && wasmBinary(WASM_MUL, out as Float64Array, x as Float64Array, y as Float64Array)) return out;
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

/** Σ x[i]·y[i], as two running sums over the even and the odd indices, added at the end. */
export function dot(x: Readonly<FloatArray>, y: Readonly<FloatArray>): number {
  const n = x.length;
  if (wasmForLength(n, DOT_MIN) && (n <= DOT_MAX || wasmForced()) && f64Of(x, n) && f64Of(y, n) && wasmFits(2 * n)) {
    return wasmDot(x as Float64Array, y as Float64Array);
  }
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) { s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1]; }
  if (i < n) s0 += x[i] * y[i];
  return s0 + s1;
}

/** Σ x[i], added in index order. */
export function sum(x: Readonly<FloatArray>): number {
  if (wasmForLength(x.length, SUM_MIN) && x instanceof Float64Array && wasmFits(x.length)) return wasmSum(x);
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

/**
 * Whether linComb can go to Wasm: out a Float64Array holding [outOffset, outOffset + n), y and the stages with a
 * nonzero coefficient Float64Arrays of length n (stages with a zero coefficient are not read), within the limit.
 */
function linCombF64(out: Readonly<FloatArray>, outOffset: number, n: number, y: Readonly<FloatArray> | null,
  coeffs: ArrayLike<number>, ks: readonly Readonly<FloatArray>[], count: number): boolean {
  if (!(out instanceof Float64Array) || outOffset + n > out.length || (y !== null && !f64Of(y, n))) return false;
  let nz = 0;
  for (let j = 0; j < count; j++) {
    if (coeffs[j] === 0) continue;
    if (!f64Of(ks[j], n)) return false;
    nz++;
  }
  return nz * n <= LIN_COMB_MAX_STAGE_ELEMENTS || wasmForced();
}

/** Nonzero coefficients of the combination being formed and their stages (linComb's scratch; it does not re-enter). */
let NZ_C = new Float64Array(32);
const NZ_K: Readonly<FloatArray>[] = [];
const NO_STAGE = new Float64Array(0);

/** Clears the first c stage slots, so the scratch keeps no solver's arrays alive after the call. */
function dropStages(c: number): void {
  for (let q = 0; q < c; q++) NZ_K[q] = NO_STAGE;
}

/**
 * The Runge–Kutta stage combination out[o + m] = y[m] + w·Σ_{j<count} coeffs[j]·ks[j][m] (with y null:
 * (Σ …)·w), m < n, o = outOffset (default 0, n = out.length − o): a stage input Y_i = y + h Σ_j a_ij k_j, the
 * error estimate h Σ_j e_j k_j, or a row of a dense interpolant's coefficients. Bit-identical to the unfused
 * definition `acc.fill(0); for each j with coeffs[j] ≠ 0: acc[m] += coeffs[j]·ks[j][m]; then y[m] + w·acc[m]`
 * (the sum starts at +0 and adds the nonzero terms in order of j; stored partial sums are float64 as registers are).
 * In JS one pass over memory for up to 6 nonzero terms (every row of the built-in tableaus but DOP853's), else
 * passes of 4 then a final one; large Float64 calls run in WebAssembly (see above), with the same bits.
 * Stages with a zero coefficient are not read (they may be any array, even empty). out must not alias y or any
 * ks[j] read. count ≤ coeffs.length and ks.length; y and the stages are read at [0, n).
 */
export function linComb<T extends FloatArray>(out: T, y: Readonly<FloatArray> | null, w: number, coeffs: ArrayLike<number>,
  ks: readonly Readonly<FloatArray>[], count: number, outOffset = 0, n = out.length - outOffset): T {
  if (wasmForLength(n, LIN_COMB_MIN) && linCombF64(out, outOffset, n, y, coeffs, ks, count)
    && wasmLinComb(out as Float64Array, outOffset, n, y as Readonly<Float64Array> | null, w, coeffs, ks as readonly Float64Array[], count)) return out;
  const o = outOffset;
  if (count > NZ_C.length) NZ_C = new Float64Array(2 * count);
  let c = 0;
  for (let j = 0; j < count; j++) {
    const a = coeffs[j];
    if (a === 0) continue;
    NZ_C[c] = a; NZ_K[c] = ks[j]; c++;
  }
  if (c > 6) {
    // Partial sums in out, 4 terms a pass, then the final pass (DOP853's long rows).
    for (let q = 0; q < c; q += 4) {
      const r = Math.min(4, c - q);
      const a0 = NZ_C[q], k0 = NZ_K[q];
      if (q === 0) for (let m = 0; m < n; m++) out[o + m] = 0 + a0 * k0[m];
      else for (let m = 0; m < n; m++) out[o + m] += a0 * k0[m];
      for (let p = 1; p < r; p++) {
        const ap = NZ_C[q + p], kp = NZ_K[q + p];
        for (let m = 0; m < n; m++) out[o + m] += ap * kp[m];
      }
    }
    dropStages(c);
    if (y !== null) for (let m = 0; m < n; m++) out[o + m] = y[m] + w * out[o + m];
    else for (let m = 0; m < n; m++) out[o + m] *= w;
    return out;
  }
  const a0 = NZ_C[0], a1 = NZ_C[1], a2 = NZ_C[2], a3 = NZ_C[3], a4 = NZ_C[4], a5 = NZ_C[5];
  const k0 = NZ_K[0], k1 = NZ_K[1], k2 = NZ_K[2], k3 = NZ_K[3], k4 = NZ_K[4], k5 = NZ_K[5];
  dropStages(c);
  if (y !== null) {
    switch (c) {
      case 0: for (let m = 0; m < n; m++) out[o + m] = y[m] + w * 0; break;
      case 1: for (let m = 0; m < n; m++) out[o + m] = y[m] + w * (0 + a0 * k0[m]); break;
      case 2: for (let m = 0; m < n; m++) out[o + m] = y[m] + w * (0 + a0 * k0[m] + a1 * k1[m]); break;
      case 3: for (let m = 0; m < n; m++) out[o + m] = y[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m]); break;
      case 4: for (let m = 0; m < n; m++) out[o + m] = y[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m]); break;
      case 5: for (let m = 0; m < n; m++) out[o + m] = y[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m] + a4 * k4[m]); break;
      default: for (let m = 0; m < n; m++) out[o + m] = y[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m] + a4 * k4[m] + a5 * k5[m]);
    }
  } else {
    switch (c) {
      case 0: for (let m = 0; m < n; m++) out[o + m] = 0 * w; break;
      case 1: for (let m = 0; m < n; m++) out[o + m] = (0 + a0 * k0[m]) * w; break;
      case 2: for (let m = 0; m < n; m++) out[o + m] = (0 + a0 * k0[m] + a1 * k1[m]) * w; break;
      case 3: for (let m = 0; m < n; m++) out[o + m] = (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m]) * w; break;
      case 4: for (let m = 0; m < n; m++) out[o + m] = (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m]) * w; break;
      case 5: for (let m = 0; m < n; m++) out[o + m] = (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m] + a4 * k4[m]) * w; break;
      default: for (let m = 0; m < n; m++) out[o + m] = (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m] + a4 * k4[m] + a5 * k5[m]) * w;
    }
  }
  return out;
}

/** Sets every element to value. */
export function fill(out: FloatArray, value: number): FloatArray {
  out.fill(value);
  return out;
}
