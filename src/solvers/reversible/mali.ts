/**
 * The asynchronous leapfrog integrator of MALI (Zhuang, Dvornek, Tatikonda & Duncan, "MALI: A memory efficient and
 * reverse accurate integrator for Neural ODEs", ICLR 2021, Algorithm 1 with damping η) as a Solver of the one loop.
 * State (X, V), V_0 = f(t_0, X_0):
 *     X_½ = X_n + (h/2) V_n,   F = f(t_n + h/2, X_½),   V_{n+1} = V_n + 2η(F − V_n),   X_{n+1} = X_½ + (h/2) V_{n+1}
 * Inverse: X_½ = X_{n+1} − (h/2) V_{n+1}, F = f(t_n + h/2, X_½), V_n = (2ηF − V_{n+1})/(2η − 1), X_n = X_½ − (h/2) V_n
 * (η ≠ ½; MALI uses η = 1). One evaluation per step, order 2, not A-stable (determinant −1). Reported solution: X.
 */
import { requireVjp, type VectorField } from '../../core/field.ts';
import { TideError } from '../../core/errors.ts';
import { PartViews } from '../../core/array.ts';
import type { Term } from '../../terms/term.ts';
import type { ReverseStepper, SaveSchedule, Solver, SolverWorkspace, StepPullback } from '../solver.ts';
import { linearDense, LinearSavePullback } from './linear-saves.ts';

export interface MaliWorkspace extends SolverWorkspace {
  readonly field: VectorField;
  V: Float64Array; Vnew: Float64Array;
}

function checkEta(eta: number): number {
  if (typeof eta !== 'number' || !(eta > 0) || eta === 0.5 || !Number.isFinite(eta)) {
    throw new TideError('BAD_OPTION', `mali: the damping η must be positive and not ½ (the inverse divides by 2η − 1), got ${String(eta)}. MALI uses η = 1.`, { option: 'eta' });
  }
  return eta;
}

/**
 * The MALI solver with damping η (default 1; `method: 'mali'`).
 * @returns the {@link Solver}, with its damping `eta` readable on it.
 * @throws TideError('BAD_OPTION') for η ≤ 0, η = ½ (the inverse divides by 2η − 1) or a non-finite η.
 */
export function maliSolver(etaArg = 1): Solver<MaliWorkspace> & { readonly eta: number } {
  const eta = checkEta(etaArg), e2 = 2 * eta;
  return {
    name: 'mali', order: 2, errorOrder: undefined, adaptiveByDefault: false, reversible: true, stateParts: 2, checkpointable: true, landOnSaves: true,
    piGains: { beta1: 0.35, beta2: 0.2 }, denseWidth: 2, denseOrder: 1, stiffnessStages: null, terms: 'ode', tableau: null, eta,
    workspace(term: Term) {
      if (term.ode === null) throw new TideError('BAD_OPTION', 'mali: this solver steps ODE terms only (its state carries a velocity f(X)); for SDE/CDE terms use an RK method or the λ-coupled reversible wrapper.', { option: 'method' });
      const d = term.dim, V = new Float64Array(d);
      return { dim: d, term, field: term.ode, V, Vnew: new Float64Array(d), stepK: [V], stepTableau: null, trackStiffness: false, yStiff: null };
    },
    begin(t0, y0, params, ws, restart = false) {
      if (restart) return 0;
      ws.field.eval(ws.V, t0, y0 as Float64Array, params as Float64Array);
      return 1;
    },
    currentF: () => null,
    step(yOut, _err, t, h, X, params, ws) {
      const V = ws.V, Vn = ws.Vnew, d = ws.dim;
      for (let m = 0; m < d; m++) yOut[m] = X[m] + 0.5 * h * V[m];
      ws.field.eval(Vn, t + 0.5 * h, yOut, params as Float64Array);
      for (let m = 0; m < d; m++) { const v = V[m] + e2 * (Vn[m] - V[m]); Vn[m] = v; yOut[m] += 0.5 * h * v; }
      return 1;
    },
    accept(coefOut, _nf, _t, _h, y, yNew, _p, ws) {
      const tmp = ws.V; ws.V = ws.Vnew; ws.Vnew = tmp;
      if (coefOut !== null) linearDense(coefOut, y, yNew);
      return 0;
    },
    saveState(out, y, ws) { out.set(y, 0); out.set(ws.V, ws.dim); },
    loadState(y, s, ws) { const d = ws.dim; for (let m = 0; m < d; m++) { y[m] = s[m]; ws.V[m] = s[d + m]; } },
    pullback: (ws) => new MaliAdjoint(ws, eta),
    reverse: (ws) => new MaliAdjoint(ws, eta),
  };
}

/** The MALI solver with η = 1 (`method: 'mali'`); its damping is readable as `mali.eta`. */
export const mali = maliSolver(1);

/**
 * Pullback of a MALI step: V̄_tot = V̄ + (h/2)X̄; F̄ = 2η V̄_tot; (dX, θ̄) = VJP at (t + h/2, X_½; F̄);
 * X̄_n = X̄ + dX;  V̄_n = (1 − 2η) V̄_tot + (h/2) X̄_n. At the start, V_0 = f(t_0, X_0) adds J(X_0)ᵀ V̄_0 to X̄_0.
 */
