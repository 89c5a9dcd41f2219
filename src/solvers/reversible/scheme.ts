/**
 * Algebraically reversible schemes: one-step maps on a state of a few d-vectors whose inverse is known in closed
 * form, so a backward pass can rebuild every earlier state exactly (up to round-off) from the last one instead of
 * storing it (McCallum & Foster 2024, arXiv 2410.11648; reversible.md).
 *
 * The state is `parts` vectors of length d; part 0 is the reported solution y_n. Implemented here:
 *   coupled.ts          the λ-coupled McCallum–Foster wrapper of any explicit RK tableau (state (y, z));
 *   reversible-heun.ts  reversible Heun (Kidger et al. 2021; state (X, Y, f(Y)));
 *   mali.ts             the asynchronous leapfrog integrator of MALI (Zhuang et al. 2021; state (X, V)).
 */
import type { VectorField } from '../../core/field.ts';

export interface ReversibleScheme<W = unknown> {
  readonly name: string;
  /** Order of convergence of the reported solution. */
  readonly order: number;
  /** Order of the embedded error estimate; undefined: fixed steps only. */
  readonly errorOrder: number | undefined;
  /** Number of d-vectors in the state. */
  readonly parts: number;
  /** f evaluations per forward step (and per reconstruction). */
  readonly nfePerStep: number;
  workspace(dim: number): W;
  /** state ← initial state from y0 at t0 (e.g. (y0, y0), or (y0, f(t0, y0))). Returns NFE. */
  init(state: Float64Array[], y0: Readonly<Float64Array>, field: VectorField, t0: number, params: Float64Array, ws: W): number;
  /**
   * One step (t, h) from `state` into `out` (distinct arrays); the local error vector into errOut when non-null
   * (needs errorOrder). Returns NFE.
   */
  step(out: Float64Array[], errOut: Float64Array | null, field: VectorField, t: number, h: number, state: readonly Float64Array[],
    params: Float64Array, ws: W): number;
  /** The exact inverse: from the state at t + h back to the state at t, into `out`. Returns NFE. */
  stepBack(out: Float64Array[], field: VectorField, t: number, h: number, state: readonly Float64Array[], params: Float64Array, ws: W): number;
}

/** Allocates `parts` vectors of length d. */
export function allocState(parts: number, d: number): Float64Array[] {
  return Array.from({ length: parts }, () => new Float64Array(d));
}

/** dst[i] ← src[i] for every part. */
export function copyState(dst: Float64Array[], src: readonly Float64Array[]): void {
  for (let i = 0; i < dst.length; i++) dst[i].set(src[i]);
}
