/**
 * Stepping internals, for people writing solvers or gradient methods: the ERK stepper's workspace and step/accept
 * calls, its discrete adjoint, the Adams step, dense-output evaluation, initial-step selection and stiffness estimates.
 * Exported from the package as the `stepping` namespace.
 */
export { erkWorkspace, erkStep, erkAccept, erkStageInput, erkSolution } from './erk.ts';
export type { ErkWorkspace } from './erk.ts';
export { ErkPullback, denseWeights } from './erk-pullback.ts';
export { vcab3Weights, adamsStep } from './vcab3.ts';
export type { Vcab3Workspace } from './vcab3.ts';
export { evalDense, stageInterpolant } from './dense/polynomial.ts';
export { linearDense } from './reversible/linear-saves.ts';
export { selectInitialStep } from '../control/initial-step.ts';
export type { InitialStepOptions } from '../control/initial-step.ts';
export { shampineStiffness, stiffnessEstimate, STABILITY_SIZE } from '../integrate/stiffness.ts';
export { integrate } from '../integrate/solve.ts';
export { resolveSolveOptions } from '../integrate/options.ts';
