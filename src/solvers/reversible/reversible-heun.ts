/**
 * Reversible Heun (Kidger, Foster, Li & Lyons, "Efficient and Accurate Gradients for Neural SDEs", NeurIPS 2021,
 * Algorithm 1, here for ODE terms) as a Solver of the one loop. State (X, Y, F = f(Y)), X_0 = Y_0 = y_0:
 *     Y_{n+1} = 2X_n − Y_n + h F_n,   F_{n+1} = f(t_{n+1}, Y_{n+1}),   X_{n+1} = X_n + (h/2)(F_n + F_{n+1})
 * with the exact inverse Y_n = 2X_{n+1} − Y_{n+1} − h F_{n+1}, F_n = f(t_n, Y_n), X_n = X_{n+1} − (h/2)(F_n + F_{n+1}).
 * One evaluation per step, order 2; not A-stable for any step (its step matrix has determinant −1). The reported
 * solution is X. Dense output is linear between grid states, so steps land on save times by default.
 */
import { requireVjp, type VectorField } from '../../core/field.ts';
import { TideError } from '../../core/errors.ts';
import { PartViews } from '../../core/array.ts';
import type { Term } from '../../terms/term.ts';
import type { ReverseStepper, SaveSchedule, Solver, SolverWorkspace, StepPullback } from '../solver.ts';
import { linearDense, LinearSavePullback } from './linear-saves.ts';
import { justAfter } from '../../integrate/time.ts';

export interface HeunWorkspace extends SolverWorkspace {
  readonly field: VectorField;
  Y: Float64Array; F: Float64Array; Ynew: Float64Array; Fnew: Float64Array;
}

function odeField(where: string, term: Term): VectorField {
  if (term.ode === null) throw new TideError('BAD_OPTION', `${where}: this solver steps ODE terms only (its state carries f(Y)); for SDE/CDE terms use an RK method (euler, heun, midpoint, …) or the λ-coupled reversible wrapper.`, { option: 'method' });
  return term.ode;
}

/** The reversible Heun solver (`method: 'reversible-heun'`). */
export const reversibleHeun: Solver<HeunWorkspace> = {
  name: 'reversible-heun', order: 2, errorOrder: undefined, adaptiveByDefault: false, reversible: true, stateParts: 3, checkpointable: true,
  landOnSaves: true, piGains: { beta1: 0.35, beta2: 0.2 }, denseWidth: 2, denseOrder: 1, stiffnessStages: null, terms: 'ode',
  tableau: null,
  workspace(term) {
    const field = odeField('reversible-heun', term), d = term.dim;
    const Y = new Float64Array(d);
    return { dim: d, term, field, Y, F: new Float64Array(d), Ynew: new Float64Array(d), Fnew: new Float64Array(d), stepK: [Y], stepTableau: null, trackStiffness: false, yStiff: null };
  },
  begin(t0, y0, params, ws, restart = false) {
    // After a tstop (t0 is one ulp past it) F is re-evaluated on the new side of a possible jump of f; the pullback
    // rebuilds the F of the landing step from Y, so the scheme stays exactly reversible across the stop.
    if (restart) { ws.field.eval(ws.F, t0, ws.Y, params as Float64Array); return 1; }
    ws.Y.set(y0);
    ws.field.eval(ws.F, t0, ws.Y, params as Float64Array);
    return 1;
  },
  currentF: () => null,
  step(yOut, _err, t, h, X, params, ws) {
    const { Y, F, Ynew, Fnew } = ws, d = ws.dim;
    for (let m = 0; m < d; m++) Ynew[m] = 2 * X[m] - Y[m] + h * F[m];
    ws.field.eval(Fnew, t + h, Ynew, params as Float64Array);
    for (let m = 0; m < d; m++) yOut[m] = X[m] + 0.5 * h * (F[m] + Fnew[m]);
    return 1;
  },
  accept(coefOut, _needF, _t, _h, y, yNew, _params, ws) {
    let tmp = ws.Y; ws.Y = ws.Ynew; ws.Ynew = tmp;
    tmp = ws.F; ws.F = ws.Fnew; ws.Fnew = tmp;
    if (coefOut !== null) linearDense(coefOut, y, yNew);
    return 0;
  },
  saveState(out, y, ws) { const d = ws.dim; out.set(y, 0); out.set(ws.Y, d); out.set(ws.F, 2 * d); },
  loadState(y, s, ws) { const d = ws.dim; for (let m = 0; m < d; m++) { y[m] = s[m]; ws.Y[m] = s[d + m]; ws.F[m] = s[2 * d + m]; } },
  pullback: (ws) => new HeunAdjoint(ws),
  reverse: (ws) => new HeunAdjoint(ws),
};

