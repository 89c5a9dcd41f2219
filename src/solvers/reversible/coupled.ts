/**
 * The λ-coupled reversible scheme of McCallum & Foster (arXiv 2410.11648; reversible.md §1–§2) around any explicit
 * Runge–Kutta tableau Φ (the base solver). State (y, z), y_0 = z_0 = x_0; one step is two base steps:
 *     y_{n+1} = λ (y_n − z_n) + Φ_h(t_n, z_n)
 *     z_{n+1} = z_n + y_{n+1} − Φ_{−h}(t_{n+1}, y_{n+1})
 * and its exact algebraic inverse, z first:
 *     z_n = z_{n+1} − y_{n+1} + Φ_{−h}(t_{n+1}, y_{n+1})
 *     y_n = z_n + (y_{n+1} − Φ_h(t_n, z_n)) / λ
 * FSAL is off (the two base steps start from different states): 2s evaluations per step. The error estimate for
 * adaptive steps is the embedded error of the second base step (as the authors' code does, reversible.md §4).
 * λ ∈ (0, 1]; default 0.999. Smaller λ enlarges the forward stability region, larger λ keeps reconstruction
 * round-off (≈ ε λ^−N) small: keep N(1 − λ) ≲ 10 (reversible.md §5.3).
 */
import type { VectorField } from '../../core/field.ts';
import { TideError } from '../../core/errors.ts';
import type { Tableau } from '../tableau.ts';
import { erkStep, erkWorkspace } from '../erk.ts';
import type { ErkWorkspace } from '../erk.ts';
import type { ReversibleScheme } from './scheme.ts';

export interface CoupledWorkspace {
  /** Stages of the forward base step Φ_h(t_n, z_n) and of the backward one Φ_{−h}(t_{n+1}, y_{n+1}). */
  readonly fwd: ErkWorkspace;
  readonly bwd: ErkWorkspace;
  readonly phi: Float64Array;
}

export const DEFAULT_LAMBDA = 0.999;

export function checkLambda(where: string, lambda: number): number {
  if (typeof lambda !== 'number' || !(lambda > 0 && lambda <= 1)) {
    throw new TideError('BAD_OPTION', `${where}: λ (lambda) must be in (0, 1], got ${String(lambda)}. 0.999 is the default; values in [0.99, 0.999] balance forward stability against reconstruction round-off, and 1 removes the damping of the y − z mode.`, { option: 'lambda' });
  }
  return lambda;
}

export class CoupledScheme implements ReversibleScheme<CoupledWorkspace> {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number | undefined;
  readonly parts = 2;
  readonly nfePerStep: number;
  readonly tableau: Tableau;
  readonly lambda: number;

  constructor(tableau: Tableau, lambda = DEFAULT_LAMBDA) {
    if (!tableau || typeof tableau !== 'object' || !Array.isArray(tableau.a)) {
      throw new TideError('BAD_OPTION', `reversible: the base solver must be an explicit Runge–Kutta tableau (euler, midpoint, heun, ralston, rk4, bs3, dopri5, tsit5, or one from defineTableau); multistep methods such as vcab3 cannot be wrapped.`, { option: 'method' });
    }
    this.tableau = tableau;
    this.lambda = checkLambda('reversible', lambda);
    this.name = `reversible-${tableau.name}`;
    this.order = tableau.order;
    this.errorOrder = tableau.bErr !== null ? tableau.errorOrder : undefined;
    // FSAL tableaus skip k_s unless the step's error estimate is needed (adaptive: one of the two base steps).
    this.nfePerStep = 2 * tableau.stages - (tableau.fsal ? 1 : 0);
  }

  workspace(dim: number): CoupledWorkspace {
    const fwd = erkWorkspace(this.tableau, dim), bwd = erkWorkspace(this.tableau, dim);
    // The FSAL stage k_s (b_s = 0) feeds only an error estimate, which only the second base step of an adaptive
    // forward step asks for (erkStep evaluates k_s whenever errOut is given): FSAL tableaus skip it everywhere else.
    fwd.skipFsalEval = true; bwd.skipFsalEval = true;
    return { fwd, bwd, phi: new Float64Array(dim) };
  }

  init(state: Float64Array[], y0: Readonly<Float64Array>): number {
    state[0].set(y0); state[1].set(y0);
    return 0;
  }

  step(out: Float64Array[], errOut: Float64Array | null, field: VectorField, t: number, h: number, state: readonly Float64Array[],
    params: Float64Array, ws: CoupledWorkspace): number {
    const y = state[0], z = state[1], yN = out[0], zN = out[1], phi = ws.phi, lam = this.lambda, d = y.length;
    ws.fwd.k1Valid = false; ws.bwd.k1Valid = false;
    let nfe = erkStep(phi, null, this.tableau, field, t, h, z, params, ws.fwd);
    for (let m = 0; m < d; m++) yN[m] = lam * (y[m] - z[m]) + phi[m];
    nfe += erkStep(phi, errOut, this.tableau, field, t + h, -h, yN, params, ws.bwd);
    for (let m = 0; m < d; m++) zN[m] = z[m] + yN[m] - phi[m];
    return nfe;
  }

  stepBack(out: Float64Array[], field: VectorField, t: number, h: number, state: readonly Float64Array[], params: Float64Array,
    ws: CoupledWorkspace): number {
    const yN = state[0], zN = state[1], y = out[0], z = out[1], phi = ws.phi, lam = this.lambda, d = yN.length;
    ws.fwd.k1Valid = false; ws.bwd.k1Valid = false;
    let nfe = erkStep(phi, null, this.tableau, field, t + h, -h, yN, params, ws.bwd);
    for (let m = 0; m < d; m++) z[m] = zN[m] - yN[m] + phi[m];
    nfe += erkStep(phi, null, this.tableau, field, t, h, z, params, ws.fwd);
    for (let m = 0; m < d; m++) y[m] = z[m] + (yN[m] - phi[m]) / lam;
    return nfe;
  }
}
