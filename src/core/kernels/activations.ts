/**
 * Elementwise activation functions with their derivatives, as array kernels (forward/backward) and scalars (f/df).
 *
 *   identity  x                                   tanh      tanh x
 *   sigmoid   σ(x) = 1/(1 + e^(−x))               softplus  log(1 + e^x)
 *   relu      max(x, 0)                           swish     x·σ(x)  (SiLU)
 *   gelu      x·Φ(x) = x·(1 + erf(x/√2))/2  (exact, PyTorch's default `approximate='none'`)
 *   gelu-tanh x·(1 + tanh(√(2/π)(x + 0.044715x³)))/2  (Hendrycks & Gimpel 2016, PyTorch's `approximate='tanh'`)
 *
 * Accuracy (float64, max error against mpmath in activations.test.ts): tanh 0.51 ulp, sigmoid 0.50, softplus 1.4,
 * swish 1.2, gelu 2.2; gelu-tanh within 2 ulp beyond its formula's own conditioning (|2v|·(1 − σ(2v)) ulp, which
 * grows for x ≪ 0 in any float evaluation of that formula, PyTorch's included). relu and identity are exact.
 * The scalars come from fastmath.ts, which V8 inlines into the loops here; per element on 800-element arrays,
 * tanh forward costs ~0.35× a Math.tanh loop, sigmoid and swish ~0.6× their Math.exp forms (bench/activations.ts).
 *
 * Backward passes take both x and y = act(x); `needsInput` says which one they read, so a caller that keeps only the
 * output (tanh, sigmoid, softplus, relu, identity) may let `forward` overwrite x in place. Backward derivatives:
 *   tanh' = (1 − y)(1 + y)   σ' = y(1 − y)   softplus' = σ(x) = −expm1(−y)   relu' = [y > 0]
 *   gelu' = Φ(x) + x·φ(x)    swish' = σ(x)(1 + x(1 − σ(x)))   gelu-tanh' = s + x·s(1 − s)·2√(2/π)(1 + 3·0.044715x²),
 *   s = σ(2√(2/π)(x + 0.044715x³)).
 * Kernels do no validation beyond one length comparison (callers validate at the API boundary); Float64Array inputs
 * take a monomorphic fast path, any other mix of Float64Array/Float32Array a generic one.
 */
import type { FloatArray } from '../array.ts';
import { TideError, unknownName } from '../errors.ts';
import { exp, expm1, gelu as geluExact, normalCdf, normalPdf, sigmoid, tanh } from './fastmath.ts';

/** Names of the built-in activations ('gelu' is the erf form, 'gelu-tanh' the tanh approximation; 'swish' is x·σ(x)). */
export type ActivationName = 'identity' | 'tanh' | 'sigmoid' | 'softplus' | 'relu' | 'gelu' | 'gelu-tanh' | 'swish';

/** Every {@link ActivationName}, in a stable order. */
export const ACTIVATION_NAMES: readonly ActivationName[] = Object.freeze([
  'identity', 'tanh', 'sigmoid', 'softplus', 'relu', 'gelu', 'gelu-tanh', 'swish',
] as const);

/**
 * An elementwise activation with its derivative, as array kernels (forward, backward) and scalar forms (f, df).
 * @property name the activation's name.
 * @property df the derivative act'(x).
 */
export interface Activation {
  readonly name: ActivationName;
  /** true if backward needs the input x; false if it needs only the output y. */
  readonly needsInput: boolean;
  /**
   * out[i] = act(x[i]) for i < n (n defaults to x.length). out may alias x (then needsInput activations lose x:
   * callers keep x separately). Returns out. Throws TideError('SHAPE') if n exceeds out.length or x.length.
   */
  forward(out: FloatArray, x: Readonly<FloatArray>, n?: number): FloatArray;
  /**
   * dX[i] = dOut[i] * act'(x[i]) (given x and y = act(x), both available), overwriting dX; dX may alias dOut.
   * Returns dX. Throws TideError('SHAPE') if n exceeds any array's length.
   */
  backward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n?: number): FloatArray;
  /** Scalar forms for tests and mechanistic formulas. */
  f(x: number): number;
  df(x: number): number;
}

// ---------------------------------------------------------------------------------------------------------------
// Scalars. Each is branch-light so V8 can inline it into the loops below.

const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_TANH_C = 0.044715;
/** The most negative finite double: x·σ(x) with x clamped to it gives the limit −0 at x = −∞ instead of ∞·0. */
const NEG_MAX = -Number.MAX_VALUE;

function identityF(x: number): number { return x; }
function one(_x: number): number { return 1; }

