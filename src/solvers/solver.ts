/**
 * The interface every time stepper meets (STYLE.md §2, adapted): explicit RK methods built from a tableau
 * (erk.ts), VCAB3 (vcab3.ts), and later wrappers. Capabilities are fields, not guesses; the integration loop
 * (src/solve/solve.ts) drives any Solver through the same four calls:
 *
 *     begin(…)            once: f(t0, y0) → 1 NFE
 *     step(…)             per attempted step: writes y_{n+1} and the error vector, returns NFE spent
 *     accept(…)           per accepted step: packs dense coefficients if asked, advances FSAL/history
 *     currentF(ws)        f(t_n, y_n) at the current point, if the solver knows it
 *
 * Everything a solver needs between calls lives in its workspace, allocated once per solve by `workspace(dim)`;
 * no call allocates.
 */
import type { VectorField } from '../core/field.ts';
import type { PiGains, Tableau } from './tableau.ts';

/** What the loop (and gradient methods) may read from any solver workspace. */
export interface SolverWorkspace {
  /** Length n of the flat state. */
  readonly dim: number;
  /**
   * Stage derivatives of the last attempted step (k_i = f(t + c_i h, Y_i), derivatives not increments). For
   * an explicit RK step this is the tableau's s arrays; for a VCAB3 Adams step it is [f_n, f_{n−1}, f_{n−2}].
   * Valid from `step` until `accept` (which may rotate the arrays for FSAL).
   */
  stepK: readonly Float64Array[];
  /** Tableau of the last attempted step, or null for a multistep (Adams) step. */
  stepTableau: Tableau | null;
  /** Set by the loop: keep what the stiffness estimate needs (a copy of one stage input per step). */
  trackStiffness: boolean;
  /** Copy of the stage input Y_x of the last step (x = stiffnessStages[0]), when tracked; else null. */
  readonly yStiff: Float64Array | null;
}

/** A time stepper. `W` is its workspace type. */
export interface Solver<W extends SolverWorkspace = SolverWorkspace> {
  /** The method string ('tsit5'). */
  readonly name: string;
  /** Order p of the propagated solution: drives controller exponents and the initial-step formula. */
  readonly order: number;
  /** Order q of the embedded error estimate; undefined when the solver has none (fixed steps only). */
  readonly errorOrder: number | undefined;
  /** Whether `solve` steps adaptively when the caller does not say. */
  readonly adaptiveByDefault: boolean;
  /** True if the solver can also step backward exactly (reversible wrappers); false here. */
  readonly reversible: boolean;
  /** Default PI gains (solvers.md §5.1). */
  readonly piGains: PiGains;
  /** Width of its dense coefficients (n-vectors per step), see dense/polynomial.ts. */
  readonly denseWidth: number;
  /** Order of its dense output (local error O(h^(order+1))). */
  readonly denseOrder: number;
  /** Stage pair for Shampine's stiffness estimate, or null (then the estimate is NaN). */
  readonly stiffnessStages: readonly [number, number] | null;
  /** The tableau, for explicit RK solvers. */
  readonly tableau: Tableau | null;
  /** All scratch for one solve of an n-dimensional state, allocated once. */
  workspace(dim: number): W;
  /**
   * Starts (or restarts, after a tstop that may be a jump of f) at (t0, y0): evaluates f(t0, y0) fresh and forgets
   * FSAL stages and multistep history. Returns the NFE spent (1).
   */
  begin(field: VectorField, t0: number, y0: Float64Array, params: Float64Array, ws: W): number;
  /** f(t_n, y_n) at the current point if known (after begin, and after accept when it was evaluated), else null. */
  currentF(ws: W): Float64Array | null;
  /**
   * One attempted step from (t, y) with signed step h: writes y(t + h) into yOut and, if errOut is non-null, the
   * local error vector. yOut must not alias y. Returns the NFE spent. Nothing is committed: a rejected attempt
   * is simply retried with another h.
   */
  step(yOut: Float64Array, errOut: Float64Array | null, field: VectorField, t: number, h: number,
    y: Float64Array, params: Float64Array, ws: W): number;
  /**
   * Commits the last attempted step (t, h, y → yNew). If coefOut is non-null, writes its dense coefficients there
   * (denseWidth·n numbers). If needFEnd, makes f(t + h, yNew) available through currentF afterwards (free for FSAL
   * tableaus and VCAB3, else 1 NFE, reused as the next k_1). Returns the NFE spent.
   */
  accept(coefOut: Float64Array | null, needFEnd: boolean, field: VectorField, t: number, h: number,
    y: Float64Array, yNew: Float64Array, params: Float64Array, ws: W): number;
}
