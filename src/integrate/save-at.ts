/**
 * What a solve saves: the initial and final states, states at given times, the state after every
 * accepted step, and/or the dense output. Steps are never shortened to hit a save time: a time τ with
 * t_n < τ ≤ t_{n+1} is read off accepted step n's interpolant (τ = t_{n+1} returns y_{n+1} itself, τ = t0 returns
 * y0). Use `tstops` to make steps land on a time exactly (e.g. at a discontinuity of f).
 *
 * Rows come out in time order; at equal times the order is t0, ts, steps, t1 (so `{ steps: true, t1: true }`
 * repeats the last state, as diffrax does).
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import { describe } from '../core/array.ts';

/** `saveAt` option of `solve`. Without `saveAt` a solve saves `{ t0: true, t1: true }`; with it, unset flags are false. */
export interface SaveAtOptions {
  /** Save y0 at t0. */
  t0?: boolean;
  /** Save the final state (at t1, or where the solve stopped: event, steady state, failure). */
  t1?: boolean;
  /** Save at these times, strictly monotone in the direction of integration and inside [t0, t1]. */
  ts?: readonly number[] | Float64Array;
  /** Save after every accepted step (at t_{n+1}). */
  steps?: boolean;
  /** Keep every step's interpolant so that `solution.evaluate(t)` works anywhere in the solved interval. */
  dense?: boolean;
}

/**
 * Checked `saveAt`.
 * @property t0 save y0 at t0.
 * @property t1 save the final state.
 * @property ts the requested save times, checked and ordered in the direction of integration (empty if none).
 * @property steps save after every accepted step.
 * @property dense keep every step's interpolant for `solution.evaluate(t)`.
 */
export interface ResolvedSaveAt {
  readonly t0: boolean;
  readonly t1: boolean;
  readonly ts: Float64Array;
  readonly steps: boolean;
  readonly dense: boolean;
}

const SAVE_KEYS = ['t0', 't1', 'ts', 'steps', 'dense'];

function flag(where: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TideError('BAD_OPTION', `${where}: saveAt.${name} must be true or false, got ${describe(v)}.`, { option: `saveAt.${name}` });
  return v;
}

/**
 * Checks `saveAt` against the interval [t0, t1].
 * @throws TideError('BAD_OPTION') for unknown keys, non-boolean flags, NaN times, times outside the interval, or
 *   times that are not strictly monotone in the direction of integration ("non-monotone save times").
 */
export function resolveSaveAt(where: string, saveAt: SaveAtOptions | undefined, t0: number, t1: number): ResolvedSaveAt {
  if (saveAt === undefined) return { t0: true, t1: true, ts: new Float64Array(0), steps: false, dense: false };
  if (typeof saveAt !== 'object' || saveAt === null) {
    throw new TideError('BAD_OPTION', `${where}: saveAt must be an object such as { t1: true, ts: [0.5, 1] }, got ${describe(saveAt)}.`, { option: 'saveAt' });
  }
  checkOptionKeys(`${where}: saveAt`, saveAt, SAVE_KEYS);
  let ts = new Float64Array(0);
  if (saveAt.ts !== undefined) {
    const raw = saveAt.ts as unknown;
    if (!Array.isArray(raw) && !(raw instanceof Float64Array)) {
      throw new TideError('BAD_OPTION', `${where}: saveAt.ts must be an array or Float64Array of times, got ${describe(raw)}.`, { option: 'saveAt.ts' });
    }
    ts = Float64Array.from(raw as ArrayLike<number>);
    const dir = t1 >= t0 ? 1 : -1;
    const lo = Math.min(t0, t1), hi = Math.max(t0, t1);
    for (let i = 0; i < ts.length; i++) {
      const v = ts[i];
      if (typeof (raw as ArrayLike<unknown>)[i] !== 'number' || Number.isNaN(v)) {
        throw new TideError('BAD_OPTION', `${where}: saveAt.ts[${i}] is ${String((raw as ArrayLike<unknown>)[i])}; save times must be numbers.`, { option: 'saveAt.ts', index: i });
      }
      if (v < lo || v > hi) {
        throw new TideError('BAD_OPTION', `${where}: saveAt.ts[${i}] = ${v} is outside the solved interval [${t0}, ${t1}]. Drop it or widen t0/t1.`, { option: 'saveAt.ts', index: i });
      }
      if (i > 0 && dir * (v - ts[i - 1]) <= 0) {
        const order = dir > 0 ? 'strictly increasing (t1 > t0)' : 'strictly decreasing (t1 < t0, backward solve)';
        throw new TideError('BAD_OPTION', `${where}: non-monotone save times: saveAt.ts[${i}] = ${v} follows ts[${i - 1}] = ${ts[i - 1]}; save times must be ${order}. Sort them (and remove duplicates).`, { option: 'saveAt.ts', index: i });
      }
    }
  }
  return {
    t0: flag(where, 't0', saveAt.t0), t1: flag(where, 't1', saveAt.t1), ts,
    steps: flag(where, 'steps', saveAt.steps), dense: flag(where, 'dense', saveAt.dense),
  };
}
