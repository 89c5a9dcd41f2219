/**
 * Where each saved output sits on the accepted-step grid, and how its cotangent enters the step's pullback.
 *
 * A save at τ with t_n < τ < t_{n+1} comes from step n's dense output, which for every tide interpolant is linear
 * in (y_n, y_{n+1}, k_1 … k_s, f_{n+1}):  y(τ) = w_y y_n + w_Y y_{n+1} + Σ_i w_i k_i + w_F f(t_{n+1}, y_{n+1}).
 * The weights are found once per save by probing the interpolant's `pack` with unit inputs (so any interpolant that
 * is linear in its inputs is differentiated exactly, adjoints.md §1 "saves inside a step"). A save at τ = t_n
 * exactly (including t0 and t1) is a point cotangent on y_n.
 */
import type { Tableau } from '../solvers/tableau.ts';
import { TideError } from '../core/errors.ts';

/** The empty list the step loops fall back on (no allocation per step). */
export const NONE: readonly number[] = Object.freeze([]);

export interface MidSave {
  /** Index of the save in the user's ts. */
  readonly index: number;
  readonly wy: number;
  readonly wY: number;
  /** Weights of k_i (length s). */
  readonly wk: Float64Array;
  /** Weight of f(t_{n+1}, y_{n+1}) (0 if the interpolant does not use it). */
  readonly wF: number;
}

export interface SavePlan {
  /** For each grid point n = 0..N, the save indices that sit exactly on t_n. */
  readonly atPoint: Map<number, number[]>;
  /** For each step n, the saves strictly inside it. */
  readonly inStep: Map<number, MidSave[]>;
}

/**
 * Every tide interpolant packs coefficients that are linear in (y_n, y_{n+1}) and in h·(k_i, f_{n+1}); so each input's
 * weight is a polynomial in θ (times h for the derivative inputs). Its monomial coefficients are probed once per
 * tableau with h = 1 and unit inputs: rows y_n, y_{n+1}, k_1 … k_s, f_{n+1}; `width` coefficients each.
 */
const bases = new WeakMap<Tableau, Float64Array[]>();

function basisOf(tableau: Tableau): Float64Array[] {
  let rows = bases.get(tableau);
  if (rows !== undefined) return rows;
  const s = tableau.stages, dense = tableau.dense, width = dense.width;
  const zero = new Float64Array(1), one = new Float64Array([1]);
  const ks = Array.from({ length: s }, () => new Float64Array(1));
  const probe = (y: Float64Array, yNew: Float64Array, kIndex: number, fEnd: Float64Array | null): Float64Array => {
    const coef = new Float64Array(width);
    for (let i = 0; i < s; i++) ks[i][0] = i === kIndex ? 1 : 0;
    const fe = tableau.fsal ? ks[s - 1] : (fEnd ?? (dense.needsFEnd ? zero : null));
    dense.pack(coef, 1, y, yNew, ks, fe);
    return coef;
  };
  rows = [probe(one, zero, -1, null), probe(zero, one, -1, null)];
  for (let i = 0; i < s; i++) rows.push(probe(zero, zero, i, null));
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

/** Dense-output weights for one step of `tableau` with step h at θ. */
export function denseWeights(tableau: Tableau, h: number, theta: number): { wy: number; wY: number; wk: Float64Array; wF: number } {
  const rows = basisOf(tableau), s = tableau.stages;
  const wk = new Float64Array(s);
  for (let i = 0; i < s; i++) wk[i] = h * horner(rows[2 + i], theta);
  return { wy: horner(rows[0], theta), wY: horner(rows[1], theta), wk, wF: h * horner(rows[2 + s], theta) };
}

/** Index n of the step with t_n < τ ≤ t_{n+1} in the increasing grid `times` (length N + 1), by bisection. */
function stepOf(times: Float64Array, N: number, tau: number): number {
  let lo = 0, hi = N; // invariant: times[lo] < tau <= times[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < tau) lo = mid; else hi = mid;
  }
  return lo;
}

/**
 * Places the saves `ts` (increasing, inside [t0, t1]) on the grid `times[0..N]` of steps with sizes `hs` (explicit
 * RK with `tableau`).
 */
export function planSaves(ts: Float64Array, times: Float64Array, hs: Float64Array, N: number, tableau: Tableau): SavePlan {
  const atPoint = new Map<number, number[]>(), inStep = new Map<number, MidSave[]>();
  const push = <T>(m: Map<number, T[]>, k: number, v: T): void => { const a = m.get(k); if (a) a.push(v); else m.set(k, [v]); };
  for (let q = 0; q < ts.length; q++) {
    const tau = ts[q];
    if (tau === times[0]) { push(atPoint, 0, q); continue; }
    if (tau < times[0] || tau > times[N]) {
      throw new TideError('BAD_OPTION', `gradient: save time ${tau} is outside the solved span [${times[0]}, ${times[N]}]. Save times must lie in [t0, t1].`, { option: 'ts' });
    }
    const n = stepOf(times, N, tau);
    if (tau === times[n + 1]) { push(atPoint, n + 1, q); continue; }
    const theta = (tau - times[n]) / hs[n];
    push(inStep, n, { index: q, ...denseWeights(tableau, hs[n], theta) });
  }
  return { atPoint, inStep };
}
