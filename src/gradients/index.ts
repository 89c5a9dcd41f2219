/** Gradient methods (one file each) and the solve entry points that run them. */
export { solve, prepareSolve, solveWithGradient, valueAndGradient, GRADIENT_SOLVE_KEYS } from './solve.ts';
export type { GradientSolveOptions, GradientSolution, GradientResult, BackwardOptions, PreparedSolve } from './solve.ts';
export type { GradientMethod, GradientRun, GradientReport, GradientContext, ForwardRecord, ForwardGrid } from './method.ts';
export { GRADIENT_METHOD_NAMES, resolveGradientMethod } from './methods.ts';
export { direct } from './direct.ts';
export type { DirectOptions } from './direct.ts';
export { checkpoint } from './checkpoint.ts';
export type { CheckpointOptions } from './checkpoint.ts';
export { backsolve } from './backsolve.ts';
export type { BacksolveOptions } from './backsolve.ts';
export { interpolated } from './interpolated.ts';
export type { InterpolatedOptions } from './interpolated.ts';
export { reversible } from './reversible.ts';
export type { ReversibleOptions } from './reversible.ts';
export { ADJOINT_NORM_NAMES, adjointNormOf } from './adjoint-solve.ts';
export type { AdjointSolveOptions, AdjointNormName } from './adjoint-solve.ts';
export type { ChebyshevWeights } from './chebyshev.ts';
