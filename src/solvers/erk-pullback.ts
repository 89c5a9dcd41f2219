/**
 * The discrete adjoint of one explicit Runge–Kutta step (Hager 2000, "Runge–Kutta methods in optimal control and the
 * transformed adjoint system", written as reverse-mode AD of the step). Forward, in the increment form of erk.ts:
 *     Y_i = y_n + w Σ_{j<i} a_ij k_j,   k_i = vf(t_n + c_i h, Y_i)(·ΔX),   y_{n+1} = y_n + w Σ b_i k_i.
 * Given ȳ_{n+1}, for i = s … 1:
 *     k̄_i = w b_i ȳ_{n+1} + w Σ_{j>i} a_ji Ȳ_j (+ dense-output terms),   (Ȳ_i, θ̄_i) = VJP(t_n + c_i h, Y_i; k̄_i)
 * then ȳ_n = ȳ_{n+1} + Σ_i Ȳ_i and θ̄ += Σ_i θ̄_i. A stage whose k̄_i is exactly zero (the FSAL stage of DP5/Tsit5/BS3,
 * which only feeds the error estimate) needs no VJP.
 *
 * Saves inside a step come from the dense output, which for every tide interpolant is linear in
 * (y_n, y_{n+1}, k_1 … k_s, f_{n+1}): y(τ) = w_y y_n + w_Y y_{n+1} + Σ_i w_i k_i + w_F f_{n+1}. The weights are probed
 * once per tableau from the interpolant's `pack` with unit inputs, so any interpolant linear in its inputs is
 * differentiated exactly. With FSAL on an ODE term, k_s of step n is k_1 of step n + 1, so the cotangent step n's saves
 * put on k_s is folded into the VJP of k_1 of step n + 1 (one VJP fewer per step with saves).
 */
import type { VectorField } from '../core/field.ts';
import type { FieldTape } from '../core/field.ts';
import type { TermTape } from '../terms/term.ts';
import type { SaveInStep, SaveSchedule, StepPullback } from './solver.ts';
import type { Tableau } from './tableau.ts';
import { erkStageInput, erkSolution, erkStep, ensureTapes, type ErkWorkspace } from './erk.ts';
import { justAfter } from '../integrate/time.ts';

/**
 * Monomial coefficients of each input's dense weight: rows y_n, y_{n+1}, k_1 … k_s, then the interpolant's extra stages
 * (DOP853's k_14 … k_16, if any), then f_{n+1}; `width` each.
 */
const bases = new WeakMap<Tableau, Float64Array[]>();

function basisOf(tableau: Tableau): Float64Array[] {
  let rows = bases.get(tableau);
  if (rows !== undefined) return rows;
  const s = tableau.stages, dense = tableau.dense, width = dense.width, e = extraCount(tableau);
  const zero = new Float64Array(1), one = new Float64Array([1]);
  const ks = Array.from({ length: s + e }, () => new Float64Array(1));
  const probe = (y: Float64Array, yNew: Float64Array, kIndex: number, fEnd: Float64Array | null): Float64Array => {
    const coef = new Float64Array(width);
    for (let i = 0; i < s + e; i++) ks[i][0] = i === kIndex ? 1 : 0;
    const fe = tableau.fsal ? ks[s - 1] : (fEnd ?? (dense.needsFEnd ? zero : null));
    dense.pack(coef, 1, y, yNew, ks, fe);
    return coef;
  };
  rows = [probe(one, zero, -1, null), probe(zero, one, -1, null)];
  for (let i = 0; i < s + e; i++) rows.push(probe(zero, zero, i, null));
  // For FSAL tableaus f_{n+1} is k_s and already among the k rows.
  rows.push(!tableau.fsal && dense.needsFEnd ? probe(zero, zero, -1, one) : new Float64Array(width));
  bases.set(tableau, rows);
  return rows;
}

