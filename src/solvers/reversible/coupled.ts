/**
 * The λ-coupled reversible scheme of McCallum & Foster ("Efficient, Accurate and Stable Gradients for Neural ODEs",
 * arXiv 2410.11648, 2024) around any explicit Runge–Kutta tableau Φ (the base solver), as a Solver of the one loop.
 * State (y, z), y_0 = z_0 = x_0; one step is two base steps:
 *     y_{n+1} = λ (y_n − z_n) + Φ_h(t_n, z_n)
 *     z_{n+1} = z_n + y_{n+1} − Φ_{−h}(t_{n+1}, y_{n+1})
 * and its exact algebraic inverse, z first:
 *     z_n = z_{n+1} − y_{n+1} + Φ_{−h}(t_{n+1}, y_{n+1})
 *     y_n = z_n + (y_{n+1} − Φ_h(t_n, z_n)) / λ
 * FSAL is off (the two base steps start from different states): 2s evaluations per step, s − 1 of them skipped for the
 * FSAL stage where no error estimate is needed. The error estimate for adaptive steps is the embedded error of the
 * second base step (as the authors' code does). λ ∈ (0, 1]; default 0.999. Smaller λ enlarges the forward stability
 * region, larger λ keeps reconstruction round-off (≈ ε λ^−N) small.
 *
 * The dense output between grid states is linear, so by default the loop lands steps on save times (`landOnSaves`);
 * `saves: 'linear'` interpolates instead (second order only, the caveat of diffrax PR #603's LocalLinearInterpolation).
 *
 * Pullback (reverse-mode AD of the step, the authors' fused Algorithm): given (ȳ, z̄) at t_{n+1},
 *     ŷ = ȳ + z̄ − J_{Φ_{−h}}ᵀ z̄           (through z_{n+1}; θ̄ −= ∂_θΦ_{−h}ᵀ z̄)
 *     ȳ_n = λ ŷ,   z̄_n = z̄ − λ ŷ + J_{Φ_h}ᵀ ŷ   (through y_{n+1}; θ̄ += ∂_θΦ_hᵀ ŷ)
 * and ∂L/∂x_0 = ȳ_0 + z̄_0.
 */
import { TideError } from '../../core/errors.ts';
import { PartViews } from '../../core/array.ts';
import type { Term } from '../../terms/term.ts';
import type { Tableau } from '../tableau.ts';
import { erkStep, erkWorkspace, type ErkWorkspace } from '../erk.ts';
import { ErkPullback } from '../erk-pullback.ts';
import type { ReverseStepper, SaveSchedule, Solver, SolverWorkspace, StepPullback } from '../solver.ts';
import { linearDense, LinearSavePullback } from './linear-saves.ts';

export interface CoupledWorkspace extends SolverWorkspace {
  /** Stages of the forward base step Φ_h(t_n, z_n) and of the backward one Φ_{−h}(t_{n+1}, y_{n+1}). */
  readonly fwd: ErkWorkspace;
  readonly bwd: ErkWorkspace;
  /** z_n, and z_{n+1} of the last attempt (swapped on acceptance). */
  z: Float64Array;
  zNew: Float64Array;
  /** The next step starts at a restart (a tstop): its forward base step takes stage 1 one ulp past the stop. */
  atRestart: boolean;
  readonly phi: Float64Array;
}

/** The default coupling λ (the authors' code and diffrax PR #603 use 0.999). */
export const DEFAULT_LAMBDA = 0.999;

/** Checks λ ∈ (0, 1]. @throws TideError('BAD_OPTION') with the trade-off it controls. */
export function checkLambda(where: string, lambda: number): number {
  if (typeof lambda !== 'number' || !(lambda > 0 && lambda <= 1)) {
    throw new TideError('BAD_OPTION', `${where}: λ (lambda) must be in (0, 1], got ${String(lambda)}. 0.999 is the default; values in [0.99, 0.999] balance forward stability against reconstruction round-off, and 1 removes the damping of the y − z mode.`, { option: 'lambda' });
  }
  return lambda;
}