/** tanh'(x) = sech²x = 4w/(1 + w)², w = e^(−2|x|): accurate in the tails, unlike 1 − tanh²x. */
function tanhDf(x: number): number {
  const w = exp(-2 * Math.abs(x));
  const d = 1 + w;
  return (4 * w) / (d * d);
}

/** σ'(x) = σ(x)σ(−x). */
function sigmoidDf(x: number): number { return sigmoid(x) * sigmoid(-x); }

/** softplus(x) = max(x, 0) + log1p(e^(−|x|)): no overflow, and ≈ e^x to full relative accuracy for x → −∞. */
function softplusF(x: number): number { return Math.max(x, 0) + Math.log1p(exp(-Math.abs(x))); }

/** relu; NaN propagates, relu(−0) = 0. */
function reluF(x: number): number { return Math.max(x, 0); }
function reluDf(x: number): number { return x > 0 ? 1 : 0; }

/** gelu'(x) = Φ(x) + x·φ(x), with x clamped to ±40 in the second term (φ(40)·40 underflows: the limits 0 and 1). */
function geluDf(x: number): number {
  return normalCdf(x) + Math.min(Math.max(x, -40), 40) * normalPdf(x);
}

/** gelu-tanh(x) = x·σ(2v), v = √(2/π)(x + 0.044715x³), since (1 + tanh v)/2 = σ(2v) (no cancellation for x < 0). */
function geluTanhF(x: number): number {
  return Math.max(x, NEG_MAX) * sigmoid(2 * SQRT_2_OVER_PI * (x + GELU_TANH_C * (x * x * x)));
}
function geluTanhDf(x: number): number {
  const x2 = x * x;
  const s = sigmoid(2 * SQRT_2_OVER_PI * (x + GELU_TANH_C * (x2 * x)));
  // 1 − s is exact for s ≥ 1/2 (Sterbenz); where it is small its absolute error u·s only enters multiplied by x·v',
  // a relative error of the derivative of about |x|·u (the swish' argument below).
  const t = s * (x * (1 - s) * (2 * SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x2)));
  return s + (t === t ? t : 0); // s·x·(1 − s)·v' is 0·∞ = NaN only as x → −∞, where the limit is 0
}

function swishF(x: number): number { return Math.max(x, NEG_MAX) * sigmoid(x); }
/**
 * swish'(x) = σ(x)(1 + x(1 − σ(x))). 1 − σ is formed by subtraction: its absolute error (≤ ulp(1)) is multiplied
 * by x·σ, so the derivative keeps a relative error ≲ |x|·2^-53 (≤ 4 ulp measured), at half the cost of σ(−x).
 */
function swishDf(x: number): number {
  const s = sigmoid(x);
  const t = s * (x * (1 - s));
  return s + (t === t ? t : 0); // 0·∞ only as x → −∞, where the limit is 0
}

// ---------------------------------------------------------------------------------------------------------------
// Array kernels. The Float64Array loops are kept separate from the generic ones so each stays monomorphic.

function checkForward(name: string, out: FloatArray, x: Readonly<FloatArray>, n: number): void {
  if (n > out.length || n > x.length || n < 0) {
    throw new TideError('SHAPE',
      `activation '${name}' forward: n = ${n} but out has length ${out.length} and x has length ${x.length}; ` +
      'n must be at most both lengths.', { n, out: out.length, x: x.length });
  }
}

/** reads: which of x and y the backward pass reads (only those must hold n entries). */
function checkBackward(name: string, dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>,
  y: Readonly<FloatArray>, n: number, reads: 'x' | 'y' | 'none'): void {
  const xl = reads === 'x' ? x.length : n;
  const yl = reads === 'y' ? y.length : n;
  if (n > dX.length || n > dOut.length || n > xl || n > yl || n < 0) {
    throw new TideError('SHAPE',
      `activation '${name}' backward: n = ${n} but dX, dOut, x, y have lengths ${dX.length}, ${dOut.length}, ` +
      `${x.length}, ${y.length}; n must be at most each length it reads.`,
      { n, dX: dX.length, dOut: dOut.length, x: x.length, y: y.length });
  }
}

function is64(a: Readonly<FloatArray>): a is Float64Array { return a instanceof Float64Array; }

// --- identity
function identityForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('identity', out, x, n);
  if (out !== x) for (let i = 0; i < n; i++) out[i] = x[i];
  return out;
}
function identityBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>,
  n: number = dOut.length): FloatArray {
  checkBackward('identity', dX, dOut, x, y, n, 'none');
  if (dX !== dOut) for (let i = 0; i < n; i++) dX[i] = dOut[i];
  return dX;
}

