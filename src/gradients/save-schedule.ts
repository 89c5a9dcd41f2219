/**
 * Where each saved output sits on the accepted-step grid (either direction of time): a save at τ = t_n exactly
 * (t0, t1, tstops, and every save of a solver that lands on saves) is a point cotangent on the state at grid point n;
 * a save with t_n < τ < t_{n+1} comes from step n's dense output at θ = (τ − t_n)/h_n.
 */
import { TideError } from '../core/errors.ts';
import type { SaveInStep, SaveSchedule } from '../solvers/solver.ts';
import type { ForwardGrid } from './method.ts';

const NONE: readonly never[] = Object.freeze([]);

/** Builds the schedule of save times `ts` (in the order of integration) on `grid`. */
export function buildSchedule(ts: Readonly<Float64Array>, grid: ForwardGrid): SaveSchedule {
  const { times, hs, N, restart } = grid;
  const dir = N > 0 && times[N] < times[0] ? -1 : 1;
  const at = new Map<number, number[]>(), inside = new Map<number, SaveInStep[]>();
  const push = <T>(m: Map<number, T[]>, k: number, v: T): void => { const a = m.get(k); if (a) a.push(v); else m.set(k, [v]); };
  let n = 0;
  for (let q = 0; q < ts.length; q++) {
    const tau = ts[q];
    if (dir * (tau - times[0]) < 0 || dir * (tau - times[N]) > 0) {
      throw new TideError('BAD_OPTION', `gradient: save time ${tau} is outside the solved span [${times[0]}, ${times[N]}]. Save times must lie in the span (a solve stopped by an event saves only up to the event).`, { option: 'saveAt' });
    }
    // Saves are monotone in the direction of integration, so the step index only moves forward.
    while (n < N && dir * (times[n + 1] - tau) < 0) n++;
    if (tau === times[n]) { push(at, n, q); continue; }
    if (n < N && tau === times[n + 1]) { push(at, n + 1, q); continue; }
    push(inside, n, { index: q, theta: (tau - times[n]) / hs[n] });
  }
  return {
    steps: N,
    atPoint: (k) => at.get(k) ?? NONE,
    inStep: (k) => inside.get(k) ?? NONE,
    restartAt: (k) => restart[k] === 1,
    stepSize: (k) => hs[k],
  };
}
