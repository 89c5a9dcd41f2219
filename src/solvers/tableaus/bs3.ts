/**
 * Bogacki–Shampine 3(2) (Bogacki & Shampine 1989, Appl. Math. Lett. 2:321): p = 3, q = 2,
 * four stages, FSAL (k_4 = f(t_{n+1}, y_{n+1})). b̂ = (7/24, 1/4, 1/3, 1/8). Dense output: cubic Hermite on
 * (y_n, y_{n+1}, k_1, k_4) (as diffrax and SciPy's RK23), free because of FSAL. No equal-c stage pair, so no stiffness estimate.
 */
import { defineTableau } from '../tableau.ts';

/** Bogacki–Shampine 3(2) (`method: 'bs3'`): third order with an embedded second-order estimate, FSAL, adaptive by default. */
export const bs3 = defineTableau({
  name: 'bs3', order: 3,
  c: [0, 1 / 2, 3 / 4, 1],
  a: [[], [1 / 2], [0, 3 / 4], [2 / 9, 1 / 3, 4 / 9]],
  b: [2 / 9, 1 / 3, 4 / 9, 0],
  bErr: [-5 / 72, 1 / 12, 1 / 9, -1 / 8],
  reference: 'P. Bogacki, L. F. Shampine, A 3(2) pair of Runge–Kutta formulas, Appl. Math. Lett. 2 (1989) 321–325',
});
