/**
 * The forward-solver interface: find z with z = F(z) for a batched map F (rows of n entries, independent problems).
 * Solvers are objects made by functions that check their own options (`fixedPoint({ damping })`,
 * `anderson({ memory })`, `broyden()`); their workspace is built once per shape, and `solve` allocates nothing per
 * iteration. The same solvers run the DEQ forward pass (F = f_θ(·, x)) and the fixed-point / quasi-Newton
 * adjoint solves of the backward pass (F(λ) = (∂f/∂z)ᵀλ + v).
 */
import type { ForwardStats, ResolvedTermination } from './termination.ts';

/** A batched map whose fixed point is sought: out = F(z), both [batch, n]. out never aliases z. */
export interface IterMap {
  /** out [batch, n] = F(z) for z [batch, n]. */
  eval(out: Float64Array, z: Readonly<Float64Array>): void;
}

/**
 * What every forward solver's workspace holds; the rest of it (iterate history, Broyden factors) is private to the solver.
 * @property n width of one row (the state z of one sample).
 * @property batch number of independent rows solved together.
 * @property bytes bytes of the workspace's buffers (reported as memory held).
 */
export interface SolverWorkspace { readonly n: number; readonly batch: number; readonly bytes: number }

/**
 * A fixed-point solver for z = F(z), row by row: {@link fixedPoint}, {@link anderson}, {@link broyden} or
 * {@link continuous}. Made once with its options; `workspace` sizes it for one shape, then `solve` allocates nothing.
 * @property name the solver's name as in messages and reports ('fixed-point', 'anderson', 'broyden', 'continuous(vcab3)', …).
 * @property termination the checked stopping rule (tolerance, norm, iteration limit) every solve uses.
 * @property workspace allocates the buffers for rows of width n, batch rows at a time; pass the result to solve.
 */
export interface ForwardSolver<W extends SolverWorkspace = SolverWorkspace> {
  readonly name: string;
  readonly termination: ResolvedTermination;
  workspace(n: number, batch: number): W;
  /** z holds z_0 on entry and the best iterate on return. Does not throw on non-convergence: see stats.converged. */
  solve(z: Float64Array, F: IterMap, ws: W): ForwardStats;
  /**
   * Solvers whose layer output is not the iterate they return (the continuous DEQ outputs f(z_T) and is linearised
   * at z_T) write the output of the last solve here; without it the output is z itself.
   */
  output?(out: Float64Array, z: Readonly<Float64Array>, ws: W): void;
}
