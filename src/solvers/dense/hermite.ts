/**
 * Cubic Hermite interpolation on one step, the fallback dense output of every solver without a published
 * interpolant (Euler, midpoint, Heun, Ralston, RK4, BS3, VCAB3), as in SciPy's RK23 and diffrax's
 * `ThirdOrderHermitePolynomialInterpolation`: with Δ = y_{n+1} − y_n, f_n = k_1, f_{n+1} = f(t_{n+1}, y_{n+1}),
 *
 *     y(θ) = (2θ³−3θ²+1) y_n + (θ³−2θ²+θ) h f_n + (−2θ³+3θ²) y_{n+1} + (θ³−θ²) h f_{n+1}
 *          = y_n + θ h f_n + θ² (3Δ − 2h f_n − h f_{n+1}) + θ³ (−2Δ + h f_n + h f_{n+1}).
 *
 * Third order (local error O(h⁴)), C¹ across steps. Forming Δ first keeps the θ², θ³ terms free of the
 * cancellation y_{n+1} − y_n would otherwise suffer when the state is large and the step small.
 */
import { internalError } from '../../core/errors.ts';
import type { DenseInterpolant } from './polynomial.ts';

/** Cubic Hermite interpolant on (y_n, y_{n+1}, f_n = k_1, f_{n+1}); needs f_{n+1} (FSAL k_s or one extra NFE). */
export const hermiteCubic: DenseInterpolant = {
  name: 'hermite', width: 4, order: 3, needsFEnd: true,
  pack(coef, h, y, yNew, k, fEnd): void {
    const n = y.length;
    const f0 = k[0];
    // The stepper supplies f_{n+1} whenever needsFEnd is set (FSAL stage or one extra evaluation).
    if (fEnd === null) throw internalError('hermite.ts', 'f(t_{n+1}, y_{n+1}) was not supplied');
    const f1 = fEnd;
    for (let m = 0; m < n; m++) {
      const d = yNew[m] - y[m];
      const a = h * f0[m];
      const b = h * f1[m];
      coef[m] = y[m];
      coef[n + m] = a;
      coef[2 * n + m] = 3 * d - 2 * a - b;
      coef[3 * n + m] = -2 * d + a + b;
    }
  },
};
