/**
 * Linear dense output between two grid states, y(θ) = (1 − θ) y_n + θ y_{n+1}, for solvers whose own interpolant is
 * not known (the reversible schemes), and its pullback: a save cotangent g at θ adds θ·g to ȳ_{n+1} before the step's
 * pullback and (1 − θ)·g to ȳ_n after it (diffrax PR #603's LocalLinearInterpolation). Second order only.
 */
import type { SaveInStep } from '../solver.ts';

/** Packs the monomial coefficients [y_n, y_{n+1} − y_n] (width 2). */
export function linearDense(coef: Float64Array, y: Readonly<Float64Array>, yNew: Readonly<Float64Array>): void {
  const d = y.length;
  for (let m = 0; m < d; m++) { coef[m] = y[m]; coef[d + m] = yNew[m] - y[m]; }
}

/** Save-cotangent bookkeeping of the linear interpolant, shared by the reversible solvers' pullbacks. */
export class LinearSavePullback {
  constructor(private readonly dim: number) {}
  /** ȳ_{n+1} += θ g for each save inside the step. */
  protected addInsideAfter(saves: readonly SaveInStep[], dYs: Readonly<Float64Array>, ybar: Float64Array): void {
    for (const sv of saves) for (let m = 0, off = sv.index * this.dim; m < this.dim; m++) ybar[m] += sv.theta * dYs[off + m];
  }
  /** ȳ_n += (1 − θ) g for each save inside the step. */
  protected addInsideBefore(saves: readonly SaveInStep[], dYs: Readonly<Float64Array>, ybar: Float64Array): void {
    for (const sv of saves) for (let m = 0, off = sv.index * this.dim; m < this.dim; m++) ybar[m] += (1 - sv.theta) * dYs[off + m];
  }
}