/**
 * When F_n was evaluated: at t_n, except after a restart at a tstop, where the solver re-evaluated it one ulp past the
 * stop (the far side of a jump of f).
 */
function fTime(schedule: SaveSchedule, n: number, t: number, h: number): number {
  return schedule.restartAt(n) ? justAfter(t, h >= 0 ? 1 : -1) : t;
}

/**
 * Pullback of a reversible Heun step; F is a function of Y, so its cotangent is folded into Ȳ through J(Y)ᵀ:
 *     Ȳ_tot = Ȳ + J(Y_{n+1})ᵀ (h/2) X̄;   v = h Ȳ_tot + (h/2) X̄;   X̄_n = X̄ + 2 Ȳ_tot;   Ȳ_n = −Ȳ_tot + J(Y_n)ᵀ v.
 */
class HeunAdjoint extends LinearSavePullback implements StepPullback, ReverseStepper {
  readonly cot: Float64Array[];
  readonly recordLength: number;
  vjps = 0;
  nfe = 0;
  private readonly d: number;
  private readonly cur: Float64Array;
  private readonly prev: Float64Array;
  private readonly v: Float64Array; private readonly dyv: Float64Array; private readonly ytot: Float64Array;
  /** (X, Y, F) views of a state handed in, of this.cur and of this.prev. */
  private readonly inViews: PartViews; private readonly curParts: readonly Float64Array[]; private readonly prevParts: readonly Float64Array[];
  private readonly field: VectorField;
  constructor(private readonly ws: HeunWorkspace) {
    super(ws.dim);
    const d = ws.dim;
    this.d = d; this.field = ws.field;
    requireVjp('reversible-heun', ws.field);
    this.cot = [new Float64Array(d), new Float64Array(d), new Float64Array(d)];
    this.recordLength = 3 * d;
    this.cur = new Float64Array(3 * d); this.prev = new Float64Array(3 * d);
    this.inViews = new PartViews(d, 3);
    this.curParts = new PartViews(d, 3).of(this.cur); this.prevParts = new PartViews(d, 3).of(this.prev);
    this.v = new Float64Array(d); this.dyv = new Float64Array(d); this.ytot = new Float64Array(d);
  }
  get bytes(): number { return 8 * this.d * 15; }
  reset(): void { for (const c of this.cot) c.fill(0); this.vjps = 0; this.nfe = 0; }
  record(out: Float64Array, offset: number, y: Readonly<Float64Array>): void {
    const d = this.d;
    out.set(y, offset); out.set(this.ws.Y, offset + d); out.set(this.ws.F, offset + 2 * d);
  }
  restore(buf: Readonly<Float64Array>, offset: number): void { for (let m = 0; m < 3 * this.d; m++) this.prev[m] = buf[offset + m]; this.stepped = false; }
  private stepped = false;
  /** state ← the state after step (t, h). */
  advance(t: number, h: number, state: Float64Array, params: Readonly<Float64Array>, restart = false): void {
    const d = this.d, XYF = this.inViews.of(state), X = XYF[0], Y = XYF[1], F = XYF[2];
    // A step from a restart point: the forward re-evaluated F past the stop first (begin with restart).
    if (restart) { this.field.eval(F, justAfter(t, h >= 0 ? 1 : -1), Y, params as Float64Array); this.nfe++; }
    for (let m = 0; m < d; m++) Y[m] = 2 * X[m] - Y[m] + h * F[m];
    const Fold = this.v; Fold.set(F);
    this.field.eval(F, t + h, Y, params as Float64Array); this.nfe++;
    for (let m = 0; m < d; m++) X[m] += 0.5 * h * (Fold[m] + F[m]);
  }
  recompute(t: number, h: number, state: Readonly<Float64Array>, params: Readonly<Float64Array>, stateOut: Float64Array | null, restart = false): void {
    this.prev.set(state);
    if (restart) { this.field.eval(this.prevParts[2], justAfter(t, h >= 0 ? 1 : -1), this.prevParts[1], params as Float64Array); this.nfe++; }
    this.cur.set(this.prev);
    this.advance(t, h, this.cur, params);
    if (stateOut !== null) stateOut.set(this.cur);
    this.stepped = true;
  }
  pullbackStep(n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array, schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    if (!this.stepped) { this.cur.set(this.prev); this.advance(t, h, this.cur, params); }
    this.addInsideAfter(schedule.inStep(n), dYs, this.cot[0]);
    this.pull(t, h, params, dParams, fTime(schedule, n, t, h));
    this.addInsideBefore(schedule.inStep(n), dYs, this.cot[0]);
    this.stepped = false;
  }
  /** Uses this.cur (state n + 1) and this.prev (state n). */
  private pull(t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array, tF: number): void {
    const d = this.d, Xb = this.cot[0], Yb = this.cot[1], { v, dyv, ytot } = this;
    const Yn1 = this.curParts[1], Yn = this.prevParts[1];
    for (let m = 0; m < d; m++) v[m] = 0.5 * h * Xb[m];
    this.field.vjp!(dyv, dParams, v, t + h, Yn1, params as Float64Array); this.vjps++;
    for (let m = 0; m < d; m++) ytot[m] = Yb[m] + dyv[m];
    for (let m = 0; m < d; m++) v[m] = h * ytot[m] + 0.5 * h * Xb[m];
    this.field.vjp!(dyv, dParams, v, tF, Yn, params as Float64Array); this.vjps++;
    for (let m = 0; m < d; m++) { Xb[m] = Xb[m] + 2 * ytot[m]; Yb[m] = -ytot[m] + dyv[m]; }
  }
  reverseStep(state: Float64Array, n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array, schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    const d = this.d;
    this.cur.set(state);
    const XYF = this.inViews.of(state), X = XYF[0], Y = XYF[1], F = XYF[2];
    const Xn = this.curParts[0], Yn = this.curParts[1], Fn = this.curParts[2];
    // Step n landed on a tstop after which F was re-evaluated: its own end F was f(t + h, Y_{n+1}), before the stop.
    if (schedule.restartAt(n + 1)) { this.field.eval(Fn, t + h, Yn, params as Float64Array); this.nfe++; }
    for (let m = 0; m < d; m++) Y[m] = 2 * Xn[m] - Yn[m] - h * Fn[m];
    const tF = fTime(schedule, n, t, h);
    this.field.eval(F, tF, Y, params as Float64Array); this.nfe++;
    for (let m = 0; m < d; m++) X[m] = Xn[m] - 0.5 * h * (F[m] + Fn[m]);
    this.prev.set(state);
    this.addInsideAfter(schedule.inStep(n), dYs, this.cot[0]);
    this.pull(t, h, params, dParams, tF);
    this.addInsideBefore(schedule.inStep(n), dYs, this.cot[0]);
  }
  finish(dY0: Float64Array): void { for (let m = 0; m < this.d; m++) dY0[m] = this.cot[0][m] + this.cot[1][m]; }
}
