/**
 * Deep equilibrium models (Bai, Kolter & Koltun 2019), exported from the package root as the `deq` namespace:
 * forward root solvers, backward modes, the layer, regularisers, Skip / Skip Reg. DEQs and reversible DEQs.
 * `deq.layer(f, { solver: deq.anderson({ tol: 1e-6 }), backward: deq.implicit() })` (also `deq.deq`).
 */
export { deq, deq as layer, DeqLayer } from './layer.ts';
export type { DeqOptions, DeqWorkspace, ForwardSolverName, DeqBackwardName } from './layer.ts';
export { mapFromModel, BoundMap } from './map.ts';
export type { DeqMap } from './map.ts';
export { fixedPoint, FixedPointSolver } from './forward/fixed-point.ts';
export type { FixedPointOptions } from './forward/fixed-point.ts';
export { anderson, AndersonSolver } from './forward/anderson.ts';
export type { AndersonOptions } from './forward/anderson.ts';
export { broyden, BroydenSolver } from './forward/broyden.ts';
export type { BroydenOptions, BroydenLineSearchOptions, ResolvedLineSearch } from './forward/broyden.ts';
export { continuous, ContinuousSolver } from './continuous.ts';
export type { ContinuousOptions, ContinuousStats, ContinuousMethod } from './continuous.ts';
export type { ForwardSolver, IterMap, SolverWorkspace } from './forward/solver.ts';
export type { ForwardStats, StopReason, StopMode, BatchNorm, TerminationOptions, ResolvedTermination } from './forward/termination.ts';
export { implicit, ADJOINT_SOLVERS } from './backward/implicit.ts';
export type { ImplicitOptions, AdjointSolverName } from './backward/implicit.ts';
export { jfb, phantom } from './backward/jfb.ts';
export type { PhantomOptions } from './backward/jfb.ts';
export { unrolled } from './backward/unrolled.ts';
export { gmres, gmresWorkspace, resolveGmres } from './backward/gmres.ts';
export type { GmresOptions, GmresStats, LinearOperator, ResolvedGmres } from './backward/gmres.ts';
export type { DeqBackward, DeqBackwardRun, DeqReport, DeqRecord, DeqBackwardContext } from './backward/method.ts';
export { jacobianPenalty, spectralRadius } from './regularize.ts';
export type { JacobianPenalty, JacobianPenaltyOptions, SpectralRadiusOptions } from './regularize.ts';
export { skipDeq, skipRegDeq, SkipDeq, skipDeqModel, SkipDeqModel } from './skip.ts';
export type { SkipDeqOptions } from './skip.ts';
export { revDeq, RevDeq } from './reversible.ts';
export type { RevDeqOptions, RevDeqReport } from './reversible.ts';
