/**
 * VCAB3: variable-coefficient third-order Adams–Bashforth (Pal 2023 MIT SM thesis §2.2.2; Hairer, Nørsett &
 * Wanner, *Solving ODEs I*, §III.5, (5.9)–(5.10), divided-difference form as in OrdinaryDiffEq.jl `adams_utils.jl`).
 *
 * With h = t_{n+1} − t_n, h1 = t_n − t_{n−1}, h2 = t_{n−1} − t_{n−2} (signed), the step integrates the quadratic
 * through (t_n, f_n), (t_{n−1}, f_{n−1}), (t_{n−2}, f_{n−2}) over [t_n, t_{n+1}]:
 *
 *     β2 = h/h1,  β3 = β2 (h + h1)/(h1 + h2),  g3 = 1/2 − (1/6)·h/(h + h1)
 *     φ1 = f_n,   φ2 = f_n − f_{n−1},          φ3 = φ2 − (h1/h2)(f_{n−1} − f_{n−2})
 *     y_{n+1} = y_n + h (φ1 + ½ β2 φ2 + g3 β3 φ3),       err = h g3 β3 φ3   (difference to AB2)
 *
 * Uniform steps give the textbook (23, −16, 5)/12. Global order 3, local error O(h⁴). The first two steps (until
 * three accepted points exist) are Bogacki–Shampine 3(2) steps with BS3's own error estimate; the history is
 * updated only on acceptance (OrdinaryDiffEq.jl advances its start-up counter on rejected BS3 steps too: not copied).
 * Costs: a BS3 attempt 3 NFE (FSAL); an Adams attempt 0 NFE, plus 1 NFE (f(t_{n+1}, y_{n+1})) when accepted.
 * Dense output: cubic Hermite on (y_n, y_{n+1}, f_n, f_{n+1}). No stiffness estimate.
 * Thesis use: continuous DEQs with rtol 0.05 (Pal 2023 MIT SM thesis §4.4.2–4.4.3).
 */
import type { VectorField } from '../core/field.ts';
import { TideError } from '../core/errors.ts';
import type { Term } from '../terms/term.ts';
import type { Solver, SolverWorkspace } from './solver.ts';
import { bs3 } from './tableaus/bs3.ts';
import { erkAccept, erkStep, erkWorkspace, type ErkWorkspace } from './erk.ts';
import { hermiteCubic } from './dense/hermite.ts';
import { Vcab3Pullback } from './vcab3-pullback.ts';

/**
 * Scratch of one VCAB3 solve.
 * @property field the ODE field (VCAB3 runs on plain ODE terms only).
 */
export interface Vcab3Workspace extends SolverWorkspace {
  /** BS3 workspace used for the start-up steps. */
  readonly bs3: ErkWorkspace;
  /** History [f_n, f_{n−1}, f_{n−2}] (rotated on acceptance; entries beyond nHist are stale). */
  readonly f: Float64Array[];
  /** Accepted step sizes h1 = t_n − t_{n−1} (index 0) and h2 = t_{n−1} − t_{n−2} (index 1). */
  readonly hHist: Float64Array;
  /** Number of accepted points in the history (1 … 3); Adams steps start at 3. */
  nHist: number;
  /** Whether the last attempted step was an Adams step (else BS3). */
  lastAdams: boolean;
  readonly field: VectorField;
  /** [f_n] as a one-element stage list for the Hermite packer (entry reassigned, never reallocated). */
  readonly kn: Float64Array[];
}

/**
 * The Lagrange (closed-form) weights of one VCAB3 step: y_{n+1} = y_n + w0 f_n + w1 f_{n−1} + w2 f_{n−2}, with
 * a = h1, b = h1 + h2 (the quadratic through the three f's integrated over the step;
 * Hairer, Nørsett & Wanner I, §III.5). For tests and for gradient methods differentiating an Adams step
 * (y_{n+1} is linear in the three f's). Writes out[0..2]; returns out.
 */
export function vcab3Weights(out: Float64Array, h: number, h1: number, h2: number): Float64Array {
  const a = h1, b = h1 + h2;
  const h2c = h * h, h3 = h2c * h;
  out[0] = (h3 / 3 + ((a + b) * h2c) / 2 + a * b * h) / (a * b);
  out[1] = -(h3 / 3 + (b * h2c) / 2) / (a * (b - a));
  out[2] = (h3 / 3 + (a * h2c) / 2) / (b * (b - a));
  return out;
}

/**
 * One Adams–Bashforth 3 step in divided-difference form: yOut = y_n + h(φ1 + ½β2φ2 + g3β3φ3) and, if errOut is
 * non-null, errOut = h g3 β3 φ3. f0, f1, f2 = f_n, f_{n−1}, f_{n−2}; h1, h2 the two previous step sizes. 0 NFE.
 * yOut must not alias the inputs.
 */
