/**
 * Explicit midpoint rule (Runge 1895): k_2 = f(t + h/2, y + h/2 k_1), y_{n+1} = y_n + h k_2. Order 2.
 * Embedded Euler (e = b − b̂ = (−1, 1)) lets it step adaptively when asked (`adaptive: true`); by default it
 * runs with a fixed step. Dense output: cubic Hermite.
 */
import { defineTableau } from '../tableau.ts';

/** The explicit midpoint rule (`method: 'midpoint'`): second order, fixed steps by default (embedded Euler for adaptive: true). */
export const midpoint = defineTableau({
  name: 'midpoint', order: 2,
  c: [0, 1 / 2], b: [0, 1],
  a: [[], [1 / 2]],
  bErr: [-1, 1],
  adaptiveByDefault: false,
  reference: 'Runge (1895); Hairer, Nørsett & Wanner, Solving ODEs I, §II.1 (II.1.3)',
});
