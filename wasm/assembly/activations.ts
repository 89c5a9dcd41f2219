/**
 * Activations on f64x2, bit-identical to the JS kernels (src/core/kernels/fastmath.ts, activations.ts): the same
 * values on each lane, on the same tables (copied in from fastmath.ts at load time), so the accuracy bounds the JS
 * tests establish against mpmath hold here unchanged (tanh ≤ 0.51 ulp). tanh2 reaches fastmath.tanh's values in
 * fewer instructions; its comment shows that each rewritten step is exact.
 * Wasm SIMD has no gather: the two table lookups of a pair are two 16-byte loads (hi, lo side by side) and two
 * shuffles. The other activations (sigmoid, softplus, gelu, gelu-tanh, swish) run in JS on z copied out.
 */

/** Activation ids, as src/core/kernels/wasm.ts maps names to them. tanh and relu backward read y = act(z). */
export const ACT_IDENTITY: i32 = 0;
/** tanh (fastmath.tanh, ≤ 0.51 ulp). */
export const ACT_TANH: i32 = 1;
/** relu = max(x, 0). */
export const ACT_RELU: i32 = 2;

/** Byte address of fastmath's TANH_TABLE copy (tanh(j/64) as hi, lo pairs, j = 0..1220); set by setTables. */
let tanhTable: usize = 0;

/** Where the loader put the tables. */
export function setTables(tanhT: usize): void { tanhTable = tanhT; }

const K3 = -0.3333333333333333;
const K5 = 0.13333333333333333;
const K7 = -0.05396825396825397;
/** Index mask for the table lookup: the index is ≤ 1220 except in NaN lanes, whose (masked) lookup is discarded. */
const IDX_MASK: i32 = 2047;

/** 1.5·2^46: (a + SHIFT64) − SHIFT64 is a rounded to a multiple of 1/64 (ties to even), for 0 ≤ a < 2^45. */
const SHIFT64 = 105553116266496.0;
/** |x| beyond which tanh rounds to ±1: fastmath's last table index, 1220, over 64. */
const TANH_AMAX = 19.0625;

/**
 * The constants of tanh2 as f64x2 pairs in static memory: loaded into locals once per call, not rematerialised as
 * v128.const on every iteration (V8 builds each v128.const from two 64-bit moves; Binaryen would fold locals
 * holding constants back into the loop, but not loads). Then the sign mask (−0.0); TANH_IDX holds the index mask 2047·16 in
 * the low 32 bits of each lane.
 */
const TANH_C = memory.data<f64>([
  TANH_AMAX, TANH_AMAX, SHIFT64, SHIFT64, K3, K3, K5, K5, K7, K7, 1, 1, -0.0, -0.0,
], 16);
const TANH_IDX = memory.data<i32>([IDX_MASK << 4, 0, IDX_MASK << 4, 0], 16);

/**
 * tanh on both lanes: the same values as fastmath.tanh, step for step (its comments explain the method
 * and the 0.51 ulp bound), in a form with fewer instructions; every deviation is exact:
 * - j and d come from a = min(|x|, 19.0625) with the 1.5·2^46 shifter: c = (a + 1.5·2^46) − 1.5·2^46 is j/64 for
 *   j = round(64a) (the same rounding as fastmath's round(min(64|x|, 1220)), scaling by 64 being exact), d = a − c
 *   is exact (Sterbenz), and j itself is the low bits of a + 1.5·2^46 (its ulp is 1/64). pmin keeps NaN.
 * - The result is formed for |x| and the sign of x is OR-ed in at the end: fastmath multiplies s and nl by ±1
 *   instead, and every later operation is odd under round-to-nearest, so the values agree bit for bit.
 * - No tiny-|x| exit: for |x| < 2^-28 the formula itself returns |x| exactly (j = 0, τ = 0, p1 = 0, q = |x| and the
 *   correction tl < ulp(|x|)/4), so with the sign OR-ed in the result is x, ±0 included, as fastmath's exit gives.
 */
@inline function tanh2(T: usize, x: v128, cMax: v128, sh: v128, k3: v128, k5: v128, k7: v128, one: v128, sgn: v128,
  imask: v128): v128 {
  const a = f64x2.pmin(f64x2.abs(x), cMax);
  const zs = f64x2.add(a, sh);
  const d = f64x2.sub(a, f64x2.sub(zs, sh));
  const d2 = f64x2.mul(d, d);
  const poly = f64x2.add(k3, f64x2.mul(d2, f64x2.add(k5, f64x2.mul(d2, k7))));
  const tl = f64x2.mul(f64x2.mul(d, d2), poly);
  const ix = v128.and(i32x4.shl(zs, 4), imask);
  const e0 = v128.load(T + <usize>i32x4.extract_lane(ix, 0));
  const e1 = v128.load(T + <usize>i32x4.extract_lane(ix, 2));
  const th = i64x2.shuffle(e0, e1, 0, 2), tlo = i64x2.shuffle(e0, e1, 1, 3);
  const td = f64x2.add(d, tl);
  const s = f64x2.add(th, td);
  const nl = f64x2.add(f64x2.add(f64x2.add(f64x2.sub(th, s), d), tl), tlo);
  const p1 = f64x2.mul(th, td);
  const q = f64x2.div(s, f64x2.add(one, p1));
  const r = f64x2.add(q, f64x2.mul(f64x2.add(f64x2.sub(f64x2.sub(s, q), f64x2.mul(q, p1)), nl), f64x2.sub(one, p1)));
  return v128.or(r, v128.and(x, sgn));
}