export function adamsStep(yOut: Float64Array, errOut: Float64Array | null, h: number, h1: number, h2: number,
  y: Readonly<Float64Array>, f0: Readonly<Float64Array>, f1: Readonly<Float64Array>, f2: Readonly<Float64Array>): void {
  const n = yOut.length;
  const beta2 = h / h1;
  const beta3 = (beta2 * (h + h1)) / (h1 + h2);
  const g3 = 0.5 - h / (6 * (h + h1));
  const r = h1 / h2;
  // Coefficients of φ*2 = β2 φ2 and φ*3 = β3 φ3 with their g's folded in.
  const c2 = 0.5 * beta2, c3 = g3 * beta3;
  for (let m = 0; m < n; m++) {
    const d1 = f0[m] - f1[m];
    const phi3 = d1 - r * (f1[m] - f2[m]);
    yOut[m] = y[m] + h * (f0[m] + c2 * d1 + c3 * phi3);
    if (errOut !== null) errOut[m] = h * c3 * phi3;
  }
}

function vcab3Workspace(term: Term): Vcab3Workspace {
  if (term.ode === null) throw new TideError('BAD_OPTION', `vcab3: the Adams–Bashforth history holds derivatives f(t, y), so it steps ODE terms only; use an RK method for '${term.name}'.`, { option: 'method' });
  const dim = term.dim;
  const inner = erkWorkspace(bs3, term);
  const f = [new Float64Array(dim), new Float64Array(dim), new Float64Array(dim)];
  return {
    dim, term, field: term.ode, bs3: inner, f, hHist: new Float64Array(2), nHist: 0, lastAdams: false, kn: [f[0]],
    stepK: inner.k, stepTableau: bs3, trackStiffness: false, yStiff: null,
  };
}

/** Rotates the history one place: f_{n−2}'s array becomes the slot for f_{n+1}, which is returned. */
function pushHistory(ws: Vcab3Workspace, h: number): Float64Array {
  const f = ws.f;
  const tmp = f[2]; f[2] = f[1]; f[1] = f[0]; f[0] = tmp;
  ws.hHist[1] = ws.hHist[0];
  ws.hHist[0] = h;
  if (ws.nHist < 3) ws.nHist++;
  return tmp;
}

/** The VCAB3 solver (`method: 'vcab3'`): adaptive by default with the PI controller at p = 3 (β1 = 7/30, β2 = 2/15). */
export const vcab3: Solver<Vcab3Workspace> = {
  name: 'vcab3',
  order: 3,
  errorOrder: 2,
  adaptiveByDefault: true,
  reversible: false,
  stateParts: 1,
  checkpointable: false,
  landOnSaves: false,
  terms: 'ode',
  piGains: bs3.piGains,
  denseWidth: hermiteCubic.width,
  denseOrder: hermiteCubic.order,
  stiffnessStages: null,
  tableau: null,
  workspace: vcab3Workspace,
  begin(t0, y0, params, ws): number {
    ws.field.eval(ws.bs3.k[0], t0, y0 as Float64Array, params as Float64Array);
    ws.bs3.k1Valid = true;
    ws.f[0].set(ws.bs3.k[0]);
    ws.nHist = 1;
    ws.lastAdams = false;
    return 1;
  },
  currentF: (ws) => (ws.nHist > 0 ? ws.f[0] : null),
  step(yOut, errOut, t, h, y, params, ws): number {
    if (ws.nHist < 3) {
      // Start-up: BS3 until three accepted points exist.
      ws.lastAdams = false;
      ws.stepK = ws.bs3.k;
      ws.stepTableau = bs3;
      return erkStep(yOut, errOut, bs3, t, h, y, params, ws.bs3);
    }
    ws.lastAdams = true;
    ws.stepK = ws.f;
    ws.stepTableau = null;
    adamsStep(yOut, errOut, h, ws.hHist[0], ws.hHist[1], y, ws.f[0], ws.f[1], ws.f[2]);
    return 0;
  },
  accept(coefOut, _needFEnd, t, h, y, yNew, params, ws): number {
    if (!ws.lastAdams) {
      // BS3 is FSAL: f(t+h, yNew) is its k_4, so the history update is free.
      const nfe = erkAccept(coefOut, true, bs3, t, h, y, yNew, params, ws.bs3);
      pushHistory(ws, h).set(ws.bs3.k[0]);
      return nfe;
    }
    ws.kn[0] = ws.f[0];
    const fNew = pushHistory(ws, h);
    ws.field.eval(fNew, t + h, yNew as Float64Array, params as Float64Array);
    if (coefOut !== null) hermiteCubic.pack(coefOut, h, y, yNew, ws.kn, fNew);
    return 1;
  },
  saveState(out, y) { out.set(y); },
  loadState() {
    throw new TideError('BAD_OPTION', 'vcab3: its state includes the Adams history, so checkpointing methods cannot restart it from a stored y; use gradient \'direct\', \'backsolve\' or \'interpolated\' with vcab3.', { option: 'gradient' });
  },
  pullback: (ws) => new Vcab3Pullback(ws),
};
