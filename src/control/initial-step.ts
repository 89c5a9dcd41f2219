/**
 * Automatic initial step (Hairer, Nørsett & Wanner I, §II.4, "Starting step size"; identical in Hairer's DOPRI5 `hinit`,
 * SciPy `select_initial_step`, torchdiffeq, diffrax). With sc = atol + rtol|y0| and the RMS norm:
 *
 *     d0 = ‖y0/sc‖,  d1 = ‖f0/sc‖,  h0 = 0.01 d0/d1  (1e-6 if d0 or d1 < 1e-5),  h0 ≤ |t1 − t0|
 *     Euler probe: f1 = f(t0 + h0, y0 + h0 f0)   (1 NFE),   d2 = ‖(f1 − f0)/sc‖ / h0
 *     h1 = (0.01 / max(d1, d2))^{1/p}   (max(1e-6, 1e-3 h0) if max(d1, d2) ≤ 1e-15)
 *     h  = min(100 h0, h1, |t1 − t0|, maxStep),  signed by the direction of integration.
 *
 * The norm is the solve's (so a seminorm solve picks its step from the blocks it controls): ‖x/sc‖ is
 * norm(x, y0, y0, rtol, atol).
 */
import type { VectorField } from '../core/field.ts';
import { rmsNorm, type Norm, type Tolerance } from './norms.ts';

/** Optional inputs of {@link selectInitialStep}. */
export interface InitialStepOptions {
  /** Error norm. Default {@link rmsNorm}. */
  norm?: Norm;
  /** Upper bound on |h| (also |t1 − t0|). Default Infinity. */
  maxStep?: number;
  /** Two scratch arrays of length n (else allocated). */
  scratch?: [Float64Array, Float64Array];
}

/**
 * Picks the first step of an adaptive solve from y0, f0 = f(t0, y0) and the order p of the method
 * (5 for DP5/Tsit5, 3 for BS3 and VCAB3). Always costs exactly 1 NFE (the Euler probe).
 *
 * @param field the vector field; evaluated once, at (t0 + h0·dir, y0 + h0·dir·f0)
 * @param t0 start time; @param t1 end time (fixes the direction and the clamp |h| ≤ |t1 − t0|)
 * @param y0 initial state (length n); @param f0 f(t0, y0) (length n)
 * @param order p; the step is scaled like (0.01 / ‖f'‖)^{1/p}
 * @returns the signed initial step (0 if t1 = t0)
 */
export function selectInitialStep(field: VectorField, t0: number, t1: number, y0: Float64Array, f0: Float64Array,
  params: Float64Array, order: number, rtol: Tolerance, atol: Tolerance, options: InitialStepOptions = {}): number {
  const span = Math.abs(t1 - t0);
  if (span === 0) return 0;
  const dir = t1 > t0 ? 1 : -1;
  const norm = options.norm ?? rmsNorm;
  const maxStep = options.maxStep ?? Infinity;
  const n = y0.length;
  const [y1, f1] = options.scratch ?? [new Float64Array(n), new Float64Array(n)];
  const d0 = norm(y0, y0, y0, rtol, atol);
  const d1 = norm(f0, y0, y0, rtol, atol);
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  if (h0 > span) h0 = span;
  // One explicit Euler step probes how fast f changes along the solution.
  for (let i = 0; i < n; i++) y1[i] = y0[i] + dir * h0 * f0[i];
  field.eval(f1, t0 + dir * h0, y1, params);
  for (let i = 0; i < n; i++) f1[i] -= f0[i];
  const d2 = norm(f1, y0, y0, rtol, atol) / h0;
  const dMax = Math.max(d1, d2);
  // A non-finite probe (f undefined a little way ahead) falls back to the small step as well.
  const h1 = !(dMax > 1e-15) || !Number.isFinite(dMax) ? Math.max(1e-6, 1e-3 * h0) : Math.pow(0.01 / dMax, 1 / order);
  return dir * Math.min(100 * h0, h1, span, maxStep);
}
