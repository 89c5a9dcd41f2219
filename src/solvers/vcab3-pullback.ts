/**
 * The discrete adjoint of VCAB3 (solvers/vcab3.ts). Every history entry is f_j = f(t_j, y_j), so an Adams step
 *     y_{n+1} = y_n + w0 f_n + w1 f_{n−1} + w2 f_{n−2}      (Lagrange weights of vcab3Weights(h, h1, h2))
 * makes y_{n+1} depend on y_n, y_{n−1} and y_{n−2} through f. Going backward, the cotangents of f_n, f_{n−1}, f_{n−2}
 * are accumulated from every step that uses them; when step n is reached, f_n's cotangent is complete (only steps
 * n, n + 1, n + 2 use it), so it is pulled back through f at (t_n, y_n) into ȳ_n, and the window shifts. The Bogacki–
 * Shampine start-up steps are pulled back as RK steps (erk-pullback.ts) with f_n's accumulated cotangent added to
 * their k_1 = f(t_n, y_n). Saves inside a step come from the cubic Hermite interpolant on (y_n, y_{n+1}, f_n, f_{n+1});
 * the f_{n+1} part is added when step n + 1 completes f_{n+1}'s cotangent (or pulled back at once for the last step).
 * At a tstop the solver restarts (fresh history), so no cotangent crosses it. Direct only: a stored y does not restart
 * an Adams step (its history is part of the state), so checkpointing is refused.
 */
import { TideError } from '../core/errors.ts';
import type { VectorField } from '../core/field.ts';
import type { SaveInStep, SaveSchedule, StepPullback } from './solver.ts';
import { ErkPullback } from './erk-pullback.ts';
import { bs3 } from './tableaus/bs3.ts';
import { vcab3Weights, type Vcab3Workspace } from './vcab3.ts';

const NONE: readonly never[] = Object.freeze([]);
const NO_SAVES: SaveSchedule = { steps: 0, atPoint: () => NONE, inStep: () => NONE, restartAt: () => false, stepSize: () => 0 };
/** The same for a start-up step right after a restart at a tstop (its k_1 was taken one ulp past the stop). */
const AT_RESTART: SaveSchedule = { ...NO_SAVES, restartAt: () => true };

