/**
 * Runge–Kutta–Fehlberg 2(1) (E. Fehlberg, "Low-order classical Runge–Kutta formulas with stepsize control and their
 * application to some heat transfer problems", NASA Technical Report R-315, 1969; RKF1(2) there): three stages,
 * c = (0, 1/2, 1), a21 = 1/2, a31 = 1/256, a32 = 255/256, with
 *
 *     b  = (1/512, 255/256, 1/512)    order 2 (propagated, local extrapolation)
 *     b̂ = (1/256, 255/256, 0)        order 1 (embedded),      e = b − b̂ = (−1/512, 0, 1/512).
 *
 * Fehlberg built the pair "first same as last" for the order-1 formula: the third stage is f(t_{n+1}, ŷ_{n+1}) since
 * (a31, a32) = (b̂1, b̂2). tide propagates the order-2 solution b, so that stage is not f at the new state and is not
 * reused (defineTableau derives fsal = false): an attempted step costs 3 evaluations. Adaptive by default, PI gains of
 * the p = 2 rule; dense: cubic Hermite.
 *
 * When not to use it: b̂ was tuned to a tiny error constant, so err ≈ h² y''/512 estimates the order-1 error, while the
 * propagated order-2 solution errs by ≈ h³ y'''/6; the estimate bounds the true local error only while |hλ| ≲ 1/85.
 * At ordinary tolerances the global error is therefore 10–600 × rtol (still proportional to it). For accuracy per
 * evaluation use bs3, tsit5 or dopri5; this pair is for tests and comparisons with Fehlberg-type codes.
 */
import { defineTableau } from '../tableau.ts';

/** Runge–Kutta–Fehlberg 2(1) (`'fehlberg2'`): order 2 with an embedded order-1 error estimate. */
export const fehlberg2 = defineTableau({
  name: 'fehlberg2', order: 2, errorOrder: 1,
  c: [0, 1 / 2, 1],
  a: [[], [1 / 2], [1 / 256, 255 / 256]],
  b: [1 / 512, 255 / 256, 1 / 512],
  bErr: [-1 / 512, 0, 1 / 512],
  reference: 'E. Fehlberg, NASA Technical Report R-315 (1969), RKF1(2); Hairer, Nørsett & Wanner, Solving ODEs I, §II.4',
});
