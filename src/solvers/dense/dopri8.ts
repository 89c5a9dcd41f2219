/**
 * The 7th-order continuous extension of Dormand–Prince 8(5,3), as in DOP853 (Hairer, Nørsett & Wanner, *Solving
 * ODEs I*, §II.6 and §II.10; Hairer's dop853.f, CONTD8; SciPy `Dop853DenseOutput`). Three extra stages
 * k_14, k_15, k_16 at c = 0.1, 0.2, 7/9 are evaluated after the step is accepted, only when dense output is needed
 * (solve's saveAt.dense, save times inside the step, events). With Δ = y_{n+1} − y_n, f_n = k_1, f_{n+1} = k_13 and
 * F_j = h Σ_i d_ji k_i over all 16 stages (j = 3 … 6),
 *
 *     y(θ) = y_n + θ (Δ + (1−θ) (h f_n − Δ + θ (2Δ − h f_n − h f_{n+1}
 *                 + (1−θ) (F_3 + θ (F_4 + (1−θ) (F_5 + θ F_6)))))),
 *
 * packed here in monomial form Q_0 … Q_7 (θ, θ(1−θ), θ²(1−θ), θ²(1−θ)², …, θ⁴(1−θ)³ expanded):
 *
 *     Q_1 = h f_n,   Q_2 = 3Δ − 2h f_n − h f_{n+1} + F_3,   Q_3 = −2Δ + h f_n + h f_{n+1} − 2F_3 + F_4 + F_5,
 *     Q_4 = F_3 − 2F_4 − 3F_5 + F_6,   Q_5 = F_4 + 3F_5 − 3F_6,   Q_6 = −F_5 + 3F_6,   Q_7 = −F_6.
 *
 * So y(1) = y_{n+1}, y'(0) = f_n, y'(1) = f_{n+1} (C¹ across steps), and the weights satisfy the continuous order
 * conditions to order 7: local error O(h⁸). Unlike the other interpolants it is not linear in the step's own stages
 * (the extra stages are f evaluations), so gradient methods cannot differentiate saves inside its steps.
 */
import { TideError, internalError } from '../../core/errors.ts';
import type { DenseInterpolant } from './polynomial.ts';

/** Stages of the step (12 + the FSAL stage) before the extra ones. */
const S = 13;

/** Extra stages 14–16: nodes and a-rows over the 13 stages and the extra stages before each (dop853.f a14… a16…). */
const EXTRA_C = [0.1, 0.2, 0.777777777777777777777777777778];
const EXTRA_A = [
  [5.61675022830479523392909219681e-2, 0, 0, 0, 0, 0, 2.53500210216624811088794765333e-1,
    -2.46239037470802489917441475441e-1, -1.24191423263816360469010140626e-1, 1.5329179827876569731206322685e-1,
    8.20105229563468988491666602057e-3, 7.56789766054569976138603589584e-3, -8.298e-3],
  [3.18346481635021405060768473261e-2, 0, 0, 0, 0, 2.83009096723667755288322961402e-2,
    5.35419883074385676223797384372e-2, -5.49237485713909884646569340306e-2, 0, 0,
    -1.08347328697249322858509316994e-4, 3.82571090835658412954920192323e-4, -3.40465008687404560802977114492e-4,
    1.41312443674632500278074618366e-1],
  [-4.28896301583791923408573538692e-1, 0, 0, 0, 0, -4.69762141536116384314449447206,
    7.68342119606259904184240953878, 4.06898981839711007970213554331, 3.56727187455281109270669543021e-1, 0, 0, 0,
    -1.39902416515901462129418009734e-3, 2.9475147891527723389556272149, -9.15095847217987001081870187138],
];

