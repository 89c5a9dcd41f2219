/**
 * Float32 activations on f32x4, bit-identical to the JS kernels on Float32Array (activations.ts there: the float64
 * function on the float32 input, rounded once to float32 on store). Each f32x4 is widened to two f64x2, run through
 * the float64 kernels of activations.ts (tanh2: ≤ 0.51 ulp of float64), and narrowed with round-to-nearest, so the
 * float32 result is the correctly rounded tanh except where tanh lies within 0.51 float64 ulp of a float32 midpoint.
 * The elementwise passes are O(batch·width) against the gemms' O(batch·width²), so the widening costs little.
 */
import { ACT_TANH, ACT_RELU, ACT_IDENTITY, TANH_C, tanh2 } from './activations';

@inline function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline function hi(v: v128): v128 { return f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0)); }
@inline function narrow(a: v128, b: v128): v128 { return i64x2.shuffle(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 2); }

function tanhArray32(y: usize, x: usize, n: i32): void {
  const C = TANH_C;
  const c64 = v128.load(C), cMax = v128.load(C, 16), sh = v128.load(C, 32), c164 = v128.load(C, 48);
  const k3 = v128.load(C, 64), k5 = v128.load(C, 80), k7 = v128.load(C, 96), m1 = v128.load(C, 112);
  const one = v128.load(C, 128), zero = v128.load(C, 144), tiny = v128.load(C, 160);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, narrow(tanh2(lo(v), c64, cMax, sh, c164, k3, k5, k7, m1, one, zero, tiny),
      tanh2(hi(v), c64, cMax, sh, c164, k3, k5, k7, m1, one, zero, tiny)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = tanh2(lo(v128.load32_zero(x + o)), c64, cMax, sh, c164, k3, k5, k7, m1, one, zero, tiny);
    v128.store32_lane(y + o, f32x4.demote_f64x2_zero(r), 0);
  }
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
