/**
 * The linear combinations of stage arrays an explicit Runge–Kutta step is made of (stage inputs, the propagated
 * solution, the embedded error, the stage-weight rows of a dense interpolant), each in one pass over memory.
 */
/** Nonzero coefficients of the combination being formed, and their stage arrays (scratch of {@link combine}). */
let NZ_A = new Float64Array(32);
const NZ_K: Float64Array[] = [];

/**
 * out[off + m] = base[m] + w·acc[m] (base non-null) or out[off + m] = acc[m]·w (base null), with acc[m] = 0 + Σ_j coef[j]·k_j[m]
 * over j < count in increasing j, zero coefficients skipped. One pass over memory for up to 6 nonzero coefficients
 * (every row of the built-in tableaus but DOP853's), otherwise partial sums in chunks of 4 then a final pass.
 * The additions happen in the same order as forming acc in out first (fill 0, then out += coef_j·k_j, then the final
 * scaling), so the result is bitwise that two-pass form; stored partial sums are float64 like the registers.
 * Writes out[off … off + n) (default: all of out); base and the k_j are read at [0, n).
 * out must not alias base or any k_j with a nonzero coefficient.
 */
export function combine(out: Float64Array, coef: ArrayLike<number>, count: number, w: number,
  base: Readonly<Float64Array> | null, k: readonly Float64Array[], off = 0, n = out.length): Float64Array {
  const o = off;
  if (count > NZ_A.length) NZ_A = new Float64Array(2 * count);
  let c = 0;
  for (let j = 0; j < count; j++) {
    const a = coef[j];
    if (a === 0) continue;
    NZ_A[c] = a; NZ_K[c] = k[j]; c++;
  }
  if (c > 6) {
    // Partial sums in out, 4 terms a pass, then the final pass (DOP853's long rows).
    for (let q = 0; q < c; q += 4) {
      const r = Math.min(4, c - q);
      const a0 = NZ_A[q], k0 = NZ_K[q];
      if (q === 0) for (let m = 0; m < n; m++) out[o + m] = 0 + a0 * k0[m];
      else for (let m = 0; m < n; m++) out[o + m] += a0 * k0[m];
      for (let p = 1; p < r; p++) {
        const ap = NZ_A[q + p], kp = NZ_K[q + p];
        for (let m = 0; m < n; m++) out[o + m] += ap * kp[m];
      }
    }
    if (base !== null) for (let m = 0; m < n; m++) out[o + m] = base[m] + w * out[o + m];
    else for (let m = 0; m < n; m++) out[o + m] *= w;
    return out;
  }
  const a0 = NZ_A[0], a1 = NZ_A[1], a2 = NZ_A[2], a3 = NZ_A[3], a4 = NZ_A[4], a5 = NZ_A[5];
  const k0 = NZ_K[0], k1 = NZ_K[1], k2 = NZ_K[2], k3 = NZ_K[3], k4 = NZ_K[4], k5 = NZ_K[5];
  if (base !== null) {
    switch (c) {
      case 0: for (let m = 0; m < n; m++) out[o + m] = base[m] + w * 0; break;
      case 1: for (let m = 0; m < n; m++) out[o + m] = base[m] + w * (0 + a0 * k0[m]); break;
      case 2: for (let m = 0; m < n; m++) out[o + m] = base[m] + w * (0 + a0 * k0[m] + a1 * k1[m]); break;
      case 3: for (let m = 0; m < n; m++) out[o + m] = base[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m]); break;
      case 4: for (let m = 0; m < n; m++) out[o + m] = base[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m]); break;
      case 5: for (let m = 0; m < n; m++) out[o + m] = base[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m] + a4 * k4[m]); break;
      default: for (let m = 0; m < n; m++) out[o + m] = base[m] + w * (0 + a0 * k0[m] + a1 * k1[m] + a2 * k2[m] + a3 * k3[m] + a4 * k4[m] + a5 * k5[m]);
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

