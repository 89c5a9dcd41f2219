/**
 * The integration loop's public pieces: the forward-only `integrate` on checked options, and the types of solutions,
 * options, saves, events and statistics. Users call `solve` (src/gradients/solve.ts), which runs this loop.
 */
export { integrate } from './solve.ts';
export type { SolveOptions, StepInfo, AcceptedStep, SteadyStateOptions, ResolvedOptions } from './options.ts';
export { DEFAULT_MAX_STEPS, resolveSolveOptions } from './options.ts';
export type { Solution, SolveStatus } from './solution.ts';
export type { SaveAtOptions } from './save-at.ts';
export type { EventSpec, EventInfo } from './events.ts';
export type { SolveStats } from './stats.ts';
export { shampineStiffness, stiffnessEstimate, STABILITY_SIZE } from './stiffness.ts';
