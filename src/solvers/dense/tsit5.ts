/**
 * Tsitouras' free 4th-order interpolant for Tsit5 (Tsitouras 2011, CAMWA 62:770; expanded form of
 * OrdinaryDiffEq.jl `Tsit5Interp`): y(θ) = y_n + h Σ_i B_i(θ) k_i with
 * B_i(θ) = r_i1 θ + r_i2 θ² + r_i3 θ³ + r_i4 θ⁴ (r_i1 = δ_i1). B_i(1) = b_i and B_i'(1) = δ_i7, so the
 * interpolant is C¹ across steps; local error O(h⁵) (the bushy condition fails at k = 5, so it is 4th order).
 */
import { stageInterpolant, type DenseInterpolant } from './polynomial.ts';

/** r_i2 (θ² weights), digits as published in OrdinaryDiffEq.jl. */
const R2 = [
  -2.763706197274825911336735930481400260916070804192, 0.13169999999999999727, 3.93029623689475152850687446709813398,
  -12.411077166933676983734381540685453484102414134010752, 37.50931341651103919496903965334519631242339792120440212,
  -27.896526289197287805948263144598643896, 1.5,
];
/** r_i3 (θ³ weights). */
const R3 = [
  2.91325546182191274375068099306808, -0.22339999999999999818, -5.94103387213150473470249202589458001,
  30.3381886302823215981729903691836576, -88.1789048947664011014276693541209817,
  65.09189467479367152629021928716553658, -4,
];
/** r_i4 (θ⁴ weights). */
const R4 = [
  -1.0530884977290216, 0.1017, 2.490627285651252793, -16.54810288924490272, 47.37952196281928122,
  -34.87065786149660974, 2.5,
];

/** Dense output of `tsit5`. */
export const tsit5Dense: DenseInterpolant = stageInterpolant('tsit5', 4, [[1, 0, 0, 0, 0, 0, 0], R2, R3, R4]);
