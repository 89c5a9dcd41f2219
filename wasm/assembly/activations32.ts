/**
 * Float32 activations on f32x4. relu, identity and the backward passes equal the JS kernels on Float32Array bit for
 * bit (the backward passes are evaluated in float64, as JS does, and rounded once). tanh runs in float32 arithmetic,
 * four lanes at a time (the float64 kernel, on two lanes with table lookups, cost more than the float32 gemms around
 * it at small widths); it is within 1.06 float32 ulp of the true tanh (measured over every float32 in [0.7, 0.8], the
 * branch point, and 4·10⁶ points of [0, 10]), while the JS float32 path rounds the float64 tanh (≤ 0.51 float64 ulp)
 * and is within 0.5 ulp: the two backends may differ by one float32 ulp. With a = |x|:
 *
 *   a < 0.75:   tanh a = a + a³·P(a²), P of degree 5, fitted here for relative error (iteratively reweighted least
 *               squares on Chebyshev nodes, toward the minimax polynomial; fit error 2e-9 relative);
 *   a ≥ 0.75:   tanh a = 1 − 2/(e^{2a} + 1), e^{2a} by Cody & Waite's reduction (Cody & Waite, Software Manual for the
 *               Elementary Functions, 1980: y = k·ln 2 + r, ln 2 split in a 9-bit head and a tail, |r| ≤ ln2/2),
 *               e^r = 1 + r + r²·Q(r), Q of degree 5 fitted the same way (5e-11), and 2^k put into the exponent bits;
 *               a is clamped to 9 first (tanh 9 rounds to 1 in float32), so e^{2a} never overflows;
 *
 * and the sign of x copied onto the result (−0 stays −0; NaN stays NaN: pmin(NaN, 9) is NaN).
 */
import { ACT_TANH, ACT_RELU, ACT_IDENTITY } from './activations';

@inline function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline function hi(v: v128): v128 { return f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0)); }
@inline function narrow(a: v128, b: v128): v128 { return i64x2.shuffle(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 2); }

/** Coefficients P0..P5 (small branch), Q0..Q5 (e^r), then the constants, as f32x4 splats in static memory. */
const TANH32_C = memory.data<f32>([
  -0.33333316445350647, -0.33333316445350647, -0.33333316445350647, -0.33333316445350647,
  0.1333269476890564, 0.1333269476890564, 0.1333269476890564, 0.1333269476890564,
  -0.053892724215984344, -0.053892724215984344, -0.053892724215984344, -0.053892724215984344,
  0.0214520376175642, 0.0214520376175642, 0.0214520376175642, 0.0214520376175642,
  -0.007657259237021208, -0.007657259237021208, -0.007657259237021208, -0.007657259237021208,
  0.0017369379056617618, 0.0017369379056617618, 0.0017369379056617618, 0.0017369379056617618,
  0.5, 0.5, 0.5, 0.5,
  0.1666666567325592, 0.1666666567325592, 0.1666666567325592, 0.1666666567325592,
  0.04166629537940025, 0.04166629537940025, 0.04166629537940025, 0.04166629537940025,
  0.008333496749401093, 0.008333496749401093, 0.008333496749401093, 0.008333496749401093,
  0.0013944649836048484, 0.0013944649836048484, 0.0013944649836048484, 0.0013944649836048484,
  0.00019790291844401509, 0.00019790291844401509, 0.00019790291844401509, 0.00019790291844401509,
  0.75, 0.75, 0.75, 0.75, // branch point
  9, 9, 9, 9, // clamp
  1.4426950408889634, 1.4426950408889634, 1.4426950408889634, 1.4426950408889634, // log2 e
  0.693359375, 0.693359375, 0.693359375, 0.693359375, // ln 2, head (9 bits: k·head is exact for |k| < 2^15)
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, // ln 2 − head
  1, 1, 1, 1,
  2, 2, 2, 2,
  12582912, 12582912, 12582912, 12582912, // 1.5·2²³
], 16);

