/**
 * The reversible gradient method (McCallum & Foster 2024; reversible.md §3): the forward pass keeps only the final
 * state and the accepted grid; the backward pass rebuilds each earlier state with the scheme's exact inverse and
 * pulls the cotangent through that step with the field's VJPs. Gradients equal backpropagation through the same
 * discrete scheme (to round-off), at memory independent of the number of steps (apart from the N + 1 grid times,
 * which the report counts).
 *
 * λ-coupled scheme, fused reconstruction + pullback per step (reversible.md §3):
 *     u = Φ_{−h}(t_{n+1}, y)  →  z_n = z − y + u;      w = Φ_h(t_n, z_n)  →  y_n = z_n + (y − w)/λ
 *     ŷ = ȳ + z̄ − J_uᵀ z̄ (θ̄ −= ∂_θuᵀ z̄);             ȳ ← λŷ + g_n,  z̄ ← z̄ − λŷ + J_wᵀ ŷ (θ̄ += ∂_θwᵀ ŷ)
 * and ∂L/∂x_0 = ȳ + z̄ at the end (y_0 = z_0 = x_0). Reversible Heun and MALI have their own pullbacks below.
 * `store: true` keeps every state instead of reconstructing: backpropagation through the same scheme, the oracle
 * the reconstruction is tested against (method name 'reversible-direct').
 */
import type { VectorField } from '../core/field.ts';
import type { ReversibleScheme } from '../solvers/reversible/scheme.ts';
import { allocState, copyState } from '../solvers/reversible/scheme.ts';
import { CoupledScheme } from '../solvers/reversible/coupled.ts';
import type { CoupledWorkspace } from '../solvers/reversible/coupled.ts';
import { ReversibleHeun } from '../solvers/reversible/reversible-heun.ts';
import { Mali } from '../solvers/reversible/mali.ts';
import { erkStep } from '../solvers/erk.ts';
import { reversibleSolve } from '../solve/reversible-solve.ts';
import type { ReversibleSolveOptions, ReversibleForward } from '../solve/reversible-solve.ts';
import { StepAdjoint } from './step-adjoint.ts';
import { SlotField } from './slot-field.ts';
import type { GradientResult } from './method.ts';
import { emptyReport } from './method.ts';
import { GrowableBuffer } from '../solve/solution.ts';
import { NONE } from './save-plan.ts';
import { internalError } from '../core/errors.ts';

export interface ReversibleRun {
  readonly forward: ReversibleForward;
  readonly ys: Float64Array;
  backward(dYs: Readonly<Float64Array>): GradientResult;
}

/** Save cotangents per grid point (exact saves) and per step (linear interpolation weights θ). */
interface RevSavePlan { at: Map<number, number[]>; inside: Map<number, Array<{ q: number; theta: number }>> }

function planLinear(ts: Float64Array, times: Float64Array, hs: Float64Array, N: number): RevSavePlan {
  const at = new Map<number, number[]>(), inside = new Map<number, Array<{ q: number; theta: number }>>();
  let n = 0;
  for (let q = 0; q < ts.length; q++) {
    const tau = ts[q];
    while (n < N && times[n + 1] < tau) n++;
    if (tau === times[n]) { (at.get(n) ?? at.set(n, []).get(n)!).push(q); continue; }
    if (n < N && tau === times[n + 1]) { (at.get(n + 1) ?? at.set(n + 1, []).get(n + 1)!).push(q); continue; }
    (inside.get(n) ?? inside.set(n, []).get(n)!).push({ q, theta: (tau - times[n]) / hs[n] });
  }
  return { at, inside };
}

const addRow = (dst: Float64Array, src: Readonly<Float64Array>, q: number, w = 1): void => {
  const d = dst.length, off = q * d;
  for (let m = 0; m < d; m++) dst[m] += w * src[off + m];
};

/** Pullback state for one scheme: cotangents of the state parts, and the step's backward logic. */
interface Backward {
  /** Cotangent of part 0 (the reported y) is cot[0]. */
  readonly cot: Float64Array[];
  vjps: number;
  nfe: number;
  /** From state_{n+1} (in `cur`) and cot_{n+1}: reconstruct state_n into `prev` (or take it from the store) and pull cot back. */
  step(prev: Float64Array[], cur: readonly Float64Array[], t: number, h: number, reconstruct: boolean): void;
  /** Pull the cotangent of the initial state back to y0. */
  finish(dY0: Float64Array, state0: readonly Float64Array[], t0: number): void;
}

