/**
 * The result of a solve: saved times and states (one flat Float64Array, a row per save), the dense output when
 * asked for, statistics, accepted step sizes, and how the solve ended.
 */
import { TideError } from '../core/errors.ts';
import { evalDense } from '../solvers/dense/polynomial.ts';
import type { SolveStats } from './stats.ts';
import type { EventInfo } from './events.ts';

/**
 * How a solve ended. 'success': reached t1; 'event': an event function crossed zero; 'steady-state': ‖f‖ fell
 * below the steady-state threshold; the rest are failures (returned only with `throwOnFailure: false`).
 */
export type SolveStatus = 'success' | 'event' | 'steady-state' | 'max-steps' | 'step-underflow' | 'nonfinite';

/** A solve's output. Arrays are owned by the solution; `y(i)` returns views into `ys`. */
export interface Solution {
  /** How the solve ended. */
  readonly status: SolveStatus;
  /** True unless the status is a failure. */
  readonly ok: boolean;
  /** The method that ran ('tsit5'). */
  readonly method: string;
  /** Saved times, in the order of integration. */
  readonly ts: Float64Array;
  /** Saved states: row i (length dim) is the state at ts[i]. */
  readonly ys: Float64Array;
  /** Length of one state. */
  readonly dim: number;
  /** The `shape` option ([batch, dim]) if given, else [dim]. */
  readonly shape: readonly number[];
  /** Number of saved rows (ts.length). */
  readonly count: number;
  /** Time the solve stopped at: t1 on success, the event time, the steady-state time, or where it failed. */
  readonly tFinal: number;
  /** State at tFinal (a copy). */
  readonly yFinal: Float64Array;
  /** Statistics (NFE, accepted, rejected, attempted). */
  readonly stats: SolveStats;
  /** Accepted step sizes, signed (negative for a backward solve), in order. */
  readonly stepSizes: Float64Array;
  /**
   * The signed step size the controller proposed after the last attempt (NaN if no step was taken). Passing it as
   * `stepSize` to a solve that continues from tFinal skips the initial-step guess (the adjoint solves do this).
   */
  readonly nextStepSize: number;
  /** The event that stopped the solve, or null. */
  readonly event: EventInfo | null;
  /** The failure, when the solve failed with `throwOnFailure: false`; else null. */
  readonly error: TideError | null;
  /** Whether `evaluate` works (saveAt.dense). */
  readonly dense: boolean;
  /** Row i of ys as a view (no copy). @throws TideError('BAD_ARGUMENT') if i is not a row index. */
  y(i: number): Float64Array;
  /**
   * The dense output at time t (anywhere in the solved interval [t0, tFinal]), written into out (length dim,
   * allocated if absent). Exact at step ends; between them, the solver's interpolant (Tsit5/DP5: 4th order,
   * Hermite: 3rd order).
   * @throws TideError('BAD_OPTION') if the solve did not keep dense output (use saveAt: { dense: true }),
   *   TideError('BAD_ARGUMENT') if t is outside the solved interval.
   */
  evaluate(t: number, out?: Float64Array): Float64Array;
}

/** A Float64Array that grows by doubling: amortised O(1) appends, a handful of allocations per solve. */
export class GrowableBuffer {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(4, capacity));
  }
  /** Makes room for `extra` more numbers. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < need) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
  /** Appends all of src. */
  pushAll(src: Readonly<Float64Array>): void {
    this.reserve(src.length);
    this.data.set(src, this.length);
    this.length += src.length;
  }
  /** The filled part, as a view (valid until the next append that grows the buffer). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
  /** Bytes reserved, for memory reports. */
  get bytes(): number {
    return this.data.byteLength;
  }
  /** A trimmed copy. */
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
  /**
   * The filled part for a caller that is done with the buffer: the storage itself when it is exactly full (no
   * copy; the buffer must not be appended to afterwards), else a trimmed copy.
   */
  take(): Float64Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

/** Saved rows (times and states) of a solve in progress. */
export class SaveBuffer {
  readonly ts: GrowableBuffer;
  readonly ys: GrowableBuffer;
  constructor(readonly dim: number, rows: number) {
    this.ts = new GrowableBuffer(rows);
    this.ys = new GrowableBuffer(rows * dim);
  }
  push(t: number, y: Readonly<Float64Array>): void {
    this.ts.push(t);
    this.ys.pushAll(y);
  }
  /**
   * Appends a row at time t whose state the caller writes in place: returns the offset of its dim numbers in
   * `ys.data` (valid until the next append).
   */
  pushSlot(t: number): number {
    this.ts.push(t);
    const ys = this.ys;
    ys.reserve(this.dim);
    const off = ys.length;
    ys.length += this.dim;
    return off;
  }
}

