/**
 * Level-1 vector kernels on f64x2, bit-identical to the JS kernels of src/core/kernels/blas1.ts: each lane does the
 * same IEEE operations in the same order as the JS loop does for that element (Wasm's f64x2 add, sub, mul and div are
 * correctly rounded per lane and there is no fused multiply–add), and the reductions keep the JS summation order.
 * Operands are byte addresses of 16-byte-aligned regions in this module's memory; n is the element count. An odd
 * tail element goes through the scalar f64 form of the same operation.
 */

/** out[i] = alpha·x[i] + y[i]. */
export function axpy(out: usize, alpha: f64, x: usize, y: usize, n: i32): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i << 3;
    v128.store(out + o, f64x2.add(f64x2.mul(a, v128.load(x + o)), v128.load(y + o)));
    v128.store(out + o, f64x2.add(f64x2.mul(a, v128.load(x + o, 16)), v128.load(y + o, 16)), 16);
  }
  for (; i < n; i++) { const o = <usize>i << 3; store<f64>(out + o, alpha * load<f64>(x + o) + load<f64>(y + o)); }
}

/** y[i] += alpha·x[i]. */
export function axpyInPlace(y: usize, alpha: f64, x: usize, n: i32): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(a, v128.load(x + o))));
    v128.store(y + o, f64x2.add(v128.load(y + o, 16), f64x2.mul(a, v128.load(x + o, 16))), 16);
  }
  for (; i < n; i++) { const o = <usize>i << 3; store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o)); }
}

/** out[i] = alpha·x[i]. */
export function scale(out: usize, alpha: f64, x: usize, n: i32): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i << 3;
    v128.store(out + o, f64x2.mul(a, v128.load(x + o)));
    v128.store(out + o, f64x2.mul(a, v128.load(x + o, 16)), 16);
  }
  for (; i < n; i++) { const o = <usize>i << 3; store<f64>(out + o, alpha * load<f64>(x + o)); }
}

/** Elementwise binary operation ids of binary(). */
export const OP_ADD: i32 = 0;
/** x − y. */
export const OP_SUB: i32 = 1;
/** x·y. */
export const OP_MUL: i32 = 2;

@inline function op2(op: i32, x: v128, y: v128): v128 {
  if (op == OP_ADD) return f64x2.add(x, y);
  if (op == OP_SUB) return f64x2.sub(x, y);
  return f64x2.mul(x, y);
}

@inline function op1(op: i32, x: f64, y: f64): f64 {
  if (op == OP_ADD) return x + y;
  if (op == OP_SUB) return x - y;
  return x * y;
}

/** The loop of binary() for one operation (op is a constant at each inlined call site). */
@inline function binaryLoop(op: i32, out: usize, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i << 3;
    v128.store(out + o, op2(op, v128.load(x + o), v128.load(y + o)));
    v128.store(out + o, op2(op, v128.load(x + o, 16), v128.load(y + o, 16)), 16);
  }
  for (; i < n; i++) { const o = <usize>i << 3; store<f64>(out + o, op1(op, load<f64>(x + o), load<f64>(y + o))); }
}

/** out[i] = x[i] op y[i] with op one of OP_ADD, OP_SUB, OP_MUL. */
export function binary(op: i32, out: usize, x: usize, y: usize, n: i32): void {
  if (op == OP_ADD) binaryLoop(OP_ADD, out, x, y, n);
  else if (op == OP_SUB) binaryLoop(OP_SUB, out, x, y, n);
  else binaryLoop(OP_MUL, out, x, y, n);
}

/**
 * Σ x[i]·y[i] in the JS dot's order: two running sums, over the even and the odd indices (the two lanes of one
 * f64x2 accumulator), the last element of an odd n added to the even sum, then even + odd.
 */
export function dot(x: usize, y: usize, n: i32): f64 {
  let s = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < n; i += 2) { const o = <usize>i << 3; s = f64x2.add(s, f64x2.mul(v128.load(x + o), v128.load(y + o))); }
  let s0 = f64x2.extract_lane(s, 0);
  if (i < n) { const o = <usize>i << 3; s0 += load<f64>(x + o) * load<f64>(y + o); }
  return s0 + f64x2.extract_lane(s, 1);
}

/** Σ x[i], added in index order (as the JS sum: one running sum, so no lanes). */
export function sum(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += load<f64>(x + (<usize>i << 3));
  return s;
}

/** Elements per block of linComb: the accumulator block (2 KiB) stays in L1 across the stage passes. */
const LC_BLOCK: i32 = 256;

/**
 * The Runge–Kutta stage combination out[m] = y[m] + w·(Σ_j c_j·k_j[m]) (y = 0: out[m] = w·Σ …), j < count, with the
 * operation order of the JS loop it replaces: the sum starts at +0 and adds c_j·k_j[m] for j = 0, 1, … in order,
 * skipping c_j = 0 (so a lone −0 product still becomes +0, as 0 + (−0) does in JS). coeffs: count f64; k_j starts at
 * k0 + j·kStride bytes. Blocked: each block of out takes the first product, accumulates the other stages and gets
 * y + w·(…), all while it is in L1; elementwise that is the same sequence of operations as the JS loop's passes.
 */
