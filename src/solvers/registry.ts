/**
 * Method strings → solvers. The names are the literature's short names (STYLE.md §3); each maps to one exported
 * object, so `method: 'tsit5'` and `method: erkSolver(tsit5)` run the same code.
 */
import { TideError, unknownName } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { Solver } from './solver.ts';
import { erkSolver } from './erk.ts';
import { isTableau, type Tableau } from './tableau.ts';
import { vcab3 } from './vcab3.ts';
import { euler } from './tableaus/euler.ts';
import { midpoint } from './tableaus/midpoint.ts';
import { heun } from './tableaus/heun.ts';
import { ralston } from './tableaus/ralston.ts';
import { rk4 } from './tableaus/rk4.ts';
import { bs3 } from './tableaus/bs3.ts';
import { dopri5 } from './tableaus/dopri5.ts';
import { tsit5 } from './tableaus/tsit5.ts';

/** Every method string `solve` accepts. */
export const solverNames = ['euler', 'midpoint', 'heun', 'ralston', 'rk4', 'bs3', 'dopri5', 'tsit5', 'vcab3'] as const;

/** A method string of {@link solverNames}. */
export type SolverName = (typeof solverNames)[number];

const solvers: Record<SolverName, Solver> = {
  euler: erkSolver(euler),
  midpoint: erkSolver(midpoint),
  heun: erkSolver(heun),
  ralston: erkSolver(ralston),
  rk4: erkSolver(rk4),
  bs3: erkSolver(bs3),
  dopri5: erkSolver(dopri5),
  tsit5: erkSolver(tsit5),
  vcab3,
};

/**
 * The solver for a method string.
 * @throws TideError('UNKNOWN_NAME') listing the valid names, with a suggestion for a likely typo ('dopri' → 'dopri5').
 */
export function getSolver(name: string, where = 'getSolver'): Solver {
  if (Object.prototype.hasOwnProperty.call(solvers, name)) return solvers[name as SolverName];
  throw unknownName(where, 'method', name, solverNames);
}

/**
 * A method given as a string, a Solver, or a checked Tableau (wrapped with erkSolver).
 * @throws TideError('UNKNOWN_NAME') for an unknown string, TideError('BAD_OPTION') for anything else.
 */
export function resolveSolver(method: string | Solver | Tableau, where = 'solve'): Solver {
  if (typeof method === 'string') return getSolver(method, where);
  if (isTableau(method)) return erkSolver(method);
  if (typeof method === 'object' && method !== null && typeof (method as Solver).step === 'function'
    && typeof (method as Solver).workspace === 'function') return method as Solver;
  throw new TideError('BAD_OPTION', `${where}: method must be a method name (${solverNames.join(', ')}), a Solver, or a tableau from defineTableau; got ${describe(method)}.`, { option: 'method' });
}
