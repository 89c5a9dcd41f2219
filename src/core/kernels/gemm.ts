/**
 * Dense matrix products on row-major typed arrays: out = alpha·op(A)·op(B) + beta·out, with op = identity or transpose.
 * Shapes are passed explicitly (m×k times k×n gives m×n; A is m×k or, transposed, k×m; B is k×n or n×k).
 * No checks in the loops: callers (layers, autodiff ops) validate shapes once at setup. out must not alias A or B.
 *
 * Loop orders keep the innermost loop contiguous in memory:
 *  NN: out[i,:] += A[i,p]·B[p,:]          (axpy over rows of B)
 *  NT: out[i,j]  = A[i,:]·B[j,:]          (dot of two rows)
 *  TN: out[p,:] += A[i,p]·B[i,:]          (rank-1 updates, i outermost)
 *  TT: rare; via the definition.
 *
 * Float64 calls with m·n·k ≥ AUTO_MIN_FLOPS go to the WebAssembly SIMD kernels (wasm.ts: packed, 4×4
 * register-blocked, 10–20× these loops) when the runtime has them; `kernels.setBackend` overrides the choice.
 * The two backends differ only in summation order. Calls on three Float32Arrays go to the float32 kernels
 * (gemm32.ts: f32x4 Wasm above the same cutoff), so the loops here stay monomorphic on Float64Array.
 */
import type { FloatArray } from '../array.ts';
import { wasmFor, wasmGemm } from './wasm.ts';
import { gemmNN32, gemmNT32, gemmTN32, gemmTT32 } from './gemm32.ts';

/** All float32: such calls go to the float32 kernels (gemm32.ts), so these loops only ever see Float64Arrays. */
function all32(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>): boolean {
  return out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array;
}

function all64(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>): boolean {
  return out instanceof Float64Array && a instanceof Float64Array && b instanceof Float64Array;
}

/** Whether this call goes to Wasm: large enough for the backend in force, and float64 throughout. */
function toWasm(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, m: number, n: number, k: number): boolean {
  return wasmFor(m * n * k) && all64(out, a, b);
}

/** out (m×n) = alpha·A(m×k)·B(k×n) + beta·out. */
export function gemmNN(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, m: number, n: number, k: number,
  alpha = 1, beta = 0): FloatArray {
  if (toWasm(out, a, b, m, n, k) && wasmGemm(out as Float64Array, a as Float64Array, b as Float64Array, m, n, k, false, false, alpha, beta)) return out;
  if (out instanceof Float32Array && all32(out, a, b)) return gemmNN32(out, a as Float32Array, b as Float32Array, m, n, k, alpha, beta);
  if (n === 2) {
    // Two output columns (the input cotangent of a layer fed by a 2-D state): dot products down B's two columns.
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) { const x = a[aRow + p]; s0 += x * b[2 * p]; s1 += x * b[2 * p + 1]; }
      out[2 * i] = beta === 0 ? alpha * s0 : beta * out[2 * i] + alpha * s0;
      out[2 * i + 1] = beta === 0 ? alpha * s1 : beta * out[2 * i + 1] + alpha * s1;
    }
    return out;
  }
  for (let i = 0; i < m; i++) {
    const oRow = i * n;
    if (beta === 0) for (let j = 0; j < n; j++) out[oRow + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) out[oRow + j] *= beta;
    const aRow = i * k;
    for (let p = 0; p < k; p++) {
      const s = alpha * a[aRow + p];
      if (s === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[oRow + j] += s * b[bRow + j];
    }
  }
  return out;
}

/** out (m×n) = alpha·A(m×k)·B(n×k)ᵀ + beta·out. The dense-layer forward x·Wᵀ with W stored [out, in]. */
export function gemmNT(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, m: number, n: number, k: number,
  alpha = 1, beta = 0): FloatArray {
  if (toWasm(out, a, b, m, n, k) && wasmGemm(out as Float64Array, a as Float64Array, b as Float64Array, m, n, k, false, true, alpha, beta)) return out;
  if (out instanceof Float32Array && all32(out, a, b)) return gemmNT32(out, a as Float32Array, b as Float32Array, m, n, k, alpha, beta);
  if (k === 1) {
    for (let i = 0; i < m; i++) {
      const ai = alpha * a[i], o = i * n;
      for (let j = 0; j < n; j++) out[o + j] = (beta === 0 ? 0 : beta * out[o + j]) + ai * b[j];
    }
    return out;
  }
  if (k === 2) {
    // Tiny inner dimension (2-D states): unrolled, the common neural-ODE input layer.
    for (let i = 0; i < m; i++) {
      const a0 = alpha * a[2 * i], a1 = alpha * a[2 * i + 1], o = i * n;
      if (beta === 0) for (let j = 0; j < n; j++) out[o + j] = a0 * b[2 * j] + a1 * b[2 * j + 1];
      else for (let j = 0; j < n; j++) out[o + j] = beta * out[o + j] + a0 * b[2 * j] + a1 * b[2 * j + 1];
    }
    return out;
  }
  if (n === 2) {
    // Two outputs per row (a 2-D state out of a hidden layer): one pass over the row of A feeds both dot products.
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      let s0 = 0, s1 = 0, t0 = 0, t1 = 0, p = 0;
      for (; p + 1 < k; p += 2) {
        const x0 = a[aRow + p], x1 = a[aRow + p + 1];
        s0 += x0 * b[p]; t0 += x0 * b[k + p];
        s1 += x1 * b[p + 1]; t1 += x1 * b[k + p + 1];
      }
      if (p < k) { const x0 = a[aRow + p]; s0 += x0 * b[p]; t0 += x0 * b[k + p]; }
      const u = alpha * (s0 + s1), v = alpha * (t0 + t1);
      out[2 * i] = beta === 0 ? u : beta * out[2 * i] + u;
      out[2 * i + 1] = beta === 0 ? v : beta * out[2 * i + 1] + v;
    }
    return out;
  }
  for (let i = 0; i < m; i++) {
    const aRow = i * k, oRow = i * n;
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      // Four partial sums shorten the dependency chain of the reduction.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let p = 0;
      for (; p + 3 < k; p += 4) {
        s0 += a[aRow + p] * b[bRow + p];
        s1 += a[aRow + p + 1] * b[bRow + p + 1];
        s2 += a[aRow + p + 2] * b[bRow + p + 2];
        s3 += a[aRow + p + 3] * b[bRow + p + 3];
      }
      for (; p < k; p++) s0 += a[aRow + p] * b[bRow + p];
      const s = alpha * ((s0 + s1) + (s2 + s3));
      out[oRow + j] = beta === 0 ? s : beta * out[oRow + j] + s;
    }
  }
  return out;
}

