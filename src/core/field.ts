/**
 * The vector field `dy/dt = f(t, y, params)` as every solver and gradient method sees it.
 *
 * The state `y` is one flat Float64Array of length `dim` (a batch [batch, d] is stored row-major and flattened:
 * all tensors flattened and concatenated, batch included, as torchdiffeq and diffrax do). Parameters are one flat
 * Float64Array of length `paramCount`.
 *
 * `vjp` is the primitive every gradient method pulls cotangents through (Chen et al. 2018;
 * the vector–Jacobian products of reverse-mode AD):
 * given v, it writes `dY = (∂f/∂y)ᵀ v`, adds `(∂f/∂params)ᵀ v` into dParams, and returns `(∂f/∂t)ᵀ v`.
 * It evaluates f at (t, y, params) itself (recomputation), so callers need not keep activations.
 */
import { TideError, checkFinite } from './errors.ts';
import { describe } from './array.ts';

/**
 * A vector field f(t, y; params) on a flat state, with an optional hand-written VJP: what `solve` integrates as
 * dy/dt = f (through `odeTerm`). Make one with {@link fieldFromFunction}, {@link fieldFromTrace} or {@link fieldFromModel}, or write the object yourself.
 */
export interface VectorField {
  /** Length of the flat state y (batch × state dimension). */
  readonly dim: number;
  /** Length of the flat parameter vector (0 for a field without parameters). */
  readonly paramCount: number;
  /** Human-readable name for messages. */
  readonly name?: string;
  /**
   * The precision f is evaluated in: absent or 'float64', or 'float32' for a field from a float32 model
   * (fieldFromModel; y, params and cotangents stay Float64Arrays). Solves reject tolerances a float32 field cannot
   * meet (rtol below FLOAT32_MIN_RTOL).
   */
  readonly dtype?: 'float64' | 'float32';
  /** out = f(t, y, params). out never aliases y. */
  eval(out: Float64Array, t: number, y: Float64Array, params: Float64Array): void;
  /**
   * Vector–Jacobian product at (t, y, params): overwrites dY with (∂f/∂y)ᵀ v, accumulates (∂f/∂params)ᵀ v into
   * dParams (skipped when null), and returns (∂f/∂t)ᵀ v. If fOut is given, f(t, y, params) is written there too.
   * Fields without a VJP leave this undefined; gradient methods then say so.
   */
  vjp?(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
    params: Float64Array, fOut?: Float64Array): number;
  /** Optional: stage slots that skip the re-evaluation inside vjp (see FieldTape). */
  tape?(slots: number): FieldTape;
  /**
   * Optional: `hold(params)` promises that the values of this params array stay unchanged until `hold(null)`, so
   * the field may prepare them once (a float32 model's field rounds them to float32 once instead of on every
   * evaluation). Solves call it around their step loop. Calls with another params array in between must still be
   * correct (they drop what was prepared).
   */
  hold?(params: Float64Array | null): void;
}

/**
 * The smallest rtol an adaptive solve accepts with a float32 field. A float32 network's f carries relative rounding
 * errors of order √(width)·2⁻²⁴ ≈ 1e-7–1e-6 (its parameters are rounded to float32 too), so the solution it
 * produces differs from the float64 model's by about that much per unit time: an rtol below 1e-6 would only
 * refine the solution of the rounded field (measured in test/integrate/float32-solve.test.ts).
 */
export const FLOAT32_MIN_RTOL = 1e-6;

/**
 * Stage slots for pullbacks at points the caller has just evaluated (the recomputed stages of a checkpointed or
 * reversible step): `eval(slot, …)` keeps what the VJP needs (activations and a copy of y) in that slot, and
 * `vjp(slot, …)` pulls back at that point without evaluating f again. Slots are independent; a slot is valid until
 * its next eval. params must stay unchanged between eval and vjp.
 * @property slots number of stage slots.
 */