/** Integer lanes: the sign bit, and the float32 exponent bias 127. */
const TANH32_I = memory.data<i32>([
  <i32>0x80000000, <i32>0x80000000, <i32>0x80000000, <i32>0x80000000, 127, 127, 127, 127,
], 16);

// Byte offsets into TANH32_C.
const P0 = 0, Q0 = 96, BRANCH = 192, CLAMP = 208, LOG2E = 224, LN2HI = 240, LN2LO = 256, ONE = 272, TWO = 288, SHIFT = 304;

/** tanh on four float32 lanes (see the header); C: TANH32_C, I: TANH32_I. */
@inline function tanh4(x: v128, C: usize, I: usize): v128 {
  const sign = v128.load(I);
  const a = v128.andnot(x, sign);
  // Small branch: a + (a·t)·P(t), t = a², P by Estrin's scheme (three independent pairs, then t²): a shorter
  // dependency chain than Horner's, so more of the loop's iterations overlap.
  const t = f32x4.mul(a, a), t2 = f32x4.mul(t, t);
  const p01 = f32x4.add(v128.load(C, P0), f32x4.mul(v128.load(C, P0 + 16), t));
  const p23 = f32x4.add(v128.load(C, P0 + 32), f32x4.mul(v128.load(C, P0 + 48), t));
  const p45 = f32x4.add(v128.load(C, P0 + 64), f32x4.mul(v128.load(C, P0 + 80), t));
  const p = f32x4.add(p01, f32x4.mul(t2, f32x4.add(p23, f32x4.mul(t2, p45))));
  const small = f32x4.add(a, f32x4.mul(f32x4.mul(a, t), p));
  // Large branch: 1 − 2/(e^y + 1), y = 2·min(a, 9) = k·ln 2 + r.
  const one = v128.load(C, ONE);
  // pmin (one instruction; NaN stays NaN as the first operand) rather than Wasm's min, which V8 expands for NaN and
  // −0 handling; k = round(y·log2 e) read from the low bits of y·log2 e + 1.5·2²³ (ties to even, as nearest),
  // which saves the float-to-int conversion too.
  const y = f32x4.mul(f32x4.pmin(a, v128.load(C, CLAMP)), v128.load(C, TWO));
  const shift = v128.load(C, SHIFT);
  const zs = f32x4.add(f32x4.mul(y, v128.load(C, LOG2E)), shift);
  const kf = f32x4.sub(zs, shift);
  const r = f32x4.sub(f32x4.sub(y, f32x4.mul(kf, v128.load(C, LN2HI))), f32x4.mul(kf, v128.load(C, LN2LO)));
  const r2 = f32x4.mul(r, r);
  const q01 = f32x4.add(v128.load(C, Q0), f32x4.mul(v128.load(C, Q0 + 16), r));
  const q23 = f32x4.add(v128.load(C, Q0 + 32), f32x4.mul(v128.load(C, Q0 + 48), r));
  const q45 = f32x4.add(v128.load(C, Q0 + 64), f32x4.mul(v128.load(C, Q0 + 80), r));
  const q = f32x4.add(q01, f32x4.mul(r2, f32x4.add(q23, f32x4.mul(r2, q45))));
  const er = f32x4.add(one, f32x4.add(r, f32x4.mul(r2, q)));
  const scale = i32x4.shl(i32x4.add(i32x4.sub(zs, shift), v128.load(I, 16)), 23);
  const e = f32x4.mul(er, scale);
  const large = f32x4.sub(one, f32x4.div(v128.load(C, TWO), f32x4.add(e, one)));
  const res = v128.bitselect(small, large, f32x4.lt(a, v128.load(C, BRANCH)));
  return v128.or(res, v128.and(x, sign));
}