/** d_ji (j = 3 … 6 as rows 0 … 3) over the 16 stages (dop853.f d41 … d716). */
export const DOPRI8_DENSE_D: readonly (readonly number[])[] = [
  [-0.84289382761090128651353491142e+1, 0, 0, 0, 0, 0.56671495351937776962531783590,
    -0.30689499459498916912797304727e+1, 0.23846676565120698287728149680e+1, 0.21170345824450282767155149946e+1,
    -0.87139158377797299206789907490, 0.22404374302607882758541771650e+1, 0.63157877876946881815570249290,
    -0.88990336451333310820698117400e-1, 0.18148505520854727256656404962e+2, -0.91946323924783554000451984436e+1,
    -0.44360363875948939664310572000e+1],
  [0.10427508642579134603413151009e+2, 0, 0, 0, 0, 0.24228349177525818288430175319e+3,
    0.16520045171727028198505394887e+3, -0.37454675472269020279518312152e+3, -0.22113666853125306036270938578e+2,
    0.77334326684722638389603898808e+1, -0.30674084731089398182061213626e+2, -0.93321305264302278729567221706e+1,
    0.15697238121770843886131091075e+2, -0.31139403219565177677282850411e+2, -0.93529243588444783865713862664e+1,
    0.35816841486394083752465898540e+2],
  [0.19985053242002433820987653617e+2, 0, 0, 0, 0, -0.38703730874935176555105901742e+3,
    -0.18917813819516756882830838328e+3, 0.52780815920542364900561016686e+3, -0.11573902539959630126141871134e+2,
    0.68812326946963000169666922661e+1, -0.10006050966910838403183860980e+1, 0.77771377980534432092869265740,
    -0.27782057523535084065932004339e+1, -0.60196695231264120758267380846e+2, 0.84320405506677161018159903784e+2,
    0.11992291136182789328035130030e+2],
  [-0.25693933462703749003312586129e+2, 0, 0, 0, 0, -0.15418974869023643374053993627e+3,
    -0.23152937917604549567536039109e+3, 0.35763911791061412378285349910e+3, 0.93405324183624310003907691704e+2,
    -0.37458323136451633156875139351e+2, 0.10409964950896230045147246184e+3, 0.29840293426660503123344363579e+2,
    -0.43533456590011143754432175058e+2, 0.96324553959188282948394950600e+2, -0.39177261675615439165231486172e+2,
    -0.14972683625798562581422125276e+3],
];

const D = DOPRI8_DENSE_D.map((row) => Float64Array.from(row));
const STAGES = S + EXTRA_C.length;

/**
 * Dense output of `dopri8` (DOP853's 7th-order interpolant): width 8, 3 extra stages (3 NFE per step that is
 * interpolated). pack needs k with all 16 stages (13 of the step, then the 3 extra ones, which erkAccept supplies).
 * The interpolant is linear in all 16 stage arrays, so the discrete gradient methods differentiate saves inside a
 * step by probing it and pulling the extra stages back through the field (erk-pullback.ts).
 * @throws TideError('BAD_ARGUMENT') when given only the step's own stages.
 */
export const dopri8Dense: DenseInterpolant = {
  name: 'dopri8-dop853', width: 8, order: 7, needsFEnd: true,
  extraStages: { c: EXTRA_C, a: EXTRA_A },
  pack(coef, h, y, yNew, k, fEnd): void {
    if (k.length < STAGES) {
      throw new TideError('BAD_ARGUMENT', `dopri8's dense output needs its ${STAGES - S} extra stages (k with ${STAGES} entries, got ${k.length}): pack it through erkAccept, which evaluates them.`, { interpolant: 'dopri8-dop853' });
    }
    // FSAL: f_{n+1} is the 13th stage; the stepper passes it as fEnd.
    if (fEnd === null) throw internalError('dense/dopri8.ts', 'f(t_{n+1}, y_{n+1}) was not supplied');
    const n = y.length, f0 = k[0];
    // F_3 … F_6 = h Σ_i d_ji k_i into the slots of Q_4 … Q_7, then rearranged in place per component.
    for (let j = 0; j < 4; j++) {
      const off = (4 + j) * n, d = D[j];
      for (let m = 0; m < n; m++) coef[off + m] = 0;
      for (let i = 0; i < STAGES; i++) {
        const di = d[i];
        if (di === 0) continue;
        const ki = k[i];
        for (let m = 0; m < n; m++) coef[off + m] += di * ki[m];
      }
      for (let m = 0; m < n; m++) coef[off + m] *= h;
    }
    for (let m = 0; m < n; m++) {
      const delta = yNew[m] - y[m], a = h * f0[m], b = h * fEnd[m];
      const F3 = coef[4 * n + m], F4 = coef[5 * n + m], F5 = coef[6 * n + m], F6 = coef[7 * n + m];
      coef[m] = y[m];
      coef[n + m] = a;
      coef[2 * n + m] = 3 * delta - 2 * a - b + F3;
      coef[3 * n + m] = -2 * delta + a + b - 2 * F3 + F4 + F5;
      coef[4 * n + m] = F3 - 2 * F4 - 3 * F5 + F6;
      coef[5 * n + m] = F4 + 3 * F5 - 3 * F6;
      coef[6 * n + m] = -F5 + 3 * F6;
      coef[7 * n + m] = -F6;
    }
  },
};
