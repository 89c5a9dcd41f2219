/**
 * Heun's third-order method (K. Heun, Z. Math. Phys. 45 (1900) 23–38; Hairer, Nørsett & Wanner, *Solving ODEs I*,
 * §II.1, Table 1.1): three stages, c = (0, 1/3, 2/3), a21 = 1/3, a31 = 0, a32 = 2/3, b = (1/4, 0, 3/4). It is the
 * member α = 1/3, β = 2/3 of the two-parameter family of 3-stage order-3 methods (all order conditions to order 3
 * hold, b₂ = 0). No embedded pair: fixed steps only. Dense: cubic Hermite (1 extra NFE per interpolated step).
 */
import { defineTableau } from '../tableau.ts';

/** Heun's third-order method (`'heun3'`), fixed steps only. */
export const heun3 = defineTableau({
  name: 'heun3', order: 3,
  c: [0, 1 / 3, 2 / 3],
  a: [[], [1 / 3], [0, 2 / 3]],
  b: [1 / 4, 0, 3 / 4],
  reference: 'K. Heun, Z. Math. Phys. 45 (1900) 23–38; Hairer, Nørsett & Wanner, Solving ODEs I, §II.1, Table 1.1',
});
