/**
 * Heun's method (explicit trapezoid): k_2 = f(t + h, y + h k_1), y_{n+1} = y_n + h (k_1 + k_2)/2. Order 2.
 * Embedded Euler (e = (−1/2, 1/2)) for optional adaptive stepping; fixed steps by default. Dense: cubic Hermite.
 */
import { defineTableau } from '../tableau.ts';

/** Heun's method, the explicit trapezoid rule (`method: 'heun'`): second order, fixed steps by default (embedded Euler for adaptive: true). */
export const heun = defineTableau({
  name: 'heun', order: 2,
  c: [0, 1], b: [1 / 2, 1 / 2],
  a: [[], [1]],
  bErr: [-1 / 2, 1 / 2],
  adaptiveByDefault: false,
  reference: 'Heun (1900); Hairer, Nørsett & Wanner, Solving ODEs I, §II.1',
});
