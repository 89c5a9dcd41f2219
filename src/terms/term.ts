/**
 * Terms: how the state moves over one step (diffrax's `AbstractTerm`; Kidger, *On Neural Differential Equations*,
 * 2021, §5.1). A term has a vector field `vf(t, y)` and a control `X(t)`; its increment over [t_a, t_b] is the product
 * `vf(t, y) · (X(t_b) − X(t_a))`, linear in the control increment:
 *
 *     ODE   dy = f(t, y) dt            control t                (ode.ts)
 *     CDE   dy = f(t, y) dX(t)         a control path X         (control.ts; Kidger et al. 2020, eq. (4))
 *     SDE   dy = g(t, y) ∘ dW(t)       a Brownian path W        (diffusion.ts; Stratonovich with Heun, Itô with Euler)
 *
 * and sums of them (sum.ts). Runge–Kutta stages are increments of the term, Δ_i = vf(t + c_i h, Y_i)·ΔX, so one
 * tableau drives all of them (for an ODE term with ΔX = h the stepper keeps k_i = f(t + c_i h, Y_i) and multiplies by
 * h in the stage combinations, which is the same increment written the way Hairer, Nørsett & Wanner write ERK).
 */
import type { FieldTape, VectorField } from '../core/field.ts';

/** A term: the increment of the state over a step as a vector field times a control increment. */
export interface Term {
  /** Length of the flat state y. */
  readonly dim: number;
  /** Length of the flat parameter vector. */
  readonly paramCount: number;
  /** For messages. */
  readonly name: string;
  /** Length of one control increment ΔX (1 for an ODE term, whose control is time). */
  readonly controlDim: number;
  /**
   * The field f of dy/dt = f(t, y) when this is a plain ODE term, else null. Solvers use it to keep stages as
   * derivatives (bitwise the classical ERK); the initial-step guess, the stiffness estimate, the steady-state test and
   * the continuous adjoints need it.
   */
  readonly ode: VectorField | null;
  /** Whether every term inside has a VJP (gradients need it). */
  readonly differentiable: boolean;
  /** out = X(tb) − X(ta) (length controlDim). For an ODE term: [tb − ta]. */
  control(out: Float64Array, ta: number, tb: number): void;
  /** out = vf(t, y)·ΔX: the increment of y over a step with control increment ΔX. out never aliases y. */
  vfProd(out: Float64Array, t: number, y: Readonly<Float64Array>, params: Readonly<Float64Array>, control: Readonly<Float64Array>): void;
  /**
   * Pullback of vfProd at (t, y, ΔX): overwrites dY with (∂(vf·ΔX)/∂y)ᵀ v, accumulates (∂(vf·ΔX)/∂params)ᵀ v into
   * dParams (unless null), and returns the t-cotangent (∂(vf·ΔX)/∂t)ᵀ v.
   */
  vfProdVjp(dY: Float64Array, dParams: Float64Array | null, v: Readonly<Float64Array>, t: number, y: Readonly<Float64Array>,
    params: Readonly<Float64Array>, control: Readonly<Float64Array>): number;
  /** Stage slots that keep what the pullback needs, so a just-evaluated stage is pulled back without re-evaluation. */
  tape(slots: number): TermTape;
}

/**
 * Stage slots of a term (the term-level {@link FieldTape}): `vfProd(slot, …)` evaluates and keeps the pullback data in
 * `slot`; `vjp(slot, …)` pulls back at that point without evaluating again. params must not change in between.
 * @property slots number of stage slots.
 * @property vfProd out = vf(t, y)·ΔX, as {@link Term.vfProd}, keeping the pullback data in `slot`.
 * @property vjp pullback at the point last evaluated in `slot`, as {@link Term.vfProdVjp}: overwrites dY, accumulates dParams, returns the t-cotangent.
 */
export interface TermTape {
  readonly slots: number;
  vfProd(slot: number, out: Float64Array, t: number, y: Readonly<Float64Array>, params: Readonly<Float64Array>, control: Readonly<Float64Array>): void;
  vjp(slot: number, dY: Float64Array, dParams: Float64Array | null, v: Readonly<Float64Array>): number;
}

/** True if x looks like a Term (has vfProd and control). */
export function isTerm(x: unknown): x is Term {
  return typeof x === 'object' && x !== null && typeof (x as Term).vfProd === 'function' && typeof (x as Term).control === 'function'
    && typeof (x as Term).dim === 'number';
}

export type { FieldTape };
