/**
 * Public pieces of the solver layer (the lead re-exports these from src/index.ts): the `solve` entry point and its
 * types, the solvers and tableaus, the step-size controllers, norms and initial step, and the lower-level stepping
 * API gradient methods drive (erkWorkspace / erkStep / erkAccept / erkStageInput, onAccept records).
 */
export { solve } from './solve.ts';
export type { SolveOptions, StepInfo, AcceptedStep, SteadyStateOptions } from './options.ts';
export { DEFAULT_MAX_STEPS } from './options.ts';
export type { Solution, SolveStatus } from './solution.ts';
export type { SaveAtOptions } from './save-at.ts';
export type { EventSpec, EventInfo } from './events.ts';
export type { SolveStats } from './stats.ts';
export { shampineStiffness, stiffnessEstimate, STABILITY_SIZE } from './stiffness.ts';

export type { Solver, SolverWorkspace } from '../solvers/solver.ts';
export { defineTableau, isTableau } from '../solvers/tableau.ts';
export type { Tableau, TableauSpec, PiGains } from '../solvers/tableau.ts';
export { erkSolver, erkStep, erkAccept, erkStageInput, erkWorkspace } from '../solvers/erk.ts';
export type { ErkWorkspace } from '../solvers/erk.ts';
export { vcab3, vcab3Weights, adamsStep } from '../solvers/vcab3.ts';
export type { Vcab3Workspace } from '../solvers/vcab3.ts';
export { getSolver, resolveSolver, solverNames } from '../solvers/registry.ts';
export type { SolverName } from '../solvers/registry.ts';
export { euler } from '../solvers/tableaus/euler.ts';
export { midpoint } from '../solvers/tableaus/midpoint.ts';
export { heun } from '../solvers/tableaus/heun.ts';
export { ralston } from '../solvers/tableaus/ralston.ts';
export { rk4 } from '../solvers/tableaus/rk4.ts';
export { bs3 } from '../solvers/tableaus/bs3.ts';
export { dopri5, dopri5Shampine } from '../solvers/tableaus/dopri5.ts';
export { tsit5 } from '../solvers/tableaus/tsit5.ts';
export { evalDense } from '../solvers/dense/polynomial.ts';
export type { DenseInterpolant } from '../solvers/dense/polynomial.ts';
export { hermiteCubic } from '../solvers/dense/hermite.ts';
export { dopri5Dense } from '../solvers/dense/dopri5.ts';
export { tsit5Dense } from '../solvers/dense/tsit5.ts';

export { rmsNorm, rmsNormRange, sumSquaredScaled } from '../control/norms.ts';
export type { Norm, Tolerance } from '../control/norms.ts';
export { PIController } from '../control/pi.ts';
export type { StepSizeController, PIControllerOptions } from '../control/pi.ts';
export { IController, ScipyController } from '../control/i-controller.ts';
export type { IControllerOptions } from '../control/i-controller.ts';
export { selectInitialStep } from '../control/initial-step.ts';
export type { InitialStepOptions } from '../control/initial-step.ts';