/** tanh over y[i] = tanh(x[i]), i < n, constants loaded once. */
function tanhArray(y: usize, x: usize, n: i32): void {
  const C = TANH_C;
  const cMax = v128.load(C), sh = v128.load(C, 16), k3 = v128.load(C, 32), k5 = v128.load(C, 48);
  const k7 = v128.load(C, 64), one = v128.load(C, 80), sgn = v128.load(C, 96), imask = v128.load(TANH_IDX);
  const T = tanhTable;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i << 3;
    const x0 = v128.load(x + o), x1 = v128.load(x + o, 16);
    v128.store(y + o, tanh2(T, x0, cMax, sh, k3, k5, k7, one, sgn, imask));
    v128.store(y + o, tanh2(T, x1, cMax, sh, k3, k5, k7, one, sgn, imask), 16);
  }
  if (i + 1 < n) {
    const o = <usize>i << 3;
    v128.store(y + o, tanh2(T, v128.load(x + o), cMax, sh, k3, k5, k7, one, sgn, imask));
    i += 2;
  }
  if (i < n) {
    const o = <usize>i << 3;
    v128.store64_lane(y + o, tanh2(T, v128.load64_zero(x + o), cMax, sh, k3, k5, k7, one, sgn, imask), 0);
  }
}

/** y[i] = act(x[i]) for i < n; y may equal x. */
export function actForward(y: usize, x: usize, n: i32, act: i32): void {
  if (act == ACT_TANH) { tanhArray(y, x, n); return; }
  if (act == ACT_RELU) {
    let i = 0;
    for (; i + 1 < n; i += 2) { const o = <usize>i << 3; v128.store(y + o, f64x2.max(v128.load(x + o), f64x2.splat(0))); }
    if (i < n) { const o = <usize>i << 3; store<f64>(y + o, max(load<f64>(x + o), 0.0)); }
    return;
  }
  if (y != x) memory.copy(y, x, <usize>n << 3);
}

/** y = act(z + bias) row by row (z: rows×cols, bias: cols or 0 for none); z keeps z + bias; y may equal z. */
export function biasAct(y: usize, z: usize, bias: usize, rows: i32, cols: i32, act: i32): void {
  const rb = <usize>cols << 3;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * rb, yr = y + <usize>r * rb;
    if (bias != 0) {
      let j = 0;
      for (; j + 1 < cols; j += 2) { const o = <usize>j << 3; v128.store(zr + o, f64x2.add(v128.load(zr + o), v128.load(bias + o))); }
      if (j < cols) { const o = <usize>j << 3; store<f64>(zr + o, load<f64>(zr + o) + load<f64>(bias + o)); }
    }
    if (act != ACT_IDENTITY || yr != zr) actForward(yr, zr, cols, act);
  }
}

@inline function back2(dOut: v128, y: v128, act: i32): v128 {
  if (act == ACT_TANH) {
    const one = f64x2.splat(1);
    return f64x2.mul(dOut, f64x2.mul(f64x2.sub(one, y), f64x2.add(one, y)));
  }
  if (act == ACT_RELU) return v128.and(dOut, f64x2.gt(y, f64x2.splat(0)));
  return dOut;
}

/** dX[i] = dOut[i]·act'(x[i]), from y = act(x) (as the JS backward: tanh' = (1 − y)(1 + y), relu' = [y > 0]). */
export function actBackward(dX: usize, dOut: usize, y: usize, n: i32, act: i32): void {
  if (act == ACT_IDENTITY) { if (dX != dOut) memory.copy(dX, dOut, <usize>n << 3); return; }
  let i = 0;
  if (act == ACT_TANH) {
    for (; i + 1 < n; i += 2) { const o = <usize>i << 3; v128.store(dX + o, back2(v128.load(dOut + o), v128.load(y + o), ACT_TANH)); }
  } else {
    for (; i + 1 < n; i += 2) { const o = <usize>i << 3; v128.store(dX + o, back2(v128.load(dOut + o), v128.load(y + o), ACT_RELU)); }
  }
  if (i < n) {
    const o = <usize>i << 3;
    v128.store64_lane(dX + o, back2(v128.load64_zero(dOut + o), v128.load64_zero(y + o), act), 0);
  }
}

/** out[j] += Σ_i x[i, j] (x: rows×cols), summed in order of i: the JS sumRows(out, x, rows, cols, 1, 1) exactly. */
export function colsumAdd(out: usize, x: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rb;
    let j = 0;
    for (; j + 1 < cols; j += 2) { const o = <usize>j << 3; v128.store(out + o, f64x2.add(v128.load(out + o), v128.load(xr + o))); }
    if (j < cols) { const o = <usize>j << 3; store<f64>(out + o, load<f64>(out + o) + load<f64>(xr + o)); }
  }
}