const horner = (c: Float64Array, theta: number): number => {
  let acc = c[c.length - 1];
  for (let r = c.length - 2; r >= 0; r--) acc = acc * theta + c[r];
  return acc;
};

/** Number of extra dense stages of a tableau's interpolant (0 but for DOP853's 3). */
const extraCount = (tableau: Tableau): number => tableau.dense.extraStages?.c.length ?? 0;

/**
 * Dense-output weights of one step with stage factor w at θ: y(θ) = wy·y_n + wY·y_{n+1} + Σ wk_i k_i + wF·f_{n+1},
 * the sum over the s stages and the interpolant's extra stages. Writes wk (length s + extras); returns [wy, wY, wF].
 */
export function denseWeights(tableau: Tableau, w: number, theta: number, wk: Float64Array, out3: Float64Array): Float64Array {
  const rows = basisOf(tableau), n = tableau.stages + extraCount(tableau);
  for (let i = 0; i < n; i++) wk[i] = w * horner(rows[2 + i], theta);
  out3[0] = horner(rows[0], theta); out3[1] = horner(rows[1], theta); out3[2] = w * horner(rows[2 + n], theta);
  return out3;
}

/** The discrete adjoint of erkStep (see the file header). */
export class ErkPullback implements StepPullback {
  readonly cot: Float64Array[];
  readonly recordLength: number;
  vjps = 0;
  nfe = 0;
  private readonly d: number;
  private readonly s: number;
  private readonly dy: Float64Array;
  private readonly kExtra: Float64Array[];
  private readonly Ybar: Float64Array[];
  private readonly kbar: Float64Array;
  private readonly Y: Float64Array;
  private readonly fEndBar: Float64Array;
  private readonly scratch: Float64Array;
  private readonly yExtra: Float64Array;
  private readonly yRec: Float64Array;
  private readonly yNext: Float64Array;
  private readonly kRec: Float64Array[];
  private readonly wk: Float64Array;
  /** The interpolant's extra stages (DOP853): their count, cotangents, values and inputs during a pullback. */
  private readonly e: number;
  private readonly keBar: Float64Array[];
  private readonly ke: Float64Array[];
  private readonly Ye: Float64Array[];
  private extrasUsed = false;
  private readonly w3 = new Float64Array(3);
  private readonly field: VectorField | null;
  /** Whether recompute evaluates the FSAL stage k_s (needed only when saves inside the step read it). */
  keepFsal = true;
  /** Whether the stages to pull back through are in the tape slots (recompute) or in kRec (restore). */
  private taped = false;

  constructor(private readonly tableau: Tableau, private readonly ws: ErkWorkspace) {
    const d = ws.dim, s = tableau.stages;
    this.d = d; this.s = s; this.field = ws.field;
    this.dy = new Float64Array(d);
    this.cot = [this.dy];
    this.recordLength = d * (s + 1);
    this.kExtra = Array.from({ length: s }, () => new Float64Array(d));
    this.Ybar = Array.from({ length: s }, () => new Float64Array(d));
    this.kRec = Array.from({ length: s }, () => new Float64Array(d));
    this.kbar = new Float64Array(d); this.Y = new Float64Array(d);
    this.fEndBar = new Float64Array(d); this.scratch = new Float64Array(d); this.yExtra = new Float64Array(d);
    this.yRec = new Float64Array(d); this.yNext = new Float64Array(d);
    this.e = extraCount(tableau);
    this.wk = new Float64Array(s + this.e);
    this.keBar = Array.from({ length: this.e }, () => new Float64Array(d));
    this.ke = Array.from({ length: this.e }, () => new Float64Array(d));
    this.Ye = Array.from({ length: this.e }, () => new Float64Array(d));
  }

  get bytes(): number { return 8 * this.d * (3 * this.s + 8); }

