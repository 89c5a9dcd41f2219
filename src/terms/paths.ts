/**
 * Control paths X(t) for controlled differential equations dy = f(t, y) dX(t) (Kidger, Morrill, Foster & Lyons,
 * "Neural Controlled Differential Equations for Irregular Time Series", NeurIPS 2020, §3): a path is evaluated at
 * step ends only, through its increments X(t_b) − X(t_a).
 *
 *   linearPath(ts, xs)        piecewise-linear interpolation of observations (the "linear control" of Morrill et al.
 *                             2021; cubic splines come with the CDE issue)
 *   brownianPath(…)           a Brownian motion sampled on a uniform grid and interpolated linearly: increments
 *                             over steps that are unions of grid cells are exact Brownian increments (Itô/Stratonovich
 *                             alike); steps inside a cell see the linear interpolant, not a Brownian bridge. The
 *                             virtual Brownian tree (Li et al. 2020) comes with the SDE issue.
 */
import { TideError } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { Rng } from '../core/random.ts';

/**
 * A path t ↦ X(t) ∈ R^dim on [t0, t1].
 * @property dim length of X(t).
 * @property t0 start of the interval the path is defined on.
 * @property t1 end of that interval.
 */
export interface ControlPath {
  readonly dim: number;
  readonly t0: number;
  readonly t1: number;
  /** out = X(t). */
  evaluate(out: Float64Array, t: number): void;
  /** out = X(tb) − X(ta). */
  increment(out: Float64Array, ta: number, tb: number): void;
}

/** Index i with ts[i] ≤ t ≤ ts[i + 1] (clamped to the ends). */
function cell(ts: Float64Array, t: number): number {
  let lo = 0, hi = ts.length - 1;
  if (t <= ts[0]) return 0;
  if (t >= ts[hi]) return hi - 1;
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (ts[mid] <= t) lo = mid; else hi = mid; }
  return lo;
}

/**
 * The piecewise-linear path through (ts[i], xs[i·dim … (i+1)·dim)). ts strictly increasing (≥ 2 points); xs has
 * ts.length·dim numbers. Outside [ts[0], ts[last]] the path is extended by its end segments.
 * @throws TideError('BAD_ARGUMENT' | 'SHAPE') for non-increasing times or a wrong xs length.
 */
export function linearPath(ts: ArrayLike<number>, xs: ArrayLike<number>, dim: number): ControlPath {
  const arrayLike = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as ArrayLike<number>).length === 'number';
  if (!arrayLike(ts) || !arrayLike(xs)) throw new TideError('BAD_ARGUMENT', `linearPath: ts and xs must be arrays of numbers (observation times, and their values row by row), got ${describe(ts)} and ${describe(xs)}.`);
  const T = Float64Array.from(ts as ArrayLike<number>), X = Float64Array.from(xs as ArrayLike<number>);
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) throw new TideError('NONFINITE', `linearPath: xs[${i}] is ${X[i]}; observations must be finite numbers.`);
  for (let i = 0; i < T.length; i++) if (!Number.isFinite(T[i])) throw new TideError('NONFINITE', `linearPath: ts[${i}] is ${T[i]}; times must be finite numbers.`);
  if (!Number.isInteger(dim) || dim < 1) throw new TideError('SHAPE', `linearPath: dim must be a positive integer, got ${describe(dim)}.`);
  if (T.length < 2) throw new TideError('BAD_ARGUMENT', `linearPath: need at least 2 observation times, got ${T.length}.`);
  for (let i = 1; i < T.length; i++) {
    if (!(T[i] > T[i - 1])) throw new TideError('BAD_ARGUMENT', `linearPath: times must be strictly increasing; ts[${i - 1}] = ${T[i - 1]}, ts[${i}] = ${T[i]}.`);
  }
  if (X.length !== T.length * dim) throw new TideError('SHAPE', `linearPath: xs has ${X.length} numbers; ${T.length} times × dim ${dim} = ${T.length * dim} expected (row i is X(ts[i])).`);
  const tmp = new Float64Array(dim);
  const evaluate = (out: Float64Array, t: number): void => {
    const i = cell(T, t), w = (t - T[i]) / (T[i + 1] - T[i]);
    for (let m = 0; m < dim; m++) { const a = X[i * dim + m], b = X[(i + 1) * dim + m]; out[m] = a + w * (b - a); }
  };
  return {
    dim, t0: T[0], t1: T[T.length - 1], evaluate,
    increment(out, ta, tb) {
      evaluate(tmp, ta);
      evaluate(out, tb);
      for (let m = 0; m < dim; m++) out[m] -= tmp[m];
    },
  };
}

/**
 * A `dim`-dimensional Brownian motion on [t0, t1] sampled at `steps` + 1 uniform times (W(t0) = 0, independent
 * N(0, Δt) increments from rng), interpolated linearly between them. Solve with stepSize (t1 − t0)/steps (or a
 * multiple) so that every step's increment is a true Brownian increment.
 */
export function brownianPath(t0: number, t1: number, steps: number, dim: number, rng: Rng): ControlPath {
  if (typeof rng !== 'object' || rng === null || typeof (rng as Rng).normal !== 'function') throw new TideError('BAD_ARGUMENT', `brownianPath: rng must be a seeded Rng (new Rng(seed)), got ${describe(rng)}.`);
  if (!Number.isInteger(dim) || dim < 1) throw new TideError('SHAPE', `brownianPath: dim must be a positive integer, got ${describe(dim)}.`);
  if (typeof t0 !== 'number' || typeof t1 !== 'number' || !Number.isFinite(t0) || !Number.isFinite(t1)) throw new TideError('BAD_ARGUMENT', `brownianPath: t0 and t1 must be finite numbers, got ${describe(t0)} and ${describe(t1)}.`);
  if (!(t1 > t0)) throw new TideError('BAD_ARGUMENT', `brownianPath: need t0 < t1, got [${t0}, ${t1}].`);
  if (!Number.isInteger(steps) || steps < 1) throw new TideError('BAD_ARGUMENT', `brownianPath: steps must be a positive integer, got ${describe(steps)}.`);
  const ts = new Float64Array(steps + 1), ws = new Float64Array((steps + 1) * dim);
  const dt = (t1 - t0) / steps, sd = Math.sqrt(dt);
  for (let i = 1; i <= steps; i++) {
    ts[i] = t0 + i * dt;
    for (let m = 0; m < dim; m++) ws[i * dim + m] = ws[(i - 1) * dim + m] + sd * rng.normal();
  }
  ts[0] = t0; ts[steps] = t1;
  return linearPath(ts, ws, dim);
}