// --- tanh
function tanh64(out: Float64Array, x: Float64Array, n: number): void { for (let i = 0; i < n; i++) out[i] = tanh(x[i]); }
function tanhAny(out: FloatArray, x: Readonly<FloatArray>, n: number): void { for (let i = 0; i < n; i++) out[i] = tanh(x[i]); }
function tanhBack64(dX: Float64Array, dOut: Float64Array, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) { const t = y[i]; dX[i] = dOut[i] * ((1 - t) * (1 + t)); }
}
function tanhBackAny(dX: FloatArray, dOut: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) { const t = y[i]; dX[i] = dOut[i] * ((1 - t) * (1 + t)); }
}

// --- sigmoid
function sigmoid64(out: Float64Array, x: Float64Array, n: number): void { for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]); }
function sigmoidAny(out: FloatArray, x: Readonly<FloatArray>, n: number): void { for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]); }
function sigmoidBack64(dX: Float64Array, dOut: Float64Array, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) { const s = y[i]; dX[i] = dOut[i] * (s * (1 - s)); }
}
function sigmoidBackAny(dX: FloatArray, dOut: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) { const s = y[i]; dX[i] = dOut[i] * (s * (1 - s)); }
}

// --- softplus (backward from y: σ(x) = 1 − e^(−y) = −expm1(−y), accurate in both tails)
function softplus64(out: Float64Array, x: Float64Array, n: number): void { for (let i = 0; i < n; i++) out[i] = softplusF(x[i]); }
function softplusAny(out: FloatArray, x: Readonly<FloatArray>, n: number): void { for (let i = 0; i < n; i++) out[i] = softplusF(x[i]); }
function softplusBack64(dX: Float64Array, dOut: Float64Array, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * -expm1(-y[i]);
}
function softplusBackAny(dX: FloatArray, dOut: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * -expm1(-y[i]);
}

// --- relu (backward from y: y > 0 exactly when x > 0)
function relu64(out: Float64Array, x: Float64Array, n: number): void { for (let i = 0; i < n; i++) out[i] = reluF(x[i]); }
function reluAny(out: FloatArray, x: Readonly<FloatArray>, n: number): void { for (let i = 0; i < n; i++) out[i] = reluF(x[i]); }
function reluBack64(dX: Float64Array, dOut: Float64Array, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = y[i] > 0 ? dOut[i] : 0;
}
function reluBackAny(dX: FloatArray, dOut: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = y[i] > 0 ? dOut[i] : 0;
}

// --- gelu (exact)
function gelu64(out: Float64Array, x: Float64Array, n: number): void { for (let i = 0; i < n; i++) out[i] = geluExact(x[i]); }
function geluAny(out: FloatArray, x: Readonly<FloatArray>, n: number): void { for (let i = 0; i < n; i++) out[i] = geluExact(x[i]); }
function geluBack64(dX: Float64Array, dOut: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * geluDf(x[i]);
}
function geluBackAny(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * geluDf(x[i]);
}

// --- gelu-tanh
function geluTanh64(out: Float64Array, x: Float64Array, n: number): void { for (let i = 0; i < n; i++) out[i] = geluTanhF(x[i]); }
function geluTanhAny(out: FloatArray, x: Readonly<FloatArray>, n: number): void { for (let i = 0; i < n; i++) out[i] = geluTanhF(x[i]); }
function geluTanhBack64(dX: Float64Array, dOut: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * geluTanhDf(x[i]);
}
function geluTanhBackAny(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * geluTanhDf(x[i]);
}

// --- swish
function swish64(out: Float64Array, x: Float64Array, n: number): void { for (let i = 0; i < n; i++) out[i] = swishF(x[i]); }
function swishAny(out: FloatArray, x: Readonly<FloatArray>, n: number): void { for (let i = 0; i < n; i++) out[i] = swishF(x[i]); }
function swishBack64(dX: Float64Array, dOut: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * swishDf(x[i]);
}
function swishBackAny(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, n: number): void {
  for (let i = 0; i < n; i++) dX[i] = dOut[i] * swishDf(x[i]);
}

// Each activation gets its own forward/backward functions (not closures from one shared literal): V8 keeps type
// feedback per function, and a shared dispatcher would see every loop, inline them all, and run each slower.

function tanhForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('tanh', out, x, n);
  if (is64(out) && is64(x)) tanh64(out, x, n); else tanhAny(out, x, n);
  return out;
}
function tanhBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number = dOut.length): FloatArray {
  checkBackward('tanh', dX, dOut, x, y, n, 'y');
  if (is64(dX) && is64(dOut) && is64(y)) tanhBack64(dX, dOut, y, n); else tanhBackAny(dX, dOut, y, n);
  return dX;
}
function sigmoidForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('sigmoid', out, x, n);
  if (is64(out) && is64(x)) sigmoid64(out, x, n); else sigmoidAny(out, x, n);
  return out;
}
function sigmoidBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number = dOut.length): FloatArray {
  checkBackward('sigmoid', dX, dOut, x, y, n, 'y');
  if (is64(dX) && is64(dOut) && is64(y)) sigmoidBack64(dX, dOut, y, n); else sigmoidBackAny(dX, dOut, y, n);
  return dX;
}
function softplusForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('softplus', out, x, n);
  if (is64(out) && is64(x)) softplus64(out, x, n); else softplusAny(out, x, n);
  return out;
}
function softplusBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number = dOut.length): FloatArray {
  checkBackward('softplus', dX, dOut, x, y, n, 'y');
  if (is64(dX) && is64(dOut) && is64(y)) softplusBack64(dX, dOut, y, n); else softplusBackAny(dX, dOut, y, n);
  return dX;
}
function reluForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('relu', out, x, n);
  if (is64(out) && is64(x)) relu64(out, x, n); else reluAny(out, x, n);
  return out;
}
function reluBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number = dOut.length): FloatArray {
  checkBackward('relu', dX, dOut, x, y, n, 'y');
  if (is64(dX) && is64(dOut) && is64(y)) reluBack64(dX, dOut, y, n); else reluBackAny(dX, dOut, y, n);
  return dX;
}
function geluForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('gelu', out, x, n);
  if (is64(out) && is64(x)) gelu64(out, x, n); else geluAny(out, x, n);
  return out;
}
function geluBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number = dOut.length): FloatArray {
  checkBackward('gelu', dX, dOut, x, y, n, 'x');
  if (is64(dX) && is64(dOut) && is64(x)) geluBack64(dX, dOut, x, n); else geluBackAny(dX, dOut, x, n);
  return dX;
}
function geluTanhForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('gelu-tanh', out, x, n);
  if (is64(out) && is64(x)) geluTanh64(out, x, n); else geluTanhAny(out, x, n);
  return out;
}
function geluTanhBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number = dOut.length): FloatArray {
  checkBackward('gelu-tanh', dX, dOut, x, y, n, 'x');
  if (is64(dX) && is64(dOut) && is64(x)) geluTanhBack64(dX, dOut, x, n); else geluTanhBackAny(dX, dOut, x, n);
  return dX;
}
function swishForward(out: FloatArray, x: Readonly<FloatArray>, n: number = x.length): FloatArray {
  checkForward('swish', out, x, n);
  if (is64(out) && is64(x)) swish64(out, x, n); else swishAny(out, x, n);
  return out;
}
function swishBackward(dX: FloatArray, dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, y: Readonly<FloatArray>, n: number = dOut.length): FloatArray {
  checkBackward('swish', dX, dOut, x, y, n, 'x');
  if (is64(dX) && is64(dOut) && is64(x)) swishBack64(dX, dOut, x, n); else swishBackAny(dX, dOut, x, n);
  return dX;
}

function define(name: ActivationName, needsInput: boolean, f: (x: number) => number, df: (x: number) => number,
  forward: Activation['forward'], backward: Activation['backward']): Activation {
  return Object.freeze({ name, needsInput, f, df, forward, backward });
}

/** All activations by name. */
export const activations: Readonly<Record<ActivationName, Activation>> = Object.freeze({
  identity: define('identity', false, identityF, one, identityForward, identityBackward),
  tanh: define('tanh', false, tanh, tanhDf, tanhForward, tanhBackward),
  sigmoid: define('sigmoid', false, sigmoid, sigmoidDf, sigmoidForward, sigmoidBackward),
  softplus: define('softplus', false, softplusF, sigmoid, softplusForward, softplusBackward),
  relu: define('relu', false, reluF, reluDf, reluForward, reluBackward),
  gelu: define('gelu', true, geluExact, geluDf, geluForward, geluBackward),
  'gelu-tanh': define('gelu-tanh', true, geluTanhF, geluTanhDf, geluTanhForward, geluTanhBackward),
  swish: define('swish', true, swishF, swishDf, swishForward, swishBackward),
});

/**
 * The activation called `name` (one of ACTIVATION_NAMES). Throws TideError('UNKNOWN_NAME') listing the valid names
 * and suggesting the closest, e.g. `getActivation: unknown activation 'tahn'. Valid: identity, tanh, …. Did you mean 'tanh'?`
 */
export function getActivation(name: string): Activation {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(activations, name)) {
    return activations[name as ActivationName];
  }
  throw unknownName('getActivation', 'activation', String(name), ACTIVATION_NAMES);
}
