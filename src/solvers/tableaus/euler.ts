/** Explicit Euler, y_{n+1} = y_n + h f(t_n, y_n): order 1, one stage, fixed steps only. Dense output: cubic Hermite. */
import { defineTableau } from '../tableau.ts';

/** Explicit Euler (`method: 'euler'`): first order, fixed steps only. */
export const euler = defineTableau({
  name: 'euler', order: 1,
  c: [0], a: [[]], b: [1],
  reference: 'Euler (1768); Hairer, Nørsett & Wanner, Solving ODEs I, §II.1',
});
