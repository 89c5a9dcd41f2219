/**
 * The discrete adjoint of one explicit Runge–Kutta step (adjoints.md §1, Hager's adjoint RK written as reverse-mode
 * AD of the step). Forward: Y_i = y_n + h Σ_{j<i} a_ij k_j, k_i = f(t_n + c_i h, Y_i), y_{n+1} = y_n + h Σ b_i k_i.
 * Given ȳ_{n+1}, for i = s … 1:
 *     k̄_i = h b_i ȳ_{n+1} + h Σ_{j>i} a_ji Ȳ_j (+ dense-output terms),   (Ȳ_i, θ̄_i) = VJP_f(t_n + c_i h, Y_i; k̄_i)
 * then ȳ_n = ȳ_{n+1} + Σ_i Ȳ_i and θ̄ += Σ_i θ̄_i. A stage whose k̄_i is exactly zero (the FSAL stage of DP5/Tsit5/BS3,
 * which only feeds the error estimate) needs no VJP. Shared by the direct, revolve and online-checkpoint methods.
 */
import type { VectorField, FieldTape } from '../core/field.ts';
import type { Tableau } from '../solvers/tableau.ts';
import { erkStageInput } from '../solvers/erk.ts';
import type { MidSave } from './save-plan.ts';

export class StepAdjoint {
  readonly dim: number;
  /** Running cotangent ȳ: holds ȳ_{n+1} before pullback(), ȳ_n after. */
  readonly dy: Float64Array;
  /** Extra cotangents on k_i from saves inside the step (zeroed after each pullback). */
  private readonly kExtra: Float64Array[];
  private readonly Ybar: Float64Array[];
  private readonly kbar: Float64Array;
  private readonly Y: Float64Array;
  private readonly fEndBar: Float64Array;
  private readonly scratch: Float64Array;
  private readonly yExtra: Float64Array;
  vjpCount = 0;
  private readonly tableau: Tableau;
  private readonly field: VectorField;

  constructor(field: VectorField, tableau: Tableau) {
    const d = field.dim, s = tableau.stages;
    this.dim = d; this.field = field; this.tableau = tableau;
    this.dy = new Float64Array(d);
    this.kExtra = Array.from({ length: s }, () => new Float64Array(d));
    this.Ybar = Array.from({ length: s }, () => new Float64Array(d));
    this.kbar = new Float64Array(d); this.Y = new Float64Array(d);
    this.fEndBar = new Float64Array(d); this.scratch = new Float64Array(d); this.yExtra = new Float64Array(d);
  }

  /** Bytes of this pullback's scratch (s + s + 5 vectors). */
  get bytes(): number { return 8 * this.dim * (2 * this.tableau.stages + 6); }

  /** Adds a point cotangent g (a saved output at the current grid point) into ȳ. */
  addPoint(g: Readonly<Float64Array>, offset: number): void {
    const dy = this.dy, d = this.dim;
    for (let m = 0; m < d; m++) dy[m] += g[offset + m];
  }

  /**
   * Registers the saves inside the step about to be pulled back: their cotangents g (rows of dYs at offset
   * index·dim) enter ȳ_{n+1}, k̄_i, f_{n+1} and ȳ_n through the dense-output weights. Returns true if f_{n+1}
   * (non-FSAL Hermite) received a cotangent, which the caller pulls back with pullbackFEnd.
   */
  addMidSaves(saves: readonly MidSave[], dYs: Readonly<Float64Array>, foldFsal = false): boolean {
    const d = this.dim, s = foldFsal ? this.tableau.stages - 1 : this.tableau.stages;
    let needF = false;
    for (const sv of saves) {
      const off = sv.index * d;
      for (let m = 0; m < d; m++) {
        const g = dYs[off + m];
        this.dy[m] += sv.wY * g;
        this.yExtra[m] += sv.wy * g;
      }
      for (let i = 0; i < s; i++) {
        const w = sv.wk[i];
        if (w === 0) continue;
        const ke = this.kExtra[i];
        for (let m = 0; m < d; m++) ke[m] += w * dYs[off + m];
      }
      if (sv.wF !== 0) {
        needF = true;
        for (let m = 0; m < d; m++) this.fEndBar[m] += sv.wF * dYs[off + m];
      }
    }
    return needF;
  }

