/**
 * tide: neural differential equations for TypeScript. Public API: hand-chosen re-exports only; whatever is not
 * exported here is internal. At the top: solving, terms, solvers, gradient methods, models, optimizers and training.
 * Named sub-modules: `stepping` (solver internals), `checkpointing` (schedules), `stability` (reversible schemes'
 * stability regions), `problems` (the papers' benchmark problems), `kernels` (BLAS-like kernels).
 */
// solving, with or without gradients
export { solve, prepareSolve, solveWithGradient, valueAndGradient } from './gradients/solve.ts';
export type { GradientSolveOptions, GradientSolution, GradientResult, BackwardOptions, PreparedSolve } from './gradients/solve.ts';
export type { SolveOptions, StepInfo, AcceptedStep, SteadyStateOptions, ResolvedOptions } from './integrate/options.ts';
export type { ReturningFunction } from './integrate/field-check.ts';
export { DEFAULT_MAX_STEPS } from './integrate/options.ts';
export type { Solution, SolveStatus } from './integrate/solution.ts';
export type { SaveAtOptions, ResolvedSaveAt } from './integrate/save-at.ts';
export type { EventSpec, EventInfo } from './integrate/events.ts';
export type { SolveStats } from './integrate/stats.ts';
// terms and vector fields
export * from './terms/index.ts';
export { fieldFromFunction, FLOAT32_MIN_RTOL } from './core/field.ts';
export type { VectorField, FieldFunction, FieldTape } from './core/field.ts';
export { ops, trace, vjp, valueAndGrad, Graph, fieldFromTrace } from './core/autodiff/index.ts';
export type { Var, TraceOptions, VjpResult, TracedField, TraceFieldOptions, ApplyVjp, VjpInput, TracedFieldFunction } from './core/autodiff/index.ts';
export type { Node, InputNode } from './core/autodiff/node.ts';
// solvers, step control
export * from './solvers/index.ts';
export { rmsNorm, rmsNormRange } from './control/norms.ts';
export type { Norm, Tolerance } from './control/norms.ts';
export { PIController } from './control/pi.ts';
export type { StepSizeController, PIControllerOptions } from './control/pi.ts';
export { IController, ScipyController } from './control/i-controller.ts';
export type { IControllerOptions } from './control/i-controller.ts';
// gradient methods
export { direct, checkpoint, backsolve, interpolated, reversible, quadrature, GRADIENT_METHOD_NAMES, ADJOINT_NORM_NAMES } from './gradients/index.ts';
export type {
  GradientMethod, GradientRun, GradientReport, GradientContext, ForwardRecord, ForwardGrid, DirectOptions, CheckpointOptions,
  BacksolveOptions, InterpolatedOptions, ReversibleOptions, QuadratureOptions, AdjointSolveOptions, AdjointNormName, ChebyshevWeights,
} from './gradients/index.ts';
// neural networks, optimizers, training
export * from './nn/index.ts';
export * from './optim/index.ts';
export * from './train/index.ts';
// core: arrays, errors, randomness, activations
export { NDArray, shapeSize, allocate } from './core/array.ts';
export type { DType, FloatArray, Shape } from './core/array.ts';
export { TideError } from './core/errors.ts';
export type { TideErrorCode } from './core/errors.ts';
export { Rng } from './core/random.ts';
export type { RngState } from './core/random.ts';
export { activations, getActivation, ACTIVATION_NAMES } from './core/kernels/activations.ts';
export type { Activation, ActivationName } from './core/kernels/activations.ts';
// named sub-modules
export * as kernels from './core/kernels/index.ts';
export * as stepping from './solvers/stepping.ts';
export * as checkpointing from './gradients/checkpointing.ts';
export * as stability from './solvers/reversible/index.ts';
export * as problems from './problems/index.ts';
// deep equilibrium models: solvers, backward modes, layer, regularisers, Skip and reversible DEQs
export * as deq from './deq/index.ts';
// data-parallel gradients on worker threads / Web Workers (workerpool; loaded only when a pool is started)
export { parallelGradient, parallelValueAndGradient, fitParallel } from './parallel/index.ts';
export type {
  ParallelGradient, ParallelGradientOptions, ParallelGradientResult, ModuleUrl, ShardContext, ShardProblem, ShardSetup, ShardResult, ShardBatch,
  FitParallelOptions, FitParallelResult,
} from './parallel/index.ts';
