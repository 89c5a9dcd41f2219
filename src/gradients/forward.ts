/**
 * The forward pass shared by the discrete gradient methods: one `solve` with the user's save times, recording
 * through `onAccept` the accepted grid (t_n, h_n) and whatever the method keeps (direct: every y_n and stage k_i).
 */
import type { VectorField } from '../core/field.ts';
import type { Tableau } from '../solvers/tableau.ts';
import { solve } from '../solve/solve.ts';
import type { SolveOptions, AcceptedStep } from '../solve/options.ts';
import type { Solution } from '../solve/solution.ts';
import { GrowableBuffer } from '../solve/solution.ts';
import { TideError } from '../core/errors.ts';

export interface StepGrid {
  /** t_0 … t_N (length N + 1). */
  readonly times: Float64Array;
  /** h_0 … h_{N−1}: the signed step sizes the stages used. */
  readonly hs: Float64Array;
  readonly N: number;
}

export interface ForwardResult {
  readonly solution: Solution;
  readonly grid: StepGrid;
}

/**
 * Runs the forward solve saving at `ts`, calling `record` on every accepted step (after the grid is updated).
 */
export function forwardSolve(field: VectorField, y0: Float64Array, ts: Float64Array, solveOptions: SolveOptions,
  record?: (rec: AcceptedStep) => void): ForwardResult {
  const times = new GrowableBuffer(64), hs = new GrowableBuffer(64);
  times.push(solveOptions.t0 ?? 0);
  const solution = solve(field, y0, {
    ...solveOptions,
    saveAt: { ts },
    onAccept: (rec) => {
      times.push(rec.tNew);
      hs.push(rec.h);
      if (record) record(rec);
    },
  });
  return { solution, grid: { times: times.view(), hs: hs.view(), N: hs.length } };
}

/** Grid bytes (times and step sizes). */
export const gridBytes = (g: StepGrid): number => 8 * (2 * g.N + 1);

/** The tableau of the solve's method, or a clear error for multistep methods. */
export function requireTableau(where: string, tableau: Tableau | null, name: string): Tableau {
  if (tableau === null) {
    throw new TideError('BAD_OPTION', `${where}: ${name} is a multistep method; discrete gradient methods need an explicit Runge–Kutta solver. Use gradient: 'backsolve' or 'interpolated' with ${name}, or an RK method (tsit5, dopri5, bs3, rk4, …).`, { option: 'method' });
  }
  return tableau;
}
