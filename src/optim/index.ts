/**
 * Optimizers over one flat parameter vector, learning-rate schedules and gradient clipping.
 * `optimizer(name, options)` or `sgd` / `adam` / `adamw` / `adamax` / `rmsprop` make an {@link Optimizer}; every one takes
 * `lr: number | Schedule` and `clipNorm`.
 */
export { optimizer, optimizerNames } from './optimizer.ts';
export type {
  Optimizer, OptimizerState, OptimizerName, OptimizerOptionsByName, CommonOptions,
} from './optimizer.ts';
export { sgd } from './sgd.ts';
export type { SgdOptions } from './sgd.ts';
export { adam } from './adam.ts';
export type { AdamOptions } from './adam.ts';
export { adamw } from './adamw.ts';
export type { AdamWOptions } from './adamw.ts';
export { adamax } from './adamax.ts';
export type { AdamaxOptions } from './adamax.ts';
export { rmsprop } from './rmsprop.ts';
export type { RmspropOptions } from './rmsprop.ts';
export { constant, cosine, exponential, inverseTime } from './schedules.ts';
export type { Schedule, CosineOptions, ExponentialOptions, InverseTimeOptions } from './schedules.ts';
export { clipGradNorm, clipGradValue, gradNorm } from './clip.ts';