  reset(): void {
    this.dy.fill(0); this.yExtra.fill(0); this.fEndBar.fill(0);
    for (const a of this.kExtra) a.fill(0);
    for (const a of this.keBar) a.fill(0);
    this.extrasUsed = false;
    this.vjps = 0; this.nfe = 0;
  }

  finish(dY0: Float64Array): void { dY0.set(this.dy); }

  /** Adds v to the cotangent of stage i of the next pullbackStep (a use of k_i outside the step, e.g. VCAB3's history). */
  addStageCotangent(i: number, v: Readonly<Float64Array>): void {
    const ke = this.kExtra[i];
    for (let m = 0; m < this.d; m++) ke[m] += v[m];
  }

  record(out: Float64Array, offset: number, y: Readonly<Float64Array>): void {
    const d = this.d, k = this.ws.k;
    out.set(y, offset);
    for (let i = 0; i < this.s; i++) out.set(k[i], offset + (i + 1) * d);
  }

  restore(buf: Readonly<Float64Array>, offset: number): void {
    const d = this.d;
    for (let m = 0; m < d; m++) this.yRec[m] = buf[offset + m];
    for (let i = 0; i < this.s; i++) {
      const ki = this.kRec[i], off = offset + (i + 1) * d;
      for (let m = 0; m < d; m++) ki[m] = buf[off + m];
    }
    this.taped = false;
  }

  /** A re-advance (no tape, no error estimate, FSAL stage skipped): state ← the state after step (t, h). */
  advance(t: number, h: number, state: Float64Array, params: Readonly<Float64Array>, restart = false): void {
    const ws = this.ws;
    ws.k1Valid = false; ws.taped = false; ws.skipFsalEval = true; ws.nudgeStage0 = restart;
    this.nfe += erkStep(this.yNext, null, this.tableau, t, h, state, params, ws);
    ws.skipFsalEval = false; ws.nudgeStage0 = false;
    state.set(this.yNext);
  }

  recompute(t: number, h: number, state: Readonly<Float64Array>, params: Readonly<Float64Array>, stateOut: Float64Array | null, restart = false): void {
    const ws = this.ws;
    ensureTapes(ws);
    ws.k1Valid = false; ws.taped = true; ws.skipFsalEval = !this.keepFsal; ws.nudgeStage0 = restart;
    this.yRec.set(state);
    this.nfe += erkStep(this.yNext, null, this.tableau, t, h, this.yRec, params, ws);
    ws.taped = false; ws.k1Valid = false; ws.nudgeStage0 = false;
    if (stateOut !== null) stateOut.set(this.yNext);
    this.taped = true;
  }

  pullbackStep(n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array,
    schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    const tab = this.tableau, ws = this.ws;
    const w = this.field !== null ? h : 1;
    if (this.field === null) ws.term.control(ws.control, t, t + h);
    const k = this.taped ? ws.k : this.kRec;
    const fsalFold = tab.fsal && this.field !== null;
    // Step n's saves reach k_s through k_1 of step n + 1 when that step continues from the same point.
    const fold = fsalFold && n < schedule.steps - 1 && !schedule.restartAt(n + 1);
    const mids = schedule.inStep(n);
    let needF = false;
    if (mids.length > 0) needF = this.addMidSaves(mids, dYs, w, fold);
    // Saves of step n − 1, folded into this step's k_1.
    if (fsalFold && n > 0 && !schedule.restartAt(n)) {
      const before = schedule.inStep(n - 1);
      if (before.length > 0) this.carryFsal(before, dYs, schedule.stepSize(n - 1));
    }
    if (needF) this.pullbackFEnd(t, h, w, k, params, dParams);
    if (this.extrasUsed) this.pullbackExtras(t, h, w, k, params, dParams);
    // After a restart at a tstop the forward took stage 1 one ulp past the stop (the far side of a jump of f).
    this.pullbackStages(t, h, w, k, params, dParams, schedule.restartAt(n) ? justAfter(t, h >= 0 ? 1 : -1) : t);
  }