export interface FieldTape {
  readonly slots: number;
  /** out = f(t, y, params), keeping the pullback data in `slot`. out must stay unchanged until vjp(slot). */
  eval(slot: number, out: Float64Array, t: number, y: Readonly<Float64Array>, params: Float64Array): void;
  /** VJP at the point of the last eval(slot): overwrites dY, accumulates into dParams (unless null), returns ∂f/∂t·v. */
  vjp(slot: number, dY: Float64Array, dParams: Float64Array | null, v: Float64Array): number;
}

/**
 * The field's own tape if it has one (model and traced fields do), otherwise a fallback that keeps a copy of each
 * slot's point and calls field.vjp (which re-evaluates f).
 */
export function fieldTape(field: VectorField, slots: number): FieldTape {
  if (typeof field.tape === 'function') return field.tape(slots);
  requireVjp('fieldTape', field);
  const ys = Array.from({ length: slots }, () => new Float64Array(field.dim));
  const ts = new Float64Array(slots);
  let params: Float64Array = new Float64Array(0);
  return {
    slots,
    eval(slot, out, t, y, p) { ys[slot].set(y); ts[slot] = t; params = p; field.eval(out, t, ys[slot], p); },
    vjp(slot, dY, dParams, v) { return field.vjp!(dY, dParams, v, ts[slot], ys[slot], params); },
  };
}

/** A plain right-hand side: writes f(t, y, params) into out. */
export type FieldFunction = (out: Float64Array, t: number, y: Float64Array, params: Float64Array) => void;

/**
 * Wraps a plain function as a VectorField (forward only: no vjp, so only forward solves).
 * For gradients, build the field with tide ops (`fieldFromTrace`) or from a model (`fieldFromModel`), or implement
 * VectorField yourself with a hand-written `vjp`.
 */
export function fieldFromFunction(f: FieldFunction, dim: number, paramCount = 0, name = 'f'): VectorField {
  if (typeof f !== 'function') throw new TideError('BAD_ARGUMENT', `fieldFromFunction: f must be a function (out, t, y, params) => void, got ${describe(f)}.`);
  if (!Number.isInteger(dim) || dim <= 0) throw new TideError('SHAPE', `fieldFromFunction: dim must be a positive integer (the state length), got ${dim}.`);
  if (!Number.isInteger(paramCount) || paramCount < 0) throw new TideError('SHAPE', `fieldFromFunction: paramCount must be a non-negative integer, got ${paramCount}.`);
  if (typeof name !== 'string') throw new TideError('BAD_ARGUMENT', `fieldFromFunction: name must be a string (used in messages), got ${describe(name)}.`);
  return { dim, paramCount, name, eval: f };
}

/** True if `x` looks like a VectorField. */
export function isVectorField(x: unknown): x is VectorField {
  return typeof x === 'object' && x !== null && typeof (x as VectorField).eval === 'function' && typeof (x as VectorField).dim === 'number';
}

/** Throws a clear error if a field has no VJP (used by gradient methods). */
export function requireVjp(where: string, field: VectorField): void {
  if (typeof field.vjp !== 'function') {
    throw new TideError('BAD_ARGUMENT', `${where}: the vector field '${field.name ?? 'f'}' has no vjp, so gradients cannot be computed. Build it with fieldFromTrace (tide ops) or fieldFromModel, or give it a vjp method.`);
  }
}

/** Checks params before a solve: right length and finite. */
export function checkParams(where: string, field: VectorField, params: Float64Array): void {
  if (!(params instanceof Float64Array)) throw new TideError('DTYPE', `${where}: params must be a Float64Array of length ${field.paramCount}, got ${describe(params)}.`);
  if (params.length !== field.paramCount) {
    throw new TideError('SHAPE', `${where}: params has length ${params.length}; the field '${field.name ?? 'f'}' expects ${field.paramCount}.`, { expected: field.paramCount, got: params.length });
  }
  checkFinite(where, 'params', params, 'Check the initialisation or lower the learning rate.');
}