export function linComb(out: usize, y: usize, w: f64, coeffs: usize, k0: usize, kStride: usize, count: i32, n: i32): void {
  const wv = f64x2.splat(w), zero = f64x2.splat(0);
  for (let b0 = 0; b0 < n; b0 += LC_BLOCK) {
    const b1 = min(b0 + LC_BLOCK, n);
    const ob = out + (<usize>b0 << 3), len = b1 - b0;
    let first = true;
    for (let j = 0; j < count; j++) {
      const c = load<f64>(coeffs + (<usize>j << 3));
      if (c == 0) continue;
      const kb = k0 + <usize>j * kStride + (<usize>b0 << 3);
      const cv = f64x2.splat(c);
      let i = 0;
      if (first) {
        for (; i + 1 < len; i += 2) { const o = <usize>i << 3; v128.store(ob + o, f64x2.add(zero, f64x2.mul(cv, v128.load(kb + o)))); }
        if (i < len) { const o = <usize>i << 3; store<f64>(ob + o, 0.0 + c * load<f64>(kb + o)); }
        first = false;
      } else {
        for (; i + 1 < len; i += 2) { const o = <usize>i << 3; v128.store(ob + o, f64x2.add(v128.load(ob + o), f64x2.mul(cv, v128.load(kb + o)))); }
        if (i < len) { const o = <usize>i << 3; store<f64>(ob + o, load<f64>(ob + o) + c * load<f64>(kb + o)); }
      }
    }
    if (first) memory.fill(ob, 0, <usize>len << 3);
    let i = 0;
    if (y != 0) {
      const yb = y + (<usize>b0 << 3);
      for (; i + 1 < len; i += 2) { const o = <usize>i << 3; v128.store(ob + o, f64x2.add(v128.load(yb + o), f64x2.mul(wv, v128.load(ob + o)))); }
      if (i < len) { const o = <usize>i << 3; store<f64>(ob + o, load<f64>(yb + o) + w * load<f64>(ob + o)); }
    } else {
      for (; i + 1 < len; i += 2) { const o = <usize>i << 3; v128.store(ob + o, f64x2.mul(wv, v128.load(ob + o))); }
      if (i < len) { const o = <usize>i << 3; store<f64>(ob + o, w * load<f64>(ob + o)); }
    }
  }
}

/**
 * Σ_i (err_i / (atol_i + rtol_i·max(|yPrev_i|, |yNew_i|)))², the weighted RMS norm's sum (Hairer, Nørsett & Wanner I,
 * (II.4.11)), in the JS order: the scaled errors of a pair are formed on f64x2 (max as the JS `a > b ? a : b`, which is
 * pmax(b, a), NaN included), then their squares are added to one running sum one after the other, in index order.
 * Tolerances: rtol and atol are addresses advanced by rs and as bytes per element (0: one number for all, 8: an array).
 */
export function sumSquaredScaled(err: usize, yPrev: usize, yNew: usize, rtol: usize, rs: i32, atol: usize, as: i32, n: i32): f64 {
  let s: f64 = 0;
  let i = 0;
  if (rs == 0 && as == 0) {
    const rv = v128.load64_splat(rtol), av = v128.load64_splat(atol);
    for (; i + 1 < n; i += 2) {
      const o = <usize>i << 3;
      const e = f64x2.div(v128.load(err + o), f64x2.add(av, f64x2.mul(rv, f64x2.pmax(f64x2.abs(v128.load(yNew + o)), f64x2.abs(v128.load(yPrev + o))))));
      const q = f64x2.mul(e, e);
      s += f64x2.extract_lane(q, 0);
      s += f64x2.extract_lane(q, 1);
    }
  } else {
    const rstep = <usize>(rs << 1), astep = <usize>(as << 1);
    let rp = rtol, ap = atol;
    for (; i + 1 < n; i += 2) {
      const o = <usize>i << 3;
      const rv = rs == 0 ? v128.load64_splat(rp) : v128.load(rp), av = as == 0 ? v128.load64_splat(ap) : v128.load(ap);
      const e = f64x2.div(v128.load(err + o), f64x2.add(av, f64x2.mul(rv, f64x2.pmax(f64x2.abs(v128.load(yNew + o)), f64x2.abs(v128.load(yPrev + o))))));
      const q = f64x2.mul(e, e);
      s += f64x2.extract_lane(q, 0);
      s += f64x2.extract_lane(q, 1);
      rp += rstep; ap += astep;
    }
  }
  if (i < n) {
    const o = <usize>i << 3;
    const a = abs(load<f64>(yPrev + o)), b = abs(load<f64>(yNew + o));
    const e = load<f64>(err + o) / (load<f64>(atol + <usize>(as * i)) + load<f64>(rtol + <usize>(rs * i)) * (a > b ? a : b));
    s += e * e;
  }
  return s;
}