  /**
   * FSAL fold (adjoints.md §1): k_s of step n is f(t_{n+1}, y_{n+1}) = k_1 of step n + 1, so the dense-output
   * cotangent that step n's saves put on k_s can go onto k_1 of step n + 1, whose VJP is taken anyway. Call this
   * while pulling back step n + 1 with step n's saves, and addMidSaves(…, foldFsal = true) for step n.
   */
  carryFsal(saves: readonly MidSave[], dYs: Readonly<Float64Array>): void {
    const d = this.dim, last = this.tableau.stages - 1, ke = this.kExtra[0];
    for (const sv of saves) {
      const w = sv.wk[last], off = sv.index * d;
      if (w === 0) continue;
      for (let m = 0; m < d; m++) ke[m] += w * dYs[off + m];
    }
  }

  /** Pulls the f_{n+1} cotangent (from addMidSaves) through f at (t_{n+1}, y_{n+1}) into ȳ_{n+1}. */
  pullbackFEnd(tNext: number, yNext: Float64Array, params: Float64Array, dParams: Float64Array): void {
    this.field.vjp!(this.scratch, dParams, this.fEndBar, tNext, yNext, params);
    this.vjpCount++;
    const dy = this.dy;
    for (let m = 0; m < this.dim; m++) dy[m] += this.scratch[m];
    this.fEndBar.fill(0);
  }

  /**
   * Like pullback, for a step whose stage i was just evaluated into slot i of `tape` (erkStep through a SlotField):
   * the VJPs reuse the slots' activations instead of re-evaluating f at recomputed stage inputs.
   */
  pullbackTaped(h: number, tape: FieldTape, dParams: Float64Array): void {
    const tab = this.tableau, s = tab.stages, d = this.dim, a = tab.a, b = tab.b;
    const dy = this.dy, kbar = this.kbar, Ybar = this.Ybar;
    for (let i = s - 1; i >= 0; i--) {
      if (!this.stageCotangent(i, h, a, b, s, d, dy, kbar, Ybar)) { Ybar[i].fill(0); continue; }
      tape.vjp(i, Ybar[i], dParams, kbar);
      this.vjpCount++;
    }
    this.finishStep(s, d, dy, Ybar);
  }

  /** k̄_i = h b_i ȳ + Σ_{j>i} h a_ji Ȳ_j + extras; returns whether it is nonzero. */
  private stageCotangent(i: number, h: number, a: readonly Float64Array[], b: Float64Array, s: number, d: number,
    dy: Float64Array, kbar: Float64Array, Ybar: Float64Array[]): boolean {
    const hb = h * b[i], ke = this.kExtra[i];
    let any = false;
    for (let m = 0; m < d; m++) { const v = hb * dy[m] + ke[m]; kbar[m] = v; if (v !== 0) any = true; }
    for (let j = i + 1; j < s; j++) {
      const w = h * a[j][i];
      if (w === 0) continue;
      const Yj = Ybar[j];
      for (let m = 0; m < d; m++) { const v = kbar[m] + w * Yj[m]; kbar[m] = v; if (v !== 0) any = true; }
    }
    ke.fill(0);
    return any;
  }

  /** ȳ_n = ȳ_{n+1} + Σ Ȳ_i + dense-output terms on y_n. */
  private finishStep(s: number, d: number, dy: Float64Array, Ybar: Float64Array[]): void {
    const ye = this.yExtra;
    for (let m = 0; m < d; m++) {
      let acc = dy[m] + ye[m];
      for (let i = 0; i < s; i++) acc += Ybar[i][m];
      dy[m] = acc;
    }
    ye.fill(0);
  }

  /**
   * ȳ ← ȳ_n from ȳ_{n+1} for the step (t, h) from y with stages k (exactly as erkStep computed them), accumulating
   * ∂L/∂params into dParams.
   */
  pullback(t: number, h: number, y: Float64Array, k: readonly Float64Array[], params: Float64Array, dParams: Float64Array): void {
    const tab = this.tableau, s = tab.stages, d = this.dim, a = tab.a, b = tab.b, c = tab.c;
    const dy = this.dy, kbar = this.kbar, Ybar = this.Ybar;
    for (let i = s - 1; i >= 0; i--) {
      if (!this.stageCotangent(i, h, a, b, s, d, dy, kbar, Ybar)) { Ybar[i].fill(0); continue; }
      const Yi = i === 0 ? y : erkStageInput(this.Y, tab, i, h, y, k);
      this.field.vjp!(Ybar[i], dParams, kbar, t + c[i] * h, Yi, params);
      this.vjpCount++;
    }
    this.finishStep(s, d, dy, Ybar);
  }
}