/** An empty save schedule for the base steps' pullbacks. */
const NONE: readonly never[] = Object.freeze([]);
const NO_SAVES: SaveSchedule = {
  steps: 0, atPoint: () => NONE, inStep: () => NONE, restartAt: () => false, stepSize: () => 0,
};

/** Options of {@link coupledSolver}; unknown keys throw TideError('BAD_OPTION'). */
export interface CoupledOptions {
  /** Coupling λ ∈ (0, 1]; default 0.999. */
  lambda?: number;
  /** 'land' (default): steps land on save times; 'linear': saves interpolate linearly between grid states. */
  saves?: 'land' | 'linear';
}

/**
 * The λ-coupled reversible solver around `tableau` (see the file header).
 * @returns the {@link Solver}, with `lambda` (the coupling λ) and `base` (the tableau it wraps) readable on it.
 * @throws TideError('BAD_OPTION') for λ outside (0, 1] or an unknown `saves`.
 */
export function coupledSolver(tableau: Tableau, options: CoupledOptions = {}): Solver<CoupledWorkspace> & { readonly lambda: number; readonly base: Tableau } {
  if (!tableau || typeof tableau !== 'object' || !Array.isArray(tableau.a)) {
    throw new TideError('BAD_OPTION', `reversible: the base solver must be an explicit Runge–Kutta tableau (euler, midpoint, heun, ralston, rk4, bs3, dopri5, tsit5, or one from defineTableau); multistep methods such as vcab3 cannot be wrapped.`, { option: 'method' });
  }
  const lam = checkLambda('reversible', options.lambda ?? DEFAULT_LAMBDA);
  const saves = options.saves ?? 'land';
  if (saves !== 'land' && saves !== 'linear') throw new TideError('BAD_OPTION', `reversible: saves must be 'land' or 'linear', got '${String(saves)}'.`, { option: 'saves' });
  return {
    name: `reversible-${tableau.name}`,
    order: tableau.order,
    errorOrder: tableau.bErr !== null ? tableau.errorOrder : undefined,
    adaptiveByDefault: tableau.adaptiveByDefault,
    reversible: true,
    stateParts: 2,
    checkpointable: true,
    landOnSaves: saves === 'land',
    piGains: tableau.piGains,
    denseWidth: 2,
    denseOrder: 1,
    stiffnessStages: null,
    terms: 'any',
    tableau: null,
    lambda: lam,
    base: tableau,
    coupling: { base: tableau, lambda: lam },
    workspace(term: Term): CoupledWorkspace {
      const fwd = erkWorkspace(tableau, term), bwd = erkWorkspace(tableau, term);
      // k_s (b_s = 0) feeds only an error estimate, which only the second base step of an adaptive step asks for.
      fwd.skipFsalEval = true; bwd.skipFsalEval = true;
      const d = term.dim;
      return {
        dim: d, term, fwd, bwd, z: new Float64Array(d), zNew: new Float64Array(d), phi: new Float64Array(d), atRestart: false,
        stepK: fwd.k, stepTableau: tableau, trackStiffness: false, yStiff: null,
      };
    },
    begin(_t0, y0, _params, ws, restart = false): number {
      // A tstop does not reset the coupling state: the backward pass must be able to rebuild z across it.
      if (!restart) ws.z.set(y0);
      ws.atRestart = restart;
      return 0;
    },
    currentF: () => null,
    step(yOut, errOut, t, h, y, params, ws): number {
      const z = ws.z, zN = ws.zNew, phi = ws.phi, d = ws.dim;
      ws.fwd.k1Valid = false; ws.bwd.k1Valid = false; ws.fwd.nudgeStage0 = ws.atRestart;
      let nfe = erkStep(phi, null, tableau, t, h, z, params, ws.fwd);
      ws.fwd.nudgeStage0 = false;
      for (let m = 0; m < d; m++) yOut[m] = lam * (y[m] - z[m]) + phi[m];
      nfe += erkStep(phi, errOut, tableau, t + h, -h, yOut, params, ws.bwd);
      for (let m = 0; m < d; m++) zN[m] = z[m] + yOut[m] - phi[m];
      ws.stepK = ws.bwd.k;
      return nfe;
    },
    accept(coefOut, _needFEnd, _t, _h, y, yNew, _params, ws): number {
      const tmp = ws.z; ws.z = ws.zNew; ws.zNew = tmp;
      ws.atRestart = false;
      if (coefOut !== null) linearDense(coefOut, y, yNew);
      return 0;
    },
    saveState(out, y, ws) { out.set(y, 0); out.set(ws.z, ws.dim); },
    loadState(y, state, ws) {
      const d = ws.dim;
      for (let m = 0; m < d; m++) { y[m] = state[m]; ws.z[m] = state[d + m]; }
    },
    pullback: (ws) => new CoupledAdjoint(tableau, lam, ws),
    reverse: (ws) => new CoupledAdjoint(tableau, lam, ws),
  };
}

