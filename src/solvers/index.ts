/**
 * Solvers: every method string maps to one of these objects. Explicit Runge–Kutta methods are a tableau plus an
 * interpolant (`defineTableau`, `erkSolver`); VCAB3 is the variable-step Adams–Bashforth 3; the reversible solvers are
 * the λ-coupled wrapper of any RK method (`coupledSolver`), reversible Heun and MALI.
 */
export type { Solver, SolverWorkspace, StepPullback, ReverseStepper, BackwardPass, SaveSchedule, SaveInStep } from './solver.ts';
export { defineTableau, isTableau } from './tableau.ts';
export type { Tableau, TableauSpec, PiGains } from './tableau.ts';
export { erkSolver } from './erk.ts';
export { vcab3 } from './vcab3.ts';
export { getSolver, resolveSolver, solverNames, tableaus } from './registry.ts';
export type { SolverName } from './registry.ts';
export { euler } from './tableaus/euler.ts';
export { midpoint } from './tableaus/midpoint.ts';
export { heun } from './tableaus/heun.ts';
export { ralston } from './tableaus/ralston.ts';
export { rk4 } from './tableaus/rk4.ts';
export { bs3 } from './tableaus/bs3.ts';
export { dopri5, dopri5Shampine } from './tableaus/dopri5.ts';
export { tsit5 } from './tableaus/tsit5.ts';
export { heun3 } from './tableaus/heun3.ts';
export { fehlberg2 } from './tableaus/fehlberg2.ts';
export { dopri8 } from './tableaus/dopri8.ts';
export type { DenseInterpolant } from './dense/polynomial.ts';
export { hermiteCubic } from './dense/hermite.ts';
export { dopri5Dense } from './dense/dopri5.ts';
export { tsit5Dense } from './dense/tsit5.ts';
export { dopri8Dense, DOPRI8_DENSE_D } from './dense/dopri8.ts';
export { coupledSolver, DEFAULT_LAMBDA } from './reversible/coupled.ts';
export type { CoupledOptions } from './reversible/coupled.ts';
export { reversibleHeun } from './reversible/reversible-heun.ts';
export { mali, maliSolver } from './reversible/mali.ts';
