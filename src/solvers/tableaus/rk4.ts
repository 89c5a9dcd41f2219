/** The classical fourth-order Runge–Kutta method (Kutta 1901): c = (0, ½, ½, 1), b = (1, 2, 2, 1)/6. Fixed steps only; dense: cubic Hermite. */
import { defineTableau } from '../tableau.ts';

/** The classical fourth-order Runge–Kutta method (`method: 'rk4'`): fixed steps only. */
export const rk4 = defineTableau({
  name: 'rk4', order: 4,
  c: [0, 1 / 2, 1 / 2, 1],
  a: [[], [1 / 2], [0, 1 / 2], [0, 0, 1]],
  b: [1 / 6, 1 / 3, 1 / 3, 1 / 6],
  reference: 'Kutta (1901); Hairer, Nørsett & Wanner, Solving ODEs I, Table II.1.2',
});