/** The coupled step's pullback, for stored/recomputed steps (StepPullback) and fused with reconstruction (ReverseStepper). */
class CoupledAdjoint extends LinearSavePullback implements StepPullback, ReverseStepper {
  readonly cot: Float64Array[];
  readonly recordLength: number;
  private readonly pbU: ErkPullback;
  private readonly pbW: ErkPullback;
  private readonly y1: Float64Array;
  private readonly z1: Float64Array;
  private readonly u: Float64Array;
  private readonly w: Float64Array;
  private readonly yhat: Float64Array;
  private readonly state: Float64Array;
  private readonly tmpY: Float64Array;
  private readonly d: number;
  /** (y, z) views of a state handed in, and of this.state. */
  private readonly inViews: PartViews;
  private readonly ownViews: PartViews;
  private haveStages = false;

  constructor(private readonly tableau: Tableau, private readonly lam: number, private readonly ws: CoupledWorkspace) {
    super(ws.dim);
    const d = ws.dim;
    this.d = d;
    this.cot = [new Float64Array(d), new Float64Array(d)];
    this.recordLength = 2 * d;
    this.pbU = new ErkPullback(tableau, ws.bwd); this.pbW = new ErkPullback(tableau, ws.fwd);
    this.pbU.keepFsal = false; this.pbW.keepFsal = false;
    this.y1 = new Float64Array(d); this.z1 = new Float64Array(d); this.u = new Float64Array(d); this.w = new Float64Array(d);
    this.yhat = new Float64Array(d); this.state = new Float64Array(2 * d); this.tmpY = new Float64Array(d);
    this.inViews = new PartViews(d, 2); this.ownViews = new PartViews(d, 2);
  }

  private extraNfe = 0;
  get vjps(): number { return this.pbU.vjps + this.pbW.vjps; }
  get nfe(): number { return this.pbU.nfe + this.pbW.nfe + this.extraNfe; }
  get bytes(): number { return this.pbU.bytes + this.pbW.bytes + 8 * this.d * 9; }

  reset(): void {
    this.cot[0].fill(0); this.cot[1].fill(0);
    this.pbU.reset(); this.pbW.reset(); this.extraNfe = 0;
  }

  record(out: Float64Array, offset: number, y: Readonly<Float64Array>): void {
    // The state at the start of the step; the stages are recomputed in the backward pass.
    out.set(y, offset);
    // Called before accept: ws.z still holds z_n.
    out.set(this.ws.z, offset + this.d);
  }

  restore(buf: Readonly<Float64Array>, offset: number): void {
    for (let m = 0; m < 2 * this.d; m++) this.state[m] = buf[offset + m];
    this.haveStages = false;
  }

