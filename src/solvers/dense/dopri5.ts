/**
 * Shampine's 4th-order continuous extension of Dormand–Prince 5(4) (Hairer, Nørsett & Wanner,
 * *Solving ODEs I*, §II.6, coefficients of Hairer's DOPRI5 `cdopri`/`contd5`). With B = Σ b_i k_i, R = k_1 − B,
 * S = B − k_7 − R, D = Σ d_i k_i:
 *
 *     y(θ) = y_n + h [ θB + θ(1−θ)R + θ²(1−θ)S + θ²(1−θ)²D ].
 *
 * Expanded in powers of θ the stage weights are θ: δ_1; θ²: 3b − 2δ_1 − δ_7 + d; θ³: −2b + δ_1 + δ_7 − 2d;
 * θ⁴: d, so y(1) = y_{n+1}, y'(0) = k_1, y'(1) = k_7. Local error O(h⁵).
 */
import { stageInterpolant, type DenseInterpolant } from './polynomial.ts';

/** DP5 propagated weights b (duplicated from the tableau file to keep this one free-standing). */
const B = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
/** Shampine's dense weights d_i. */
export const DOPRI5_DENSE_D: readonly number[] = [
  -12715105075 / 11282082432, 0, 87487479700 / 32700410799, -10690763975 / 1880347072,
  701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423,
];

const delta = (i: number, j: number): number => (i === j ? 1 : 0);
const W1 = B.map((_, i) => delta(i, 0));
const W2 = B.map((b, i) => 3 * b - 2 * delta(i, 0) - delta(i, 6) + DOPRI5_DENSE_D[i]);
const W3 = B.map((b, i) => -2 * b + delta(i, 0) + delta(i, 6) - 2 * DOPRI5_DENSE_D[i]);
const W4 = [...DOPRI5_DENSE_D];

/** Dense output of `dopri5` (both error-weight variants share it: it only uses b and the stages). */
export const dopri5Dense: DenseInterpolant = stageInterpolant('dopri5-shampine', 4, [W1, W2, W3, W4]);