/**
 * out (m×n) = A(m×k)·B(n×k)ᵀ + bias (n, added to every row): the dense-layer forward x·Wᵀ + b in one pass (saves the
 * separate bias pass; for k ≤ 2 the bias enters the same expression).
 */
export function gemmNTBias(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, bias: Readonly<FloatArray>,
  m: number, n: number, k: number): FloatArray {
  if (k === 2) {
    for (let i = 0; i < m; i++) {
      const a0 = a[2 * i], a1 = a[2 * i + 1], o = i * n;
      for (let j = 0, q = 0; j < n; j++, q += 2) out[o + j] = a0 * b[q] + a1 * b[q + 1] + bias[j];
    }
    return out;
  }
  if (k === 1) {
    for (let i = 0; i < m; i++) {
      const a0 = a[i], o = i * n;
      for (let j = 0; j < n; j++) out[o + j] = a0 * b[j] + bias[j];
    }
    return out;
  }
  gemmNT(out, a, b, m, n, k);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] += bias[j];
  }
  return out;
}

/** out (m×n) = alpha·A(k×m)ᵀ·B(k×n) + beta·out. The weight gradient dOutᵀ·x of a dense layer. */
export function gemmTN(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, m: number, n: number, k: number,
  alpha = 1, beta = 0): FloatArray {
  if (toWasm(out, a, b, m, n, k) && wasmGemm(out as Float64Array, a as Float64Array, b as Float64Array, m, n, k, true, false, alpha, beta)) return out;
  if (out instanceof Float32Array && all32(out, a, b)) return gemmTN32(out, a as Float32Array, b as Float32Array, m, n, k, alpha, beta);
  const mn = m * n;
  if (beta === 0) for (let q = 0; q < mn; q++) out[q] = 0;
  else if (beta !== 1) for (let q = 0; q < mn; q++) out[q] *= beta;
  if (n === 2) {
    for (let i = 0; i < k; i++) {
      const aRow = i * m, b0 = alpha * b[2 * i], b1 = alpha * b[2 * i + 1];
      for (let p = 0; p < m; p++) {
        const s = a[aRow + p];
        out[2 * p] += s * b0;
        out[2 * p + 1] += s * b1;
      }
    }
    return out;
  }
  for (let i = 0; i < k; i++) {
    const aRow = i * m, bRow = i * n;
    for (let p = 0; p < m; p++) {
      const s = alpha * a[aRow + p];
      if (s === 0) continue;
      const oRow = p * n;
      for (let j = 0; j < n; j++) out[oRow + j] += s * b[bRow + j];
    }
  }
  return out;
}

/** out (m×n) = alpha·A(k×m)ᵀ·B(n×k)ᵀ + beta·out. */
export function gemmTT(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, m: number, n: number, k: number,
  alpha = 1, beta = 0): FloatArray {
  if (toWasm(out, a, b, m, n, k) && wasmGemm(out as Float64Array, a as Float64Array, b as Float64Array, m, n, k, true, true, alpha, beta)) return out;
  if (out instanceof Float32Array && all32(out, a, b)) return gemmTT32(out, a as Float32Array, b as Float32Array, m, n, k, alpha, beta);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
      const o = i * n + j;
      out[o] = beta === 0 ? alpha * s : beta * out[o] + alpha * s;
    }
  }
  return out;
}

/** out = alpha·op(A)·op(B) + beta·out, dispatching on the transpose flags. */
export function gemm(out: FloatArray, a: Readonly<FloatArray>, b: Readonly<FloatArray>, m: number, n: number, k: number,
  transA = false, transB = false, alpha = 1, beta = 0): FloatArray {
  if (!transA) return transB ? gemmNT(out, a, b, m, n, k, alpha, beta) : gemmNN(out, a, b, m, n, k, alpha, beta);
  return transB ? gemmTT(out, a, b, m, n, k, alpha, beta) : gemmTN(out, a, b, m, n, k, alpha, beta);
}
