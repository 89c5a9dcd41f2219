/**
 * tide: neural differential equations for TypeScript. Public API: hand-chosen re-exports only; whatever is not
 * exported here is internal.
 */
// core: arrays, errors, randomness, kernels
export { NDArray, shapeSize, allocate } from './core/array.ts';
export type { DType, FloatArray, Shape } from './core/array.ts';
export { TideError } from './core/errors.ts';
export type { TideErrorCode } from './core/errors.ts';
export { Rng } from './core/random.ts';
export * as kernels from './core/kernels/index.ts';
export { activations, getActivation, ACTIVATION_NAMES } from './core/kernels/activations.ts';
export type { Activation, ActivationName } from './core/kernels/activations.ts';
// autodiff and vector fields
export { ops, trace, vjp, valueAndGrad, Graph, fieldFromTrace } from './core/autodiff/index.ts';
export type { Var, TraceOptions, VjpResult, TracedField, TraceFieldOptions, ApplyVjp } from './core/autodiff/index.ts';
export { fieldFromFunction } from './core/field.ts';
export type { VectorField, FieldFunction } from './core/field.ts';
// neural networks
export * from './nn/index.ts';
// optimizers
export * from './optim/index.ts';
// solving
export * from './solve/index.ts';
// gradients
export * from './gradients/index.ts';
// training
export * from './train/index.ts';
// reversible schemes and their stability
export * from './solvers/reversible/index.ts';
export { reversibleSolve } from './solve/reversible-solve.ts';
export type { ReversibleSolveOptions, ReversibleForward } from './solve/reversible-solve.ts';
// benchmark problems
export * from './problems/index.ts';