class MaliAdjoint extends LinearSavePullback implements StepPullback, ReverseStepper {
  readonly cot: Float64Array[];
  readonly recordLength: number;
  vjps = 0;
  nfe = 0;
  private readonly d: number;
  private readonly e2: number;
  private readonly field: VectorField;
  private readonly cur: Float64Array;
  /** (X, V) views of a state handed in, and of this.cur. */
  private readonly inViews: PartViews; private readonly curParts: readonly Float64Array[];
  private readonly xh: Float64Array; private readonly fb: Float64Array; private readonly dx: Float64Array;
  private readonly vtot: Float64Array; private readonly fval: Float64Array;
  private stepped = false;
  constructor(ws: MaliWorkspace, eta: number) {
    super(ws.dim);
    const d = ws.dim;
    this.d = d; this.e2 = 2 * eta; this.field = ws.field;
    requireVjp('mali', ws.field);
    this.cot = [new Float64Array(d), new Float64Array(d)];
    this.recordLength = 2 * d;
    this.cur = new Float64Array(2 * d);
    this.inViews = new PartViews(d, 2); this.curParts = new PartViews(d, 2).of(this.cur);
    this.xh = new Float64Array(d); this.fb = new Float64Array(d); this.dx = new Float64Array(d); this.vtot = new Float64Array(d); this.fval = new Float64Array(d);
    this.ws = ws;
  }
  private readonly ws: MaliWorkspace;
  get bytes(): number { return 8 * this.d * 11; }
  reset(): void { for (const c of this.cot) c.fill(0); this.vjps = 0; this.nfe = 0; }
  record(out: Float64Array, offset: number, y: Readonly<Float64Array>): void { out.set(y, offset); out.set(this.ws.V, offset + this.d); }
  restore(buf: Readonly<Float64Array>, offset: number): void { for (let m = 0; m < 2 * this.d; m++) this.cur[m] = buf[offset + m]; this.stepped = false; }
  advance(t: number, h: number, state: Float64Array, params: Readonly<Float64Array>): void {
    const d = this.d, XV = this.inViews.of(state), X = XV[0], V = XV[1], e2 = this.e2, F = this.fval;
    for (let m = 0; m < d; m++) X[m] += 0.5 * h * V[m];
    this.field.eval(F, t + 0.5 * h, X, params as Float64Array); this.nfe++;
    for (let m = 0; m < d; m++) { const v = V[m] + e2 * (F[m] - V[m]); V[m] = v; X[m] += 0.5 * h * v; }
  }
  recompute(t: number, h: number, state: Readonly<Float64Array>, params: Readonly<Float64Array>, stateOut: Float64Array | null): void {
    this.cur.set(state);
    this.advance(t, h, this.cur, params);
    if (stateOut !== null) stateOut.set(this.cur);
    this.stepped = true;
  }
  pullbackStep(n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array, schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    if (!this.stepped) this.advance(t, h, this.cur, params);
    this.addInsideAfter(schedule.inStep(n), dYs, this.cot[0]);
    this.pull(t, h, params, dParams, null);
    this.addInsideBefore(schedule.inStep(n), dYs, this.cot[0]);
    this.stepped = false;
  }
  /** Pulls (X̄, V̄) back through the step ending in this.cur; with `state`, also reconstructs the start state there. */
  private pull(t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array, state: Float64Array | null): void {
    const d = this.d, e2 = this.e2, Xb = this.cot[0], Vb = this.cot[1], { xh, fb, dx, vtot, fval } = this;
    const Xn = this.curParts[0], Vn = this.curParts[1];
    for (let m = 0; m < d; m++) xh[m] = Xn[m] - 0.5 * h * Vn[m];
    for (let m = 0; m < d; m++) { vtot[m] = Vb[m] + 0.5 * h * Xb[m]; fb[m] = e2 * vtot[m]; }
    this.field.vjp!(dx, dParams, fb, t + 0.5 * h, xh, params as Float64Array, fval); this.vjps++;
    if (state !== null) {
      for (let m = 0; m < d; m++) { const vv = (e2 * fval[m] - Vn[m]) / (e2 - 1); state[d + m] = vv; state[m] = xh[m] - 0.5 * h * vv; }
    }
    for (let m = 0; m < d; m++) { const xhb = Xb[m] + dx[m]; Xb[m] = xhb; Vb[m] = (1 - e2) * vtot[m] + 0.5 * h * xhb; }
  }
  reverseStep(state: Float64Array, n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array, schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    this.cur.set(state);
    this.addInsideAfter(schedule.inStep(n), dYs, this.cot[0]);
    this.pull(t, h, params, dParams, state);
    this.addInsideBefore(schedule.inStep(n), dYs, this.cot[0]);
  }
  finish(dY0: Float64Array, state0: Readonly<Float64Array>, t0: number, params: Readonly<Float64Array>, dParams: Float64Array): void {
    const d = this.d;
    this.field.vjp!(this.dx, dParams, this.cot[1], t0, state0.subarray(0, d) as Float64Array, params as Float64Array); this.vjps++;
    for (let m = 0; m < d; m++) dY0[m] = this.cot[0][m] + this.dx[m];
  }
}
