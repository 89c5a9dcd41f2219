/**
 * "Ralston3", the three-stage third-order method the reversible-solver experiments call `RK3Simple`
 * (sammccallum/reversible-solvers `white_dwarf.py`; sammccallum/diffrax `_solver/simple_rk.py`): c = (0, ½, ¾), a21 = ½, a31 = 0, a32 = ¾,
 * b = (2/9, 1/3, 4/9). These are Ralston's (1962) optimal third-order weights, also the first three stages of
 * Bogacki–Shampine 3(2) (`bs3`), here without the FSAL stage and the embedded pair: fixed steps only.
 * Not to be confused with tide's `ralston`, Ralston's second-order two-stage method. Dense output: cubic Hermite.
 */
import { defineTableau } from '../solvers/tableau.ts';

/** Ralston's optimal three-stage third-order method, the reversible-solver experiments' `RK3Simple` (see the module header); fixed steps only. */
export const ralston3 = defineTableau({
  name: 'ralston3', order: 3,
  c: [0, 1 / 2, 3 / 4],
  a: [[], [1 / 2], [0, 3 / 4]],
  b: [2 / 9, 1 / 3, 4 / 9],
  reference: 'A. Ralston, Runge–Kutta methods with minimum error bounds, Math. Comp. 16 (1962) 431–437; RK3Simple in sammccallum/diffrax@arxiv',
});
