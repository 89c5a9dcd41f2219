/**
 * Checkpoint schedules as pure algorithms on step indices (exported as the `checkpointing` namespace): Revolve
 * (Griewank & Walther 2000) and online checkpointing (Stumm & Walther 2010; Wang, Moin & Iaccarino 2009), their cost
 * formulas, and a counting executor to test or cost a schedule without an ODE; plus the Chebyshev/barycentric helpers
 * of the interpolated adjoint.
 */
export { beta, revolveCost, optimalSplit, revolveBackward, revolveForward } from './revolve.ts';
export type { RevolveBackwardOptions } from './revolve.ts';
export { OnlineCheckpointer, onlineBackward, defaultCheckpoints } from './online-checkpoint.ts';
export { CountingOps } from './checkpoint-ops.ts';
export type { CheckpointOps, CountingOpsOptions } from './checkpoint-ops.ts';
export { chebyshevNodes, barycentricWeights, barycentric } from './chebyshev.ts';
