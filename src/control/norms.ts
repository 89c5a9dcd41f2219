/**
 * Error norms for step-size control (Hairer, Nørsett & Wanner I, (II.4.11)). The loop calls the norm once per attempted step:
 *
 *     sc_i = atol_i + rtol_i · max(|y_n,i|, |y_{n+1},i|)          E = sqrt( (1/n) Σ_i (err_i / sc_i)² )
 *
 * and accepts the step iff E ≤ 1. The norm is a plain function so callers can replace it: a gradient method's
 * backward solve passes a seminorm (Kidger, Chen & Lyons, "Hey, that's not an ODE", §2.2: E = max over the state
 * and state-adjoint blocks, zero weight on the parameter adjoint), built from {@link rmsNormRange}.
 */

import { BLAS1_AUTO_MIN_LENGTH } from '../core/kernels/blas1.ts';
import { wasmFits, wasmForLength, wasmSumSquaredScaled } from '../core/kernels/wasm.ts';

/** A tolerance: one number for every component, or one per component (length n). */
export type Tolerance = number | Readonly<Float64Array>;

/**
 * An error norm: E from the error vector, the states before and after the step, and the tolerances.
 * Must return a non-negative number, NaN/Infinity when err or the states are not finite (the loop treats a
 * non-finite E as a rejection), and must not write to its arguments or keep them.
 */
export type Norm = (err: Readonly<Float64Array>, yPrev: Readonly<Float64Array>, yNew: Readonly<Float64Array>,
  rtol: Tolerance, atol: Tolerance) => number;

const WASM_MIN = BLAS1_AUTO_MIN_LENGTH.sumSquaredScaled;

/** Whether a tolerance can be copied into Wasm memory whole: a number, or a Float64Array of exactly n. */
function wholeTol(t: Tolerance, n: number): boolean {
  return typeof t === 'number' || (t instanceof Float64Array && t.length === n);
}

/**
 * Sum of squared scaled errors over components [start, end): Σ (err_i / (atol_i + rtol_i max(|yPrev_i|, |yNew_i|)))²,
 * added in order of i. The building block of RMS norms and seminorms over blocks of an augmented state.
 * Over a whole long Float64 state (start 0, end the length, at least BLAS1_AUTO_MIN_LENGTH.sumSquaredScaled
 * components) it runs in WebAssembly (wasm/assembly/blas1.ts), with the same bits: the scaled errors are formed two at
 * a time on f64x2, their squares added one by one in this order.
 */
export function sumSquaredScaled(err: Readonly<Float64Array>, yPrev: Readonly<Float64Array>, yNew: Readonly<Float64Array>,
  rtol: Tolerance, atol: Tolerance, start: number, end: number): number {
  const n = err.length;
  if (start === 0 && end === n && wasmForLength(n, WASM_MIN) && yPrev.length === n && yNew.length === n
    && wholeTol(rtol, n) && wholeTol(atol, n) && wasmFits(5 * n + 8)) {
    return wasmSumSquaredScaled(err, yPrev, yNew, rtol, atol);
  }
  let sum = 0;
  // Four loops so the common scalar-tolerance case reads no tolerance arrays.
  if (typeof rtol === 'number' && typeof atol === 'number') {
    for (let i = start; i < end; i++) {
      const a = Math.abs(yPrev[i]), b = Math.abs(yNew[i]);
      const x = err[i] / (atol + rtol * (a > b ? a : b));
      sum += x * x;
    }
  } else if (typeof rtol === 'number') {
    const at = atol as Readonly<Float64Array>;
    for (let i = start; i < end; i++) {
      const a = Math.abs(yPrev[i]), b = Math.abs(yNew[i]);
      const x = err[i] / (at[i] + rtol * (a > b ? a : b));
      sum += x * x;
    }
  } else if (typeof atol === 'number') {
    for (let i = start; i < end; i++) {
      const a = Math.abs(yPrev[i]), b = Math.abs(yNew[i]);
      const x = err[i] / (atol + rtol[i] * (a > b ? a : b));
      sum += x * x;
    }
  } else {
    for (let i = start; i < end; i++) {
      const a = Math.abs(yPrev[i]), b = Math.abs(yNew[i]);
      const x = err[i] / (atol[i] + rtol[i] * (a > b ? a : b));
      sum += x * x;
    }
  }
  return sum;
}

/**
 * RMS of the scaled error over components [start, end) (0 for an empty range). A seminorm for an augmented
 * adjoint state [y, a_y, a_θ] is `max(rmsNormRange(…, 0, d), rmsNormRange(…, d, 2d))`.
 */
export function rmsNormRange(err: Readonly<Float64Array>, yPrev: Readonly<Float64Array>, yNew: Readonly<Float64Array>,
  rtol: Tolerance, atol: Tolerance, start: number, end: number): number {
  if (end <= start) return 0;
  // A NaN in yNew propagates (a > NaN is false, so the NaN is picked), so E is NaN and the step is rejected.
  return Math.sqrt(sumSquaredScaled(err, yPrev, yNew, rtol, atol, start, end) / (end - start));
}

/**
 * The default error norm: RMS of err / (atol + rtol·max(|yPrev|, |yNew|)) over all components (Hairer,
 * Nørsett & Wanner I, (II.4.11); the same as SciPy, torchdiffeq, diffrax and OrdinaryDiffEq).
 * NaN or ±Infinity in err gives NaN/Infinity.
 */
export const rmsNorm: Norm = (err, yPrev, yNew, rtol, atol) => rmsNormRange(err, yPrev, yNew, rtol, atol, 0, err.length);