function coupledBackward(scheme: CoupledScheme, field: VectorField, params: Float64Array, dParams: Float64Array): Backward {
  const d = field.dim, tab = scheme.tableau, lam = scheme.lambda;
  const ws: CoupledWorkspace = scheme.workspace(d);
  const adjU = new StepAdjoint(field, tab), adjW = new StepAdjoint(field, tab);
  // Stage slots: the recomputed stages of both base steps keep their activations for the VJPs (no re-evaluation).
  const slotsU = new SlotField(field, tab.stages), slotsW = new SlotField(field, tab.stages);
  const u = new Float64Array(d), w = new Float64Array(d), yhat = new Float64Array(d);
  const cot = allocState(2, d);
  const b: Backward = {
    cot, vjps: 0, nfe: 0,
    step(prev, cur, t, h, reconstruct) {
      const y = cur[0], z = cur[1], ybar = cot[0], zbar = cot[1];
      ws.fwd.k1Valid = false; ws.bwd.k1Valid = false;
      // Neither reconstructing base step needs its FSAL stage (k̄_s = 0: b_s = 0 and saves are linear in y).
      ws.fwd.skipFsalEval = true; ws.bwd.skipFsalEval = true;
      // Recompute the stages of both base steps (and, when reconstructing, rebuild (y_n, z_n) from them).
      b.nfe += erkStep(u, null, tab, slotsU.reset(), t + h, -h, y, params, ws.bwd);
      if (reconstruct) for (let m = 0; m < d; m++) prev[1][m] = z[m] - y[m] + u[m];
      const zn = prev[1];
      b.nfe += erkStep(w, null, tab, slotsW.reset(), t, h, zn, params, ws.fwd);
      if (reconstruct) for (let m = 0; m < d; m++) prev[0][m] = zn[m] + (y[m] - w[m]) / lam;
      // Through z_{n+1} = z_n + y_{n+1} − Φ_{−h}(y_{n+1}): pull −z̄ through Φ_{−h} (adds −∂_θuᵀ z̄ to θ̄).
      for (let m = 0; m < d; m++) adjU.dy[m] = -zbar[m];
      adjU.pullbackTaped(-h, slotsU.slotTape, dParams);
      for (let m = 0; m < d; m++) yhat[m] = ybar[m] + zbar[m] + adjU.dy[m];
      // Through y_{n+1} = λ(y_n − z_n) + Φ_h(z_n).
      adjW.dy.set(yhat);
      adjW.pullbackTaped(h, slotsW.slotTape, dParams);
      for (let m = 0; m < d; m++) { ybar[m] = lam * yhat[m]; zbar[m] = zbar[m] - lam * yhat[m] + adjW.dy[m]; }
      b.vjps = adjU.vjpCount + adjW.vjpCount;
    },
    finish(dY0) { for (let m = 0; m < d; m++) dY0[m] = cot[0][m] + cot[1][m]; },
  };
  return b;
}

function heunBackward(field: VectorField, params: Float64Array, dParams: Float64Array): Backward {
  const d = field.dim;
  const cot = allocState(3, d); // (X̄, Ȳ, F̄ unused: F is a function of Y)
  const v = new Float64Array(d), dyv = new Float64Array(d), ytot = new Float64Array(d);
  const b: Backward = {
    cot, vjps: 0, nfe: 0,
    step(prev, cur, t, h, reconstruct) {
      const [Xn, Yn, Fn] = cur, [X, Y, F] = prev, Xb = cot[0], Yb = cot[1];
      if (reconstruct) {
        for (let m = 0; m < d; m++) Y[m] = 2 * Xn[m] - Yn[m] - h * Fn[m];
        field.eval(F, t, Y, params); b.nfe++;
        for (let m = 0; m < d; m++) X[m] = Xn[m] - 0.5 * h * (F[m] + Fn[m]);
      }
      // X_{n+1} depends on Y_{n+1} through f(Y_{n+1}): Ȳ_tot = Ȳ + J(Y_{n+1})ᵀ (h/2) X̄.
      for (let m = 0; m < d; m++) v[m] = 0.5 * h * Xb[m];
      field.vjp!(dyv, dParams, v, t + h, Yn, params); b.vjps++;
      for (let m = 0; m < d; m++) ytot[m] = Yb[m] + dyv[m];
      // Y_{n+1} = 2X_n − Y_n + h f(Y_n),  X_{n+1} = X_n + (h/2) f(Y_n) + …
      for (let m = 0; m < d; m++) v[m] = h * ytot[m] + 0.5 * h * Xb[m];
      field.vjp!(dyv, dParams, v, t, Y, params); b.vjps++;
      for (let m = 0; m < d; m++) { Xb[m] = Xb[m] + 2 * ytot[m]; Yb[m] = -ytot[m] + dyv[m]; }
    },
    finish(dY0) { for (let m = 0; m < d; m++) dY0[m] = cot[0][m] + cot[1][m]; },
  };
  return b;
}