/** Record layout: [adams (1/0), h1, h2] then y_n, y_{n+1} and four d-vectors (BS3 stages, or f_n for an Adams step). */
export class Vcab3Pullback implements StepPullback {
  readonly cot: Float64Array[];
  readonly recordLength: number;
  private readonly d: number;
  private readonly field: VectorField;
  private readonly erk: ErkPullback;
  private readonly yn: Float64Array; private readonly yNext: Float64Array; private readonly fn: Float64Array;
  private readonly fb: Float64Array[];
  private readonly scratch: Float64Array;
  private readonly v: Float64Array;
  private readonly w = new Float64Array(3);
  private adams = false; private h1 = 0; private h2 = 0;
  private vjps_ = 0;
  private readonly erkRecord: Float64Array;
  private readonly hw = new Float64Array(4);
  constructor(private readonly ws: Vcab3Workspace) {
    const d = ws.dim;
    this.d = d; this.field = ws.field;
    this.cot = [new Float64Array(d)];
    this.recordLength = 3 + 6 * d;
    this.erk = new ErkPullback(bs3, ws.bs3);
    this.yn = new Float64Array(d); this.yNext = new Float64Array(d); this.fn = new Float64Array(d);
    this.fb = [new Float64Array(d), new Float64Array(d), new Float64Array(d)];
    this.scratch = new Float64Array(d);
    this.v = new Float64Array(d);
    this.erkRecord = new Float64Array(5 * d);
  }
  get vjps(): number { return this.vjps_ + this.erk.vjps; }
  get nfe(): number { return this.erk.nfe; }
  get bytes(): number { return 8 * this.d * 12 + this.erk.bytes; }
  reset(): void { this.cot[0].fill(0); for (const f of this.fb) f.fill(0); this.vjps_ = 0; this.erk.reset(); }
  record(out: Float64Array, offset: number, y: Readonly<Float64Array>, yNew: Readonly<Float64Array>): void {
    const d = this.d, ws = this.ws;
    out[offset] = ws.lastAdams ? 1 : 0; out[offset + 1] = ws.hHist[0]; out[offset + 2] = ws.hHist[1];
    out.set(y, offset + 3); out.set(yNew, offset + 3 + d);
    if (ws.lastAdams) out.set(ws.f[0], offset + 3 + 2 * d);
    else for (let i = 0; i < 4; i++) out.set(ws.bs3.k[i], offset + 3 + (2 + i) * d);
  }
  restore(buf: Readonly<Float64Array>, offset: number): void {
    const d = this.d;
    this.adams = buf[offset] === 1; this.h1 = buf[offset + 1]; this.h2 = buf[offset + 2];
    for (let m = 0; m < d; m++) { this.yn[m] = buf[offset + 3 + m]; this.yNext[m] = buf[offset + 3 + d + m]; this.fn[m] = buf[offset + 3 + 2 * d + m]; }
    // The BS3 pullback reads y_n and its stages from an ERK record: [y_n, k1 … k4] starts at offset + 3 + 2d − d.
    if (!this.adams) { this.erkRecord.set(buf.subarray(offset + 3, offset + 3 + d), 0); this.erkRecord.set(buf.subarray(offset + 3 + 2 * d, offset + 3 + 6 * d), d); this.erk.restore(this.erkRecord, 0); }
  }
  advance(): void { throw this.noCheckpoints(); }
  recompute(): void { throw this.noCheckpoints(); }
  private noCheckpoints(): TideError {
    return new TideError('BAD_OPTION', 'vcab3: its state includes the Adams history, so checkpointing methods cannot restart it from a stored y; use gradient \'direct\', \'backsolve\' or \'interpolated\' with vcab3.', { option: 'gradient' });
  }
  /** Hermite weights of a save at θ: [y_n, y_{n+1}, h·f_n, h·f_{n+1}] (dense/hermite.ts). */
  private static hermite(theta: number, out: Float64Array): Float64Array {
    const t2 = theta * theta, t3 = t2 * theta;
    out[0] = 1 - 3 * t2 + 2 * t3; out[1] = 3 * t2 - 2 * t3; out[2] = theta - 2 * t2 + t3; out[3] = t3 - t2;
    return out;
  }
  /** Adds the f_{n+1} cotangents of step n's saves (step size h) into acc. */
  private addFEnd(saves: readonly SaveInStep[], h: number, dYs: Readonly<Float64Array>, acc: Float64Array): boolean {
    let any = false;
    for (const sv of saves) {
      const c = h * Vcab3Pullback.hermite(sv.theta, this.hw)[3], off = sv.index * this.d;
      if (c === 0) continue;
      any = true;
      for (let m = 0; m < this.d; m++) acc[m] += c * dYs[off + m];
    }
    return any;
  }
  pullbackStep(n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array, schedule: SaveSchedule, dYs: Readonly<Float64Array>): void {
    const d = this.d, ybar = this.cot[0], fb = this.fb;
    const saves = schedule.inStep(n);
    // The last step (or one before a restart): f_{n+1} has no later step to complete its cotangent, so pull it now.
    if (n === schedule.steps - 1 || schedule.restartAt(n + 1)) {
      this.scratch.fill(0);
      if (this.addFEnd(saves, h, dYs, this.scratch)) {
        this.v.set(this.scratch);
        this.field.vjp!(this.scratch, dParams, this.v, t + h, this.yNext, params as Float64Array); this.vjps_++;
        for (let m = 0; m < d; m++) ybar[m] += this.scratch[m];
      }
      for (const f of fb) f.fill(0);
    }
    // Saves inside the step: y_n and y_{n+1} parts now; f_n's part into its accumulator.
    const yExtra = this.scratch; yExtra.fill(0);
    for (const sv of saves) {
      const w = Vcab3Pullback.hermite(sv.theta, this.hw), off = sv.index * d;
      for (let m = 0; m < d; m++) { const g = dYs[off + m]; ybar[m] += w[1] * g; yExtra[m] += w[0] * g; fb[0][m] += h * w[2] * g; }
    }
    if (this.adams) {
      vcab3Weights(this.w, h, this.h1, this.h2);
      const [w0, w1, w2] = this.w;
      for (let m = 0; m < d; m++) { const g = ybar[m]; fb[0][m] += w0 * g; fb[1][m] += w1 * g; fb[2][m] += w2 * g; }
      // f_n is complete: pull it through f at (t_n, y_n).
      this.field.vjp!(this.fn, dParams, fb[0], t, this.yn, params as Float64Array); this.vjps_++;
      for (let m = 0; m < d; m++) ybar[m] += this.fn[m] + yExtra[m];
    } else {
      // A BS3 start-up step: f_n = k_1, so its accumulated cotangent joins k̄_1.
      this.erk.cot[0].set(ybar);
      this.erk.addStageCotangent(0, fb[0]);
      this.erk.pullbackStep(0, t, h, params, dParams, schedule.restartAt(n) ? AT_RESTART : NO_SAVES, dYs);
      for (let m = 0; m < d; m++) ybar[m] = this.erk.cot[0][m] + yExtra[m];
    }
    // Step n − 1's saves put a cotangent on f_n, which is complete now only if step n − 1 continues into this one.
    if (n > 0 && !schedule.restartAt(n)) {
      const prev = schedule.inStep(n - 1);
      if (prev.length > 0) {
        this.scratch.fill(0);
        if (this.addFEnd(prev, schedule.stepSize(n - 1), dYs, this.scratch)) {
          this.v.set(this.scratch);
          this.field.vjp!(this.scratch, dParams, this.v, t, this.yn, params as Float64Array); this.vjps_++;
          for (let m = 0; m < d; m++) ybar[m] += this.scratch[m];
        }
      }
    }
    // Shift the window: f_{n−1} becomes the next step's f_n.
    const tmp = fb[0]; fb[0] = fb[1]; fb[1] = fb[2]; fb[2] = tmp; fb[2].fill(0);
  }
  finish(dY0: Float64Array): void { dY0.set(this.cot[0]); }
}
