/**
 * Float32 matrix products, the float32 twins of gemm.ts (same shapes, loop orders and special paths for n = 2 and
 * k ≤ 2): out = alpha·op(A)·op(B) + beta·out on row-major Float32Arrays. Separate functions, not gemm.ts on a wider
 * type, so that V8 keeps each kernel monomorphic: a float64 solve never runs code that has seen a Float32Array.
 * The JS loops accumulate in float64 (JS numbers; the NN and TN loops in a float64 scratch row) and round each
 * entry once on store.
 *
 * Calls with m·n·k ≥ the backend's cutoff (AUTO_MIN_FLOPS under 'auto', every call under 'wasm') go to the f32x4
 * WebAssembly kernels (wasm/assembly/gemm32.ts: packed, 4×8 register-blocked), which accumulate in float32; the two
 * backends agree to float32 rounding (within γ_k ≈ k·2⁻²⁴ relative to Σ|a||b|), not bitwise.
 */
import { wasmFor, wasmGemm32 } from './wasm.ts';

/** The float64 accumulator row of the NN and TN loops, grown on demand (allocates only when a wider call comes). */
let acc64 = new Float64Array(64);
function accRow(n: number): Float64Array {
  if (acc64.length < n) acc64 = new Float64Array(Math.max(n, 2 * acc64.length));
  return acc64;
}

/** out (m×n) = alpha·A(m×k)·B(k×n) + beta·out. */
export function gemmNN32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, m: number, n: number, k: number,
  alpha = 1, beta = 0): Float32Array {
  if (wasmFor(m * n * k) && wasmGemm32(out, a, b, m, n, k, false, false, alpha, beta)) return out;
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
  // Each row of out is summed in the float64 scratch row and rounded once (an axpy into the Float32Array itself
  // would round at every step and convert twice per element).
  const acc = accRow(n);
  for (let i = 0; i < m; i++) {
    const oRow = i * n;
    if (beta === 0) for (let j = 0; j < n; j++) acc[j] = 0;
    else for (let j = 0; j < n; j++) acc[j] = beta * out[oRow + j];
    const aRow = i * k;
    for (let p = 0; p < k; p++) {
      const s = alpha * a[aRow + p];
      if (s === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) acc[j] += s * b[bRow + j];
    }
    for (let j = 0; j < n; j++) out[oRow + j] = acc[j];
  }
  return out;
}

/** out (m×n) = alpha·A(m×k)·B(n×k)ᵀ + beta·out. The dense-layer forward x·Wᵀ with W stored [out, in]. */
export function gemmNT32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, m: number, n: number, k: number,
  alpha = 1, beta = 0): Float32Array {
  if (wasmFor(m * n * k) && wasmGemm32(out, a, b, m, n, k, false, true, alpha, beta)) return out;
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
export function gemmNTBias32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, bias: Readonly<Float32Array>,
  m: number, n: number, k: number): Float32Array {
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
  gemmNT32(out, a, b, m, n, k);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] += bias[j];
  }
  return out;
}

/** out (m×n) = alpha·A(k×m)ᵀ·B(k×n) + beta·out. The weight gradient dOutᵀ·x of a dense layer. */
export function gemmTN32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, m: number, n: number, k: number,
  alpha = 1, beta = 0): Float32Array {
  if (wasmFor(m * n * k) && wasmGemm32(out, a, b, m, n, k, true, false, alpha, beta)) return out;
  if (n === 2) {
    for (let p = 0; p < m; p++) {
      let s0 = 0, s1 = 0;
      for (let i = 0; i < k; i++) { const x = a[i * m + p]; s0 += x * b[2 * i]; s1 += x * b[2 * i + 1]; }
      out[2 * p] = beta === 0 ? alpha * s0 : beta * out[2 * p] + alpha * s0;
      out[2 * p + 1] = beta === 0 ? alpha * s1 : beta * out[2 * p + 1] + alpha * s1;
    }
    return out;
  }
  // Row p of out = Σ_i A[i, p]·B[i, :], summed in the float64 scratch row (B, k×n, is read once per row of out).
  const acc = accRow(n);
  for (let p = 0; p < m; p++) {
    const oRow = p * n;
    if (beta === 0) for (let j = 0; j < n; j++) acc[j] = 0;
    else for (let j = 0; j < n; j++) acc[j] = beta * out[oRow + j];
    for (let i = 0; i < k; i++) {
      const s = alpha * a[i * m + p];
      if (s === 0) continue;
      const bRow = i * n;
      for (let j = 0; j < n; j++) acc[j] += s * b[bRow + j];
    }
    for (let j = 0; j < n; j++) out[oRow + j] = acc[j];
  }
  return out;
}

/** out (m×n) = alpha·A(k×m)ᵀ·B(n×k)ᵀ + beta·out. */
export function gemmTT32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, m: number, n: number, k: number,
  alpha = 1, beta = 0): Float32Array {
  if (wasmFor(m * n * k) && wasmGemm32(out, a, b, m, n, k, true, true, alpha, beta)) return out;
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
export function gemm32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, m: number, n: number, k: number,
  transA = false, transB = false, alpha = 1, beta = 0): Float32Array {
  if (!transA) return transB ? gemmNT32(out, a, b, m, n, k, alpha, beta) : gemmNN32(out, a, b, m, n, k, alpha, beta);
  return transB ? gemmTT32(out, a, b, m, n, k, alpha, beta) : gemmTN32(out, a, b, m, n, k, alpha, beta);
}
