/**
 * Gradient clipping, applied to the flat gradient vector g (length = paramCount) in place before an update.
 *
 *     clipGradNorm:   g ← g · min(1, c / ‖g‖₂)          (Pascanu, Mikolov & Bengio 2013, "On the difficulty of
 *                                                      training recurrent neural networks", Algorithm 1)
 *     clipGradValue:  g_i ← min(max(g_i, −c), c)
 *
 * Norm clipping keeps the direction of g and only shortens it; value clipping changes the direction and is
 * rarely what you want for a neural ODE (prefer norm clipping, or the optimizers' `clipNorm` option). Unlike
 * PyTorch's `clip_grad_norm_` the factor is exactly c/‖g‖ (no +1e-6), so the clipped norm equals c to rounding.
 */
import { TideError, firstNonFinite, fmtGot } from '../core/errors.ts';

/**
 * Global L2 norm ‖g‖₂ = √(Σ g_i²), safe from overflow and underflow of the squares (rescales by max |g_i| when
 * the plain sum leaves the normal range). Returns NaN if any g_i is NaN, else Infinity if any is ±Infinity;
 * also Infinity when the entries are finite but the norm itself exceeds the largest double (≈1.8e308).
 */
export function gradNorm(g: Readonly<Float64Array>): number {
  if (!(g instanceof Float64Array)) throw notArray('gradNorm', g);
  const n = g.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += g[i] * g[i];
  // 1e-280 < s < MAX_VALUE: no square overflowed and none that mattered underflowed.
  if (s > 1e-280 && s <= Number.MAX_VALUE) return Math.sqrt(s);
  if (!(s < Infinity) && firstNonFinite(g) >= 0) return Math.sqrt(s); // NaN or Infinity, as the entries say
  const m = maxAbs(g);
  return m === 0 ? 0 : m * Math.sqrt(scaledSumSq(g, m));
}

/**
 * Scales `grads` in place so that its global L2 norm is at most `maxNorm`: g ← g · min(1, maxNorm / ‖g‖₂).
 * Returns the norm before clipping (log it: a norm that keeps hitting maxNorm means lr is too large).
 * @param grads  flat gradient, length paramCount; modified in place.
 * @param maxNorm  largest allowed norm, finite > 0.
 * @throws TideError('NONFINITE') naming the first NaN/Infinity index of grads (grads left untouched);
 *   TideError('BAD_ARGUMENT') when maxNorm is not a finite number > 0.
 */
export function clipGradNorm(grads: Float64Array, maxNorm: number): number {
  if (!(grads instanceof Float64Array)) throw notArray('clipGradNorm', grads);
  if (typeof maxNorm !== 'number' || !(maxNorm > 0 && maxNorm <= Number.MAX_VALUE)) throw badMax('clipGradNorm', 'maxNorm', maxNorm);
  const norm = gradNorm(grads);
  if (!(norm <= Number.MAX_VALUE)) {
    const i = firstNonFinite(grads);
    if (i >= 0) throw nonFiniteGrad('clipGradNorm', grads, i);
  }
  scaleToNorm(grads, norm, maxNorm);
  return norm;
}

/**
 * Clamps every entry of `grads` in place to [−maxValue, maxValue]. Returns max |g_i| before clipping.
 * Changes the gradient's direction; prefer {@link clipGradNorm}.
 * @throws TideError('NONFINITE') naming the first NaN/Infinity index (grads left untouched);
 *   TideError('BAD_ARGUMENT') when maxValue is not a finite number > 0.
 */
export function clipGradValue(grads: Float64Array, maxValue: number): number {
  if (!(grads instanceof Float64Array)) throw notArray('clipGradValue', grads);
  if (typeof maxValue !== 'number' || !(maxValue > 0 && maxValue <= Number.MAX_VALUE)) throw badMax('clipGradValue', 'maxValue', maxValue);
  const i = firstNonFinite(grads);
  if (i >= 0) throw nonFiniteGrad('clipGradValue', grads, i);
  const m = maxAbs(grads);
  if (m > maxValue) {
    for (let j = 0; j < grads.length; j++) {
      const v = grads[j];
      grads[j] = v > maxValue ? maxValue : v < -maxValue ? -maxValue : v;
    }
  }
  return m;
}

/**
 * Internal: given `norm` = gradNorm(g) of finite g, scales g in place to norm ≤ maxNorm. Handles a norm that
 * overflowed to Infinity although every entry is finite by scaling through max |g_i|.
 */
export function scaleToNorm(g: Float64Array, norm: number, maxNorm: number): void {
  if (!(norm > maxNorm)) return;
  const n = g.length;
  if (norm <= Number.MAX_VALUE) {
    const f = maxNorm / norm;
    for (let i = 0; i < n; i++) g[i] *= f;
    return;
  }
  const m = maxAbs(g);
  const f = maxNorm / Math.sqrt(scaledSumSq(g, m)); // ‖g/m‖ is in [1, √n]: no overflow
  for (let i = 0; i < n; i++) g[i] = (g[i] / m) * f;
}

function maxAbs(g: Readonly<Float64Array>): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) {
    const a = Math.abs(g[i]);
    if (a > m) m = a;
  }
  return m;
}

function scaledSumSq(g: Readonly<Float64Array>, m: number): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) {
    const r = g[i] / m;
    s += r * r;
  }
  return s;
}

function notArray(where: string, g: unknown): TideError {
  return new TideError('DTYPE', `${where}: grads must be a Float64Array (the flat gradient), got ${fmtGot(g)}.${Array.isArray(g) ? ' Use Float64Array.from(...).' : ''}`, { what: 'grads' });
}

function badMax(where: string, name: string, v: number): TideError {
  return new TideError('BAD_ARGUMENT', `${where}: ${name} must be a finite number > 0, got ${fmtGot(v)}. A value such as 1 is typical.`,
    { [name]: v });
}

function nonFiniteGrad(where: string, g: Readonly<Float64Array>, i: number): TideError {
  return new TideError(
    'NONFINITE',
    `${where}: grads[${i}] is ${g[i]}; clipping needs finite gradients, so the gradient computation produced this. ` +
      'Check the loss for overflow, or lower the learning rate if training has been diverging.',
    { what: 'grads', index: i, value: g[i] },
  );
}