function maliBackward(scheme: Mali, field: VectorField, params: Float64Array, dParams: Float64Array): Backward {
  const d = field.dim, e2 = 2 * scheme.eta;
  const cot = allocState(2, d);
  const xh = new Float64Array(d), fb = new Float64Array(d), dx = new Float64Array(d), vtot = new Float64Array(d), fval = new Float64Array(d);
  const b: Backward = {
    cot, vjps: 0, nfe: 0,
    step(prev, cur, t, h, reconstruct) {
      const [Xn, Vn] = cur, Xb = cot[0], Vb = cot[1];
      for (let m = 0; m < d; m++) xh[m] = Xn[m] - 0.5 * h * Vn[m];
      // X_{n+1} = X_½ + (h/2)V_{n+1}: V̄_tot = V̄ + (h/2)X̄;  V_{n+1} = (1 − 2η)V_n + 2ηF: F̄ = 2η V̄_tot.
      for (let m = 0; m < d; m++) { vtot[m] = Vb[m] + 0.5 * h * Xb[m]; fb[m] = e2 * vtot[m]; }
      field.vjp!(dx, dParams, fb, t + 0.5 * h, xh, params, fval); b.vjps++;
      if (reconstruct) {
        const [X, V] = prev;
        for (let m = 0; m < d; m++) { const vv = (e2 * fval[m] - Vn[m]) / (e2 - 1); V[m] = vv; X[m] = xh[m] - 0.5 * h * vv; }
      }
      // X_½ = X_n + (h/2)V_n.
      for (let m = 0; m < d; m++) {
        const xhb = Xb[m] + dx[m];
        Xb[m] = xhb;
        Vb[m] = (1 - e2) * vtot[m] + 0.5 * h * xhb;
      }
    },
    finish(dY0, state0, t0) {
      // V_0 = f(t0, X_0).
      field.vjp!(dx, dParams, cot[1], t0, state0[0], params); b.vjps++;
      for (let m = 0; m < d; m++) dY0[m] = cot[0][m] + dx[m];
    },
  };
  return b;
}

export function reversibleRun(scheme: ReversibleScheme, field: VectorField, y0: Float64Array, o: ReversibleSolveOptions,
  store: boolean): ReversibleRun {
  const d = field.dim, parts = scheme.parts;
  const states = store ? new GrowableBuffer(parts * d * 64) : null;
  const pushState = (s: readonly Float64Array[]): void => { for (let i = 0; i < parts; i++) states!.pushAll(s[i]); };
  if (states) {
    const s0 = allocState(parts, d);
    scheme.init(s0, y0, field, o.t0, o.params, scheme.workspace(d));
    pushState(s0);
  }
  const forward = reversibleSolve(scheme, field, y0, { ...o, onAccept: states ? (_n, _t, _h, s) => pushState(s) : undefined });
  return {
    forward, ys: forward.ys,
    backward(dYs) {
      const dParams = new Float64Array(field.paramCount);
      const bw = scheme instanceof CoupledScheme ? coupledBackward(scheme, field, o.params, dParams)
        : scheme instanceof ReversibleHeun ? heunBackward(field, o.params, dParams)
          : scheme instanceof Mali ? maliBackward(scheme, field, o.params, dParams) : null;
      if (bw === null) throw internalError('gradients/reversible.ts', `no pullback for scheme ${scheme.name}`);
      const { times, hs, N } = forward;
      const plan = planLinear(o.ts, times, hs, N);
      let cur = allocState(parts, d), prev = allocState(parts, d);
      copyState(cur, forward.state);
      for (const q of plan.at.get(N) ?? NONE) addRow(bw.cot[0], dYs, q);
      const S = states?.view();
      for (let n = N - 1; n >= 0; n--) {
        const inside = plan.inside.get(n);
        if (inside) for (const { q, theta } of inside) addRow(bw.cot[0], dYs, q, theta);
        if (S) for (let i = 0; i < parts; i++) for (let m = 0; m < d; m++) prev[i][m] = S[(n * parts + i) * d + m];
        bw.step(prev, cur, times[n], hs[n], S === undefined);
        if (inside) for (const { q, theta } of inside) addRow(bw.cot[0], dYs, q, 1 - theta);
        for (const q of plan.at.get(n) ?? NONE) addRow(bw.cot[0], dYs, q);
        const tmp = cur; cur = prev; prev = tmp;
      }
      const dY0 = new Float64Array(d);
      bw.finish(dY0, cur, o.t0);
      const report = emptyReport(store ? 'reversible-direct' : 'reversible');
      report.nfeForward = forward.nfe;
      report.nfeBackward = bw.nfe;
      report.vjpBackward = bw.vjps;
      report.steps = N;
      // States held: the final state, the working pair, the cotangents (+ every state for the stored variant), times.
      const work = 8 * d * (3 * parts + (scheme instanceof CoupledScheme ? 2 * (scheme.tableau.stages + 3) + 3 + 4 * (scheme.tableau.stages + 3) : 6));
      report.stateBytes = work + (states ? states.bytes : 0);
      report.peakBytes = report.stateBytes + 16 * N + 8 + 8 * forward.ys.length; // + grid and saved outputs
      report.effectiveCheckpoints = store ? N + 1 : parts;
      return { dY0, dParams, report };
    },
  };
}
