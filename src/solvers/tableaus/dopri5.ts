/**
 * Dormand–Prince 5(4) (Dormand & Prince 1980, J. Comput. Appl. Math. 6:19; Hairer's DOPRI5 `cdopri`): p = 5, q = 4, seven
 * stages, FSAL; stages 6 and 7 share c = 1, giving the free stiffness estimate. Dense output: Shampine's 4th-order
 * extension (Hairer, Nørsett & Wanner I §II.6; dense/dopri5.ts).
 *
 * Two embedded solutions are published, both 4th order: Hairer's (default: his DOPRI5 code, OrdinaryDiffEq.jl, SciPy RK45) and
 * Shampine's 1986 one, whose error weights are exactly 2/3 of Hairer's (torchdiffeq, diffrax); pick the latter with
 * `solve(…, { method: 'dopri5', dp5ErrorWeights: 'shampine' })`: steps come out ≈ (3/2)^{1/5} ≈ 1.08× larger.
 * PI gains are Hairer's (β1 = 0.17, β2 = 0.04; DOPRI5's beta = 0.04).
 */
import { defineTableau, type TableauSpec } from '../tableau.ts';
import { dopri5Dense } from '../dense/dopri5.ts';

const b = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];

const base: Omit<TableauSpec, 'name' | 'bErr'> = {
  order: 5,
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
  ],
  b,
  dense: dopri5Dense,
  piGains: { beta1: 0.17, beta2: 0.04 },
};

/** Dormand–Prince 5(4) with Hairer's error weights e = b − b̂ (the default `'dopri5'`). */
export const dopri5 = defineTableau({
  ...base,
  name: 'dopri5',
  bErr: [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40],
  reference: 'J. R. Dormand, P. J. Prince, J. Comput. Appl. Math. 6 (1980) 19–26; error weights of Hairer\'s DOPRI5',
});

/** Dormand–Prince 5(4) with Shampine's 1986 error weights (2/3 of Hairer's), as torchdiffeq and diffrax use. */
export const dopri5Shampine = defineTableau({
  ...base,
  name: 'dopri5',
  bErr: [71 / 86400, 0, -142 / 50085, 71 / 2880, -5751 / 169600, 44 / 1575, -1 / 60],
  reference: 'J. R. Dormand, P. J. Prince (1980); L. F. Shampine, Math. Comp. 46 (1986) 135–150 (embedded weights)',
});
