/**
 * Shampine's free stiffness estimate (L. F. Shampine, "Stiffness and nonstiff differential equation solvers, II",
 * 1977; Pal 2023 MIT SM thesis §2.4; stiffness test of Hairer's DOPRI5 code). Two stages x, y at the same time c_x = c_y
 * satisfy k_y − k_x = f(t, Y_y) − f(t, Y_x) ≈ J (Y_y − Y_x), so
 *
 *     ρ̂ = ‖k_y − k_x‖ / ‖Y_y − Y_x‖   ≈ |dominant eigenvalue of ∂f/∂y|
 *
 * costs nothing extra. Tsit5 and DP5 use stages 6 and 7 (c = 1, Y_7 = y_{n+1}). Euclidean ratio (equal to the RMS
 * ratio, as LocalRegNeuralDE uses); OrdinaryDiffEq.jl uses a max-norm ratio instead. A stiffness regulariser accumulates
 * ρ̂·|h| over accepted steps (SRNODE, Pal et al. 2021, ICML; thesis Ch. 5); a step is "stiff" when h·ρ̂ exceeds the stability-region size
 * (3.3066 for DP5, 3.5068 for Tsit5 OrdinaryDiffEq.jl).
 */
import type { Solver, SolverWorkspace } from '../solvers/solver.ts';

/**
 * ‖ky − kx‖₂ / ‖Yy − Yx‖₂ (0 when Yy = Yx). All arrays have length n.
 */
export function shampineStiffness(kx: Readonly<Float64Array>, ky: Readonly<Float64Array>,
  Yx: Readonly<Float64Array>, Yy: Readonly<Float64Array>): number {
  let num = 0, den = 0;
  for (let i = 0; i < kx.length; i++) {
    const dk = ky[i] - kx[i];
    const dY = Yy[i] - Yx[i];
    num += dk * dk;
    den += dY * dY;
  }
  return den === 0 ? 0 : Math.sqrt(num / den);
}

/** Stability-region sizes along the negative real axis, to normalise ρ̂·h (OrdinaryDiffEq.jl `stability_size`). */
export const STABILITY_SIZE: Readonly<Record<string, number>> = Object.freeze({ dopri5: 3.3066, tsit5: 3.5068 });

/**
 * ρ̂ of the last attempted step of `solver` (its workspace must have been stepped with ws.trackStiffness = true);
 * NaN when the solver has no equal-c stage pair (BS3, VCAB3, the fixed-step methods).
 */
export function stiffnessEstimate(solver: Pick<Solver, 'stiffnessStages'>, ws: Pick<SolverWorkspace, 'yStiff' | 'stepTableau' | 'stepK'>, yNew: Readonly<Float64Array>): number {
  const pair = solver.stiffnessStages;
  if (pair === null || ws.yStiff === null || ws.stepTableau === null) return NaN;
  return shampineStiffness(ws.stepK[pair[0]], ws.stepK[pair[1]], ws.yStiff, yNew);
}