/** Every accepted step's interpolant: start time, step, packed coefficients (width·dim per step). */
export class DenseStore {
  readonly tStart = new GrowableBuffer(64);
  readonly h = new GrowableBuffer(64);
  readonly coef: GrowableBuffer;
  constructor(readonly dim: number, readonly width: number) {
    this.coef = new GrowableBuffer(64 * width * dim);
  }
  push(t: number, h: number, coef: Readonly<Float64Array>): void {
    this.tStart.push(t);
    this.h.push(h);
    this.coef.pushAll(coef);
  }
}

/** Arguments of the solution constructor (from the loop). */
export interface SolutionParts {
  status: SolveStatus;
  method: string;
  saves: SaveBuffer;
  shape: readonly number[];
  t0: number;
  tFinal: number;
  yFinal: Float64Array;
  stats: SolveStats;
  stepSizes: GrowableBuffer;
  nextStepSize: number;
  event: EventInfo | null;
  error: TideError | null;
  dense: DenseStore | null;
}

/** The Solution implementation returned by `solve`. */
export class OdeSolution implements Solution {
  readonly status: SolveStatus;
  readonly ok: boolean;
  readonly method: string;
  readonly ts: Float64Array;
  readonly ys: Float64Array;
  readonly dim: number;
  readonly shape: readonly number[];
  readonly count: number;
  readonly tFinal: number;
  readonly yFinal: Float64Array;
  readonly stats: SolveStats;
  readonly stepSizes: Float64Array;
  readonly nextStepSize: number;
  readonly event: EventInfo | null;
  readonly error: TideError | null;
  readonly dense: boolean;
  private readonly t0: number;
  private readonly denseT: Float64Array;
  private readonly denseH: Float64Array;
  private readonly denseCoef: Float64Array;
  private readonly width: number;

  constructor(p: SolutionParts) {
    this.status = p.status;
    this.ok = p.status === 'success' || p.status === 'event' || p.status === 'steady-state';
    this.method = p.method;
    this.ts = p.saves.ts.take();
    this.ys = p.saves.ys.take();
    this.dim = p.saves.dim;
    this.shape = Object.freeze([...p.shape]);
    this.count = this.ts.length;
    this.t0 = p.t0;
    this.tFinal = p.tFinal;
    this.yFinal = p.yFinal;
    this.stats = p.stats;
    this.stepSizes = p.stepSizes.take();
    this.nextStepSize = p.nextStepSize;
    this.event = p.event;
    this.error = p.error;
    this.dense = p.dense !== null;
    this.denseT = p.dense ? p.dense.tStart.take() : new Float64Array(0);
    this.denseH = p.dense ? p.dense.h.take() : new Float64Array(0);
    this.denseCoef = p.dense ? p.dense.coef.take() : new Float64Array(0);
    this.width = p.dense ? p.dense.width : 0;
  }

  y(i: number): Float64Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) {
      throw new TideError('BAD_ARGUMENT', `solution.y: row ${i} does not exist; the solution has ${this.count} saved rows (0 … ${this.count - 1}).`, { index: i });
    }
    return this.ys.subarray(i * this.dim, (i + 1) * this.dim);
  }

  evaluate(t: number, out?: Float64Array): Float64Array {
    const n = this.dim;
    if (!this.dense) {
      throw new TideError('BAD_OPTION', 'solution.evaluate: this solve did not keep its dense output. Solve with saveAt: { dense: true } (plus any other saves you want).', { option: 'saveAt.dense' });
    }
    const res = out ?? new Float64Array(n);
    if (res.length !== n) throw new TideError('SHAPE', `solution.evaluate: out has length ${res.length}; expected the state length ${n}.`);
    const dir = this.tFinal >= this.t0 ? 1 : -1;
    if (!(dir * (t - this.t0) >= 0 && dir * (this.tFinal - t) >= 0)) {
      // A few ulps outside (a time computed as t_a − (t_a − t0)) is the end point itself; farther is an error.
      const slack = 8 * Number.EPSILON * Math.max(Math.abs(this.t0), Math.abs(this.tFinal), Math.abs(this.tFinal - this.t0));
      if (Math.abs(t - this.t0) <= slack) t = this.t0;
      else if (Math.abs(t - this.tFinal) <= slack) t = this.tFinal;
      else throw new TideError('BAD_ARGUMENT', `solution.evaluate: t = ${t} is outside the solved interval [${this.t0}, ${this.tFinal}].`, { t });
    }
    if (t === this.tFinal) { res.set(this.yFinal); return res; }
    // Last step whose start is at or before t (in the direction of integration).
    const T = this.denseT;
    let lo = 0, hi = T.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (dir * (t - T[mid]) >= 0) lo = mid; else hi = mid - 1;
    }
    const theta = (t - T[lo]) / this.denseH[lo];
    return evalDense(res, theta, this.denseCoef, this.width, lo * this.width * n);
  }
}