  /** Cotangents of saves inside the step onto ȳ_{n+1}, k̄_i, f̄_{n+1} and ȳ_n. Returns whether f_{n+1} got one. */
  private addMidSaves(saves: readonly SaveInStep[], dYs: Readonly<Float64Array>, w: number, foldFsal: boolean): boolean {
    const d = this.d, s = foldFsal ? this.s - 1 : this.s, wk = this.wk, w3 = this.w3;
    let needF = false;
    for (const sv of saves) {
      denseWeights(this.tableau, w, sv.theta, wk, w3);
      const off = sv.index * d, wy = w3[0], wY = w3[1], wF = w3[2];
      for (let m = 0; m < d; m++) {
        const g = dYs[off + m];
        this.dy[m] += wY * g;
        this.yExtra[m] += wy * g;
      }
      for (let i = 0; i < s; i++) {
        const wi = wk[i];
        if (wi === 0) continue;
        const ke = this.kExtra[i];
        for (let m = 0; m < d; m++) ke[m] += wi * dYs[off + m];
      }
      for (let j = 0; j < this.e; j++) {
        const wj = wk[this.s + j];
        if (wj === 0) continue;
        this.extrasUsed = true;
        const kb = this.keBar[j];
        for (let m = 0; m < d; m++) kb[m] += wj * dYs[off + m];
      }
      if (wF !== 0) {
        needF = true;
        for (let m = 0; m < d; m++) this.fEndBar[m] += wF * dYs[off + m];
      }
    }
    return needF;
  }

  /** The FSAL fold: the k_s weights of step n − 1's saves (step size hPrev) go onto this step's k_1. */
  private carryFsal(saves: readonly SaveInStep[], dYs: Readonly<Float64Array>, hPrev: number): void {
    const d = this.d, last = this.s - 1, ke = this.kExtra[0], wk = this.wk;
    for (const sv of saves) {
      denseWeights(this.tableau, hPrev, sv.theta, wk, this.w3);
      const wl = wk[last], off = sv.index * d;
      if (wl === 0) continue;
      for (let m = 0; m < d; m++) ke[m] += wl * dYs[off + m];
    }
  }

  /** Pulls the f_{n+1} cotangent (non-FSAL Hermite saves) through the field at (t + h, y_{n+1}) into ȳ_{n+1}. */
  private pullbackFEnd(t: number, h: number, w: number, k: readonly Float64Array[], params: Readonly<Float64Array>, dParams: Float64Array): void {
    const yNext = erkSolution(this.yNext, this.tableau, w, this.yRec, k);
    if (this.field !== null) this.field.vjp!(this.scratch, dParams, this.fEndBar, t + h, yNext, params as Float64Array);
    else this.ws.term.vfProdVjp(this.scratch, dParams, this.fEndBar, t + h, yNext, params, this.ws.control);
    this.vjps++;
    const dy = this.dy;
    for (let m = 0; m < this.d; m++) dy[m] += this.scratch[m];
    this.fEndBar.fill(0);
  }