function tanhArray32(y: usize, x: usize, n: i32): void {
  const C = TANH32_C, I = TANH32_I;
  let i = 0;
  for (; i + 3 < n; i += 4) { const o = <usize>i << 2; v128.store(y + o, tanh4(v128.load(x + o), C, I)); }
  for (; i < n; i++) { const o = <usize>i << 2; v128.store32_lane(y + o, tanh4(v128.load32_zero(x + o), C, I), 0); }
}

/** y[i] = act(x[i]) for i < n (float32); y may equal x. */
export function actForward32(y: usize, x: usize, n: i32, act: i32): void {
  if (act == ACT_TANH) { tanhArray32(y, x, n); return; }
  if (act == ACT_RELU) {
    let i = 0;
    for (; i + 3 < n; i += 4) { const o = <usize>i << 2; v128.store(y + o, f32x4.max(v128.load(x + o), f32x4.splat(0))); }
    for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, max(load<f32>(x + o), <f32>0)); }
    return;
  }
  if (y != x) memory.copy(y, x, <usize>n << 2);
}

/** y = act(z + bias) row by row (float32; bias: cols or 0); z keeps z + bias; y may equal z. */
export function biasAct32(y: usize, z: usize, bias: usize, rows: i32, cols: i32, act: i32): void {
  const rb = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * rb, yr = y + <usize>r * rb;
    if (bias != 0) {
      let j = 0;
      for (; j + 3 < cols; j += 4) { const o = <usize>j << 2; v128.store(zr + o, f32x4.add(v128.load(zr + o), v128.load(bias + o))); }
      for (; j < cols; j++) { const o = <usize>j << 2; store<f32>(zr + o, load<f32>(zr + o) + load<f32>(bias + o)); }
    }
    if (act != ACT_IDENTITY || yr != zr) actForward32(yr, zr, cols, act);
  }
}

/**
 * dX[i] = dOut[i]·act'(from y[i]) in float32, as the JS backward on Float32Array: tanh: dOut·((1 − y)(1 + y))
 * evaluated in float64 and rounded once; relu: dOut where y > 0, else 0.
 */
export function actBackward32(dX: usize, dOut: usize, y: usize, n: i32, act: i32): void {
  if (act == ACT_IDENTITY) { if (dX != dOut) memory.copy(dX, dOut, <usize>n << 2); return; }
  let i = 0;
  if (act == ACT_TANH) {
    const one = f64x2.splat(1);
    for (; i + 3 < n; i += 4) {
      const o = <usize>i << 2;
      const d = v128.load(dOut + o), t = v128.load(y + o);
      const tl = lo(t), th = hi(t);
      v128.store(dX + o, narrow(f64x2.mul(lo(d), f64x2.mul(f64x2.sub(one, tl), f64x2.add(one, tl))),
        f64x2.mul(hi(d), f64x2.mul(f64x2.sub(one, th), f64x2.add(one, th)))));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const t = <f64>load<f32>(y + o);
      store<f32>(dX + o, <f32>(<f64>load<f32>(dOut + o) * ((1 - t) * (1 + t))));
    }
  } else if (act == ACT_RELU) {
    for (; i + 3 < n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dX + o, v128.and(v128.load(dOut + o), f32x4.gt(v128.load(y + o), f32x4.splat(0))));
    }
    for (; i < n; i++) { const o = <usize>i << 2; store<f32>(dX + o, load<f32>(y + o) > 0 ? load<f32>(dOut + o) : <f32>0); }
  }
}

/** out[j] += Σ_i x[i, j] in float32, in order of i (the float32 JS column sum exactly). */
export function colsumAdd32(out: usize, x: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rb;
    let j = 0;
    for (; j + 3 < cols; j += 4) { const o = <usize>j << 2; v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(xr + o))); }
    for (; j < cols; j++) { const o = <usize>j << 2; store<f32>(out + o, load<f32>(out + o) + load<f32>(xr + o)); }
  }
}