  advance(t: number, h: number, state: Float64Array, params: Readonly<Float64Array>, restart = false): void {
    const d = this.d, ws = this.ws, lam = this.lam, phi = ws.phi;
    const yz = this.inViews.of(state), y = yz[0], z = yz[1];
    ws.fwd.k1Valid = false; ws.bwd.k1Valid = false; ws.fwd.nudgeStage0 = restart;
    this.extraNfe += erkStep(phi, null, this.tableau, t, h, z, params, ws.fwd);
    ws.fwd.nudgeStage0 = false;
    for (let m = 0; m < d; m++) this.y1[m] = lam * (y[m] - z[m]) + phi[m];
    this.extraNfe += erkStep(phi, null, this.tableau, t + h, -h, this.y1, params, ws.bwd);
    for (let m = 0; m < d; m++) { z[m] = z[m] + this.y1[m] - phi[m]; y[m] = this.y1[m]; }
  }

  recompute(t: number, h: number, state: Readonly<Float64Array>, params: Readonly<Float64Array>, stateOut: Float64Array | null, restart = false): void {
    const d = this.d, lam = this.lam;
    this.state.set(state);
    const yz = this.ownViews.of(this.state), y = yz[0], z = yz[1];
    // Forward base step Φ_h(t, z_n) with taped stages, then Φ_{−h}(t + h, y_{n+1}).
    this.pbW.recompute(t, h, z, params, this.w, restart);
    for (let m = 0; m < d; m++) this.y1[m] = lam * (y[m] - z[m]) + this.w[m];
    this.pbU.recompute(t + h, -h, this.y1, params, this.u);
    for (let m = 0; m < d; m++) this.z1[m] = z[m] + this.y1[m] - this.u[m];
    if (stateOut !== null) { stateOut.set(this.y1, 0); stateOut.set(this.z1, d); }
    this.haveStages = true;
  }

  pullbackStep(n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array,
    schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    if (!this.haveStages) this.recompute(t, h, this.state, params, null, schedule.restartAt(n));
    this.addInsideAfter(schedule.inStep(n), dYs, this.cot[0]);
    this.pullTaped(t, h, params, dParams);
    this.addInsideBefore(schedule.inStep(n), dYs, this.cot[0]);
    this.haveStages = false;
  }

  /** (ȳ, z̄) at n + 1 → at n through the taped base steps (file header). */
  private pullTaped(t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array): void {
    const d = this.d, lam = this.lam, ybar = this.cot[0], zbar = this.cot[1], yhat = this.yhat;
    const cu = this.pbU.cot[0], cw = this.pbW.cot[0];
    for (let m = 0; m < d; m++) cu[m] = -zbar[m];
    this.pbU.pullbackStep(0, t + h, -h, params, dParams, NO_SAVES, NO_PARAMS);
    for (let m = 0; m < d; m++) yhat[m] = ybar[m] + zbar[m] + cu[m];
    cw.set(yhat);
    this.pbW.pullbackStep(0, t, h, params, dParams, NO_SAVES, NO_PARAMS);
    for (let m = 0; m < d; m++) { ybar[m] = lam * yhat[m]; zbar[m] = zbar[m] - lam * yhat[m] + cw[m]; }
  }

  reverseStep(state: Float64Array, n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array,
    schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    const d = this.d, lam = this.lam;
    this.addInsideAfter(schedule.inStep(n), dYs, this.cot[0]);
    const yz = this.inViews.of(state), y = yz[0], z = yz[1];
    // Reconstruct (z_n, then y_n) with the base steps' stages taped for the pullback.
    this.pbU.recompute(t + h, -h, y, params, this.u);
    for (let m = 0; m < d; m++) { this.tmpY[m] = y[m]; z[m] = z[m] - y[m] + this.u[m]; }
    this.pbW.recompute(t, h, z, params, this.w, schedule.restartAt(n));
    for (let m = 0; m < d; m++) y[m] = z[m] + (this.tmpY[m] - this.w[m]) / lam;
    this.pullTaped(t, h, params, dParams);
    this.addInsideBefore(schedule.inStep(n), dYs, this.cot[0]);
  }

  finish(dY0: Float64Array): void {
    for (let m = 0; m < this.d; m++) dY0[m] = this.cot[0][m] + this.cot[1][m];
  }
}

const NO_PARAMS = new Float64Array(0);