  /**
   * Pulls the cotangents of the interpolant's extra stages (DOP853's k_14 … k_16: k_e,j = f(t + c_j h, Y_e,j) with
   * Y_e,j = y_n + w Σ_i a_ji k_i over the stages and the earlier extras) back onto y_n and the stages: the extras are
   * recomputed (their inputs need the earlier extras' values), then VJPs in reverse order.
   */
  private pullbackExtras(t: number, h: number, w: number, k: readonly Float64Array[], params: Readonly<Float64Array>, dParams: Float64Array): void {
    const ex = this.tableau.dense.extraStages!, s = this.s, d = this.d, f = this.field, ws = this.ws, y = this.yRec;
    const at = (i: number): Readonly<Float64Array> => (i < s ? k[i] : this.ke[i - s]);
    for (let j = 0; j < this.e; j++) {
      const row = ex.a[j], Y = this.Ye[j];
      Y.fill(0);
      for (let i = 0; i < s + j; i++) { const a = row[i]; if (a === 0) continue; const ki = at(i); for (let m = 0; m < d; m++) Y[m] += a * ki[m]; }
      for (let m = 0; m < d; m++) Y[m] = y[m] + w * Y[m];
      if (j < this.e - 1) {
        if (f !== null) f.eval(this.ke[j], t + ex.c[j] * h, Y, params as Float64Array);
        else ws.term.vfProd(this.ke[j], t + ex.c[j] * h, Y, params, ws.control);
        this.nfe++;
      }
    }
    const Yb = this.scratch, ye = this.yExtra;
    for (let j = this.e - 1; j >= 0; j--) {
      const kb = this.keBar[j], row = ex.a[j];
      if (f !== null) f.vjp!(Yb, dParams, kb, t + ex.c[j] * h, this.Ye[j], params as Float64Array);
      else ws.term.vfProdVjp(Yb, dParams, kb, t + ex.c[j] * h, this.Ye[j], params, ws.control);
      this.vjps++;
      for (let m = 0; m < d; m++) ye[m] += Yb[m];
      for (let i = 0; i < s + j; i++) {
        const wa = w * row[i];
        if (wa === 0) continue;
        const target = i < s ? this.kExtra[i] : this.keBar[i - s];
        for (let m = 0; m < d; m++) target[m] += wa * Yb[m];
      }
      kb.fill(0);
    }
    this.extrasUsed = false;
  }

  /** The stage loop of the adjoint step (file header). */
  private pullbackStages(t: number, h: number, w: number, k: readonly Float64Array[], params: Readonly<Float64Array>, dParams: Float64Array, t1: number): void {
    const tab = this.tableau, s = this.s, d = this.d, a = tab.a, b = tab.b, c = tab.c;
    const dy = this.dy, kbar = this.kbar, Ybar = this.Ybar, ws = this.ws, f = this.field;
    const taped = this.taped;
    for (let i = s - 1; i >= 0; i--) {
      // k̄_i = w b_i ȳ + Σ_{j>i} w a_ji Ȳ_j + extras.
      const wb = w * b[i], ke = this.kExtra[i];
      let any = false;
      for (let m = 0; m < d; m++) { const v = wb * dy[m] + ke[m]; kbar[m] = v; if (v !== 0) any = true; }
      for (let j = i + 1; j < s; j++) {
        const wa = w * a[j][i];
        if (wa === 0) continue;
        const Yj = Ybar[j];
        for (let m = 0; m < d; m++) { const v = kbar[m] + wa * Yj[m]; kbar[m] = v; if (v !== 0) any = true; }
      }
      ke.fill(0);
      if (!any) { Ybar[i].fill(0); continue; }
      if (taped) {
        if (f !== null) (ws.fieldTape as FieldTape).vjp(i, Ybar[i], dParams, kbar);
        else (ws.termTape as TermTape).vjp(i, Ybar[i], dParams, kbar);
      } else {
        const Yi = i === 0 ? this.yRec : erkStageInput(this.Y, tab, i, w, this.yRec, k);
        const ti = i === 0 ? t1 : t + c[i] * h;
        if (f !== null) f.vjp!(Ybar[i], dParams, kbar, ti, Yi, params as Float64Array);
        else ws.term.vfProdVjp(Ybar[i], dParams, kbar, ti, Yi, params, ws.control);
      }
      this.vjps++;
    }
    // ȳ_n = ȳ_{n+1} + Σ Ȳ_i + dense-output terms on y_n.
    const ye = this.yExtra;
    for (let m = 0; m < d; m++) {
      let acc = dy[m] + ye[m];
      for (let i = 0; i < s; i++) acc += Ybar[i][m];
      dy[m] = acc;
    }
    ye.fill(0);
  }
}
