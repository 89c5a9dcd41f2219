/**
 * Ralston's second-order method (Ralston 1962, minimum error bound among 2-stage order-2 methods):
 * c = (0, 2/3), b = (1/4, 3/4). Embedded Euler (e = (−3/4, 3/4)) for optional adaptive stepping; fixed steps by
 * default. Dense: cubic Hermite. (The three-stage "Ralston3"/RK3Simple of McCallum & Foster's white-dwarf
 * experiment, sammccallum/reversible-solvers, is a different method.)
 */
import { defineTableau } from '../tableau.ts';

/** Ralston's second-order two-stage method (`method: 'ralston'`): fixed steps by default (embedded Euler for adaptive: true). */
export const ralston = defineTableau({
  name: 'ralston', order: 2,
  c: [0, 2 / 3], b: [1 / 4, 3 / 4],
  a: [[], [2 / 3]],
  bErr: [-3 / 4, 3 / 4],
  adaptiveByDefault: false,
  reference: 'A. Ralston, Runge–Kutta methods with minimum error bounds, Math. Comp. 16 (1962) 431–437',
});
