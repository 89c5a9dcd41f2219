/**
 * Method strings → solvers. The names are the literature's short names; each maps to one exported
 * object, so `method: 'tsit5'` and `method: erkSolver(tsit5)` run the same code. `'reversible-<base>'` (e.g.
 * 'reversible-midpoint') is the λ-coupled reversible wrapper of an RK base with the default λ = 0.999.
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
import { heun3 } from './tableaus/heun3.ts';
import { fehlberg2 } from './tableaus/fehlberg2.ts';
import { dopri8 } from './tableaus/dopri8.ts';
import { coupledSolver } from './reversible/coupled.ts';
import { reversibleHeun } from './reversible/reversible-heun.ts';
import { mali } from './reversible/mali.ts';

/** The explicit RK tableaus by name. */
export const tableaus: Readonly<Record<string, Tableau>> = { euler, midpoint, heun, ralston, rk4, bs3, dopri5, tsit5, heun3, fehlberg2, dopri8 };

/** Every method string `solve` accepts (plus 'reversible-<tableau>'). */
export const solverNames = ['euler', 'midpoint', 'heun', 'ralston', 'rk4', 'bs3', 'dopri5', 'tsit5', 'vcab3', 'reversible-heun', 'mali',
  'heun3', 'fehlberg2', 'dopri8'] as const;

/** A method string of {@link solverNames}. */
export type SolverName = (typeof solverNames)[number];

const solvers = new Map<string, Solver>();
for (const [name, t] of Object.entries(tableaus)) solvers.set(name, erkSolver(t) as unknown as Solver);
solvers.set('vcab3', vcab3 as unknown as Solver);
solvers.set('reversible-heun', reversibleHeun as unknown as Solver);
solvers.set('mali', mali as unknown as Solver);

/**
 * The solver for a method string.
 * @throws TideError('UNKNOWN_NAME') listing the valid names, with a suggestion for a likely typo ('dopri' → 'dopri5').
 */
export function getSolver(name: string, where = 'getSolver'): Solver {
  if (typeof name !== 'string') throw new TideError('BAD_ARGUMENT', `${where}: the method name must be a string (${solverNames.join(', ')}, or reversible-<rk method>), got ${describe(name)}.`);
  const hit = solvers.get(name);
  if (hit !== undefined) return hit;
  if (name.startsWith('reversible-')) {
    const base = tableaus[name.slice('reversible-'.length)];
    if (base !== undefined) {
      const s = coupledSolver(base) as unknown as Solver;
      solvers.set(name, s);
      return s;
    }
  }
  throw unknownName(where, 'method', name, [...solverNames, ...Object.keys(tableaus).map((t) => `reversible-${t}`)]);
}

/**
 * A method given as a string, a Solver, or a checked Tableau (wrapped with erkSolver).
 * @throws TideError('UNKNOWN_NAME') for an unknown string, TideError('BAD_OPTION') for anything else.
 */
export function resolveSolver(method: string | Solver | Tableau, where = 'solve'): Solver {
  if (typeof method === 'string') return getSolver(method, where);
  if (isTableau(method)) return erkSolver(method) as unknown as Solver;
  if (typeof method === 'object' && method !== null && typeof (method as Solver).step === 'function'
    && typeof (method as Solver).workspace === 'function') return method as Solver;
  throw new TideError('BAD_OPTION', `${where}: method must be a method name (${solverNames.join(', ')}, or reversible-<rk method>), a Solver, or a tableau from defineTableau; got ${describe(method)}.`, { option: 'method' });
}
