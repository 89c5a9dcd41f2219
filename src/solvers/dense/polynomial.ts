/**
 * Dense output as a polynomial in θ = (t − t_n)/h inside one accepted step (continuous extensions, Hairer,
 * Nørsett & Wanner, Solving ODEs I, §II.6):
 *
 *     y(θ) = Q_0 + θ Q_1 + θ² Q_2 + … + θ^(w−1) Q_(w−1),      Q_0 = y_n,
 *
 * stored as `w` consecutive n-vectors ("coefficients", `coef` of length w·n). Every interpolant of tide packs
 * its published formula into this monomial form once per step, so saving, events and `solution.evaluate`
 * share one Horner evaluation and the dense store of a solve is just `w·n` numbers per step.
 */

import { linComb } from '../../core/kernels/blas1.ts';

/**
 * A continuous extension of one explicit step. `pack` turns the step's data into monomial coefficients;
 * `needsFEnd` says whether it uses f(t_{n+1}, y_{n+1}) (free for FSAL tableaus, one NFE otherwise, reused
 * as the next step's k_1).
 */
export interface DenseInterpolant {
  /** For messages and docs ('hermite', 'dopri5-shampine', 'tsit5'). */
  readonly name: string;
  /** Number of n-vectors in the packed coefficients (polynomial degree + 1). */
  readonly width: number;
  /** Order of the interpolant's local error, O(h^(order+1)). */
  readonly order: number;
  /** True if `pack` reads `fEnd`. */
  readonly needsFEnd: boolean;
  /**
   * Stages evaluated after an accepted step, only when its dense output is asked for (DOP853's 7th-order
   * interpolant needs three; Hairer, Nørsett & Wanner I, §II.6 and Hairer's dop853.f). Extra stage j is
   * k_{s+j} = f(t_n + c[j] h, y_n + h Σ_i a[j][i] k_i), where a[j] has s + j entries: the s stages of the step, then
   * the extra stages before it. Each costs 1 NFE; `pack` then receives k with s + c.length entries. Absent for
   * interpolants that only use the step's own stages.
   * @property __type.c the extra stages' nodes c (fractions of the step).
   * @property __type.a the extra stages' rows of A, each over the step's stages and the extra stages before it.
   */
  readonly extraStages?: { readonly c: readonly number[]; readonly a: readonly (readonly number[])[] };
  /**
   * Writes the monomial coefficients of the step (t_n, h) into coef (length width·n).
   * y = y_n, yNew = y_{n+1}, k = the step's stage derivatives (then the extra stages, if any), fEnd = f(t_n + h,
   * y_{n+1}) or null.
   */
  pack(coef: Float64Array, h: number, y: Readonly<Float64Array>, yNew: Readonly<Float64Array>,
    k: readonly Float64Array[], fEnd: Readonly<Float64Array> | null): void;
}

/**
 * out = Σ_r θ^r Q_r from coefficients packed by a {@link DenseInterpolant} (Horner, highest power first).
 * `offset` is where the step's coefficients start in `coef` (a dense store keeps many steps in one array).
 * Returns out. out must not alias coef.
 */
export function evalDense(out: Float64Array, theta: number, coef: Readonly<Float64Array>, width: number,
  offset = 0): Float64Array {
  evalDenseInto(out, 0, out.length, theta, coef, width, offset);
  return out;
}

/**
 * {@link evalDense} into out[outOffset … outOffset + n) (a row of a save buffer), for n-vectors. The same Horner
 * operations in the same order; widths 4 and 5 (Hermite, DP5, Tsit5) unrolled. out must not alias coef.
 */
export function evalDenseInto(out: Float64Array, outOffset: number, n: number, theta: number,
  coef: Readonly<Float64Array>, width: number, offset = 0): void {
  const o = outOffset, c0 = offset, c1 = offset + n, c2 = c1 + n, c3 = c2 + n, c4 = c3 + n;
  if (width === 5) {
    for (let m = 0; m < n; m++) out[o + m] = (((coef[c4 + m] * theta + coef[c3 + m]) * theta + coef[c2 + m]) * theta + coef[c1 + m]) * theta + coef[c0 + m];
  } else if (width === 4) {
    for (let m = 0; m < n; m++) out[o + m] = ((coef[c3 + m] * theta + coef[c2 + m]) * theta + coef[c1 + m]) * theta + coef[c0 + m];
  } else {
    const top = offset + (width - 1) * n;
    for (let m = 0; m < n; m++) {
      let acc = coef[top + m];
      for (let r = width - 2; r >= 0; r--) acc = acc * theta + coef[offset + r * n + m];
      out[o + m] = acc;
    }
  }
}

/**
 * An interpolant that is linear in the stage derivatives, y(θ) = y_n + h Σ_i B_i(θ) k_i with
 * B_i(θ) = Σ_{r≥1} W[r−1][i] θ^r (Tsit5's free interpolant, DP5's Shampine extension in expanded form).
 * Packs Q_0 = y_n and Q_r = h Σ_i W[r−1][i] k_i.
 */
export function stageInterpolant(name: string, order: number, weights: readonly (readonly number[])[]): DenseInterpolant {
  const rows = weights.map((row) => Float64Array.from(row));
  const width = rows.length + 1;
  return {
    name, width, order, needsFEnd: false,
    pack(coef, h, y, _yNew, k): void {
      const n = y.length;
      coef.set(y, 0);
      for (let r = 0; r < rows.length; r++) {
        const w = rows[r];
        // Q_r = (Σ_i W_ri k_i)·h in one pass (zero weights skipped, the sum formed before the scaling by h).
        linComb(coef, null, h, w, k, w.length, (r + 1) * n, n);
      }
    },
  };
}
