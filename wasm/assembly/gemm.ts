/**
 * gemm on f64x2: C (m×n, row stride ldc) = alpha·op(A)·op(B) + beta·C, all four transpose cases, GotoBLAS/BLIS
 * structure (Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3), 2008):
 *
 *   for jc (NC columns of C)   for pc (KC of the inner dimension): pack op(B)[pc.., jc..] into NR-wide slivers
 *     for ic (MC rows of C):     pack op(A)[ic.., pc..] into MR-tall slivers
 *       for each NR sliver, for each MR sliver: the MR×NR micro-kernel over kc, added into C
 *
 * Packing removes the transposes (one micro-kernel serves NN, NT, TN, TT) and makes the micro-kernel's loads
 * sequential. The micro-kernel keeps a 4×4 block of C in 8 f64x2 registers; per step of k it loads 4 splats of A
 * and 2 vectors of B and does 8 mul + 8 add (Wasm SIMD has no FMA). 6×4 and 4×6 (12 accumulators) measured slower
 * in V8: they spill (x64 has 16 xmm registers, V8 keeps one as scratch). Slivers past the edge of A or B are
 * zero-padded, so the kernel always runs full; edge tiles go through a 4×4 scratch tile and store only what lies in C.
 *
 * Rounding: each C entry is a sum over k in order within a KC block, blocks added in order; alpha multiplies the
 * block sum; beta = 0 never reads C (NaN in C is overwritten, as in the JS kernels).
 * Pointers are byte addresses in this module's memory; `work` must hold gemmWorkBytes(m, n, k) bytes.
 */

/** Rows of the micro-kernel's block of C. */
export const MR: i32 = 4;
/** Columns of the micro-kernel's block of C (two f64x2 vectors). */
export const NR: i32 = 4;
/** Inner-dimension block: a 4×KC sliver of B (8 KiB) stays in L1 while the A block streams past it. */
export const KC: i32 = 256;
/** Row block: the packed MC×KC block of A (256 KiB) stays in L2. */
export const MC: i32 = 128;
/** Column block: the packed KC×NC panel of B (4 MiB at most). */
export const NC: i32 = 2048;

/** Scratch bytes gemm needs at `work` for these sizes: one 4×4 edge tile, the packed A block and B panel. */
export function gemmWorkBytes(m: i32, n: i32, k: i32): i32 {
  const kc = min(k, KC), mc = min(m, MC), nc = min(n, NC);
  return 128 + ((mc + MR - 1) / MR * MR) * kc * 8 + ((nc + NR - 1) / NR * NR) * kc * 8;
}

// ---------------------------------------------------------------------------------------------------------------
// Packing. Ap: sliver s holds rows ic + 4s .. + 3 as Ap[s·kc·4 + p·4 + r] = op(A)(ic + 4s + r, pc + p).
//          Bp: sliver t holds cols jc + 4t .. + 3 as Bp[t·kc·4 + p·4 + c] = op(B)(pc + p, jc + 4t + c).
// "Rows along k" (A not transposed, B transposed): four rows read side by side, 2×2 blocks transposed by shuffles.
// "Columns along k" (A transposed, B not): four contiguous values per step of k, copied as two vectors.

/** dst[p·4 + r] = src[r·ld + p] for r < rows (4 when full), p < kc; rows past `rows` are zero. src, dst: bytes. */
function packRows(dst: usize, src: usize, ld: i32, kc: i32, rows: i32): void {
  const ldb = <usize>ld << 3;
  if (rows == 4) {
    const r0 = src, r1 = src + ldb, r2 = src + 2 * ldb, r3 = src + 3 * ldb;
    let p = 0;
    for (; p + 1 < kc; p += 2) {
      const o = <usize>p << 3;
      const a0 = v128.load(r0 + o), a1 = v128.load(r1 + o), a2 = v128.load(r2 + o), a3 = v128.load(r3 + o);
      v128.store(dst, i64x2.shuffle(a0, a1, 0, 2));
      v128.store(dst, i64x2.shuffle(a2, a3, 0, 2), 16);
      v128.store(dst, i64x2.shuffle(a0, a1, 1, 3), 32);
      v128.store(dst, i64x2.shuffle(a2, a3, 1, 3), 48);
      dst += 64;
    }
    if (p < kc) {
      const o = <usize>p << 3;
      store<f64>(dst, load<f64>(r0 + o)); store<f64>(dst, load<f64>(r1 + o), 8);
      store<f64>(dst, load<f64>(r2 + o), 16); store<f64>(dst, load<f64>(r3 + o), 24);
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const o = <usize>p << 3;
    for (let r = 0; r < 4; r++) store<f64>(dst + (<usize>r << 3), r < rows ? load<f64>(src + <usize>r * ldb + o) : 0.0);
    dst += 32;
  }
}

/** dst[p·4 + c] = src[p·ld + c] for c < cols (4 when full), p < kc; zero past `cols`. */
function packCols(dst: usize, src: usize, ld: i32, kc: i32, cols: i32): void {
  const ldb = <usize>ld << 3;
  if (cols == 4) {
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
      src += ldb; dst += 32;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    for (let c = 0; c < 4; c++) store<f64>(dst + (<usize>c << 3), c < cols ? load<f64>(src + (<usize>c << 3)) : 0.0);
    src += ldb; dst += 32;
  }
}

/** Packs op(A)[ic .. ic + mc, pc .. pc + kc] into slivers at ap. */
function packA(ap: usize, a: usize, lda: i32, transA: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    if (transA == 0) packRows(ap, a + ((<usize>(ic + i) * <usize>lda + <usize>pc) << 3), lda, kc, rows);
    else packCols(ap, a + ((<usize>pc * <usize>lda + <usize>(ic + i)) << 3), lda, kc, rows);
    ap += <usize>kc << 5;
  }
}

/** Packs op(B)[pc .. pc + kc, jc .. jc + nc] into slivers at bp. */
function packB(bp: usize, b: usize, ldb: i32, transB: i32, pc: i32, jc: i32, nc: i32, kc: i32): void {
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    if (transB == 0) packCols(bp, b + ((<usize>pc * <usize>ldb + <usize>(jc + j)) << 3), ldb, kc, cols);
    else packRows(bp, b + ((<usize>(jc + j) * <usize>ldb + <usize>pc) << 3), ldb, kc, cols);
    bp += <usize>kc << 5;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Micro-kernel: the 4×4 block at c (row stride ldc elements) = alpha·Σ_p Ap[p,:]ᵀ·Bp[p,:] + beta·c (beta = 0: c not read).

@inline function storeRow(c: usize, lo: v128, hi: v128, va: v128, vb: v128, beta0: bool): void {
  if (beta0) {
    v128.store(c, f64x2.mul(va, lo));
    v128.store(c, f64x2.mul(va, hi), 16);
  } else {
    v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c)), f64x2.mul(va, lo)));
    v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c, 16)), f64x2.mul(va, hi)), 16);
  }
}

function micro4x4(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f64, beta: f64): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0)); c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0)); c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0)); c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0)); c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += 32; bp += 32;
  }
  const va = f64x2.splat(alpha), vb = f64x2.splat(beta), beta0 = beta == 0, ld = <usize>ldc << 3;
  storeRow(c, c00, c01, va, vb, beta0); c += ld;
  storeRow(c, c10, c11, va, vb, beta0); c += ld;
  storeRow(c, c20, c21, va, vb, beta0); c += ld;
  storeRow(c, c30, c31, va, vb, beta0);
}

/** An edge tile: the full 4×4 product into the scratch tile, then only rows × cols of it into c. */
function microEdge(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f64, beta: f64, rows: i32, cols: i32, tile: usize): void {
  micro4x4(kc, ap, bp, tile, 4, 1, 0);
  for (let r = 0; r < rows; r++) {
    const cr = c + ((<usize>r * <usize>ldc) << 3), tr = tile + (<usize>r << 5);
    for (let q = 0; q < cols; q++) {
      const o = <usize>q << 3;
      const s = load<f64>(tr + o);
      store<f64>(cr + o, beta == 0 ? alpha * s : beta * load<f64>(cr + o) + alpha * s);
    }
  }
}

/** All tiles of one mc×nc block of C from packed ap (mc rows) and bp (nc cols). */
function macro(mc: i32, nc: i32, kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f64, beta: f64, tile: usize): void {
  const sliver = <usize>kc << 5;
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    const bs = bp + <usize>(j / NR) * sliver;
    for (let i = 0; i < mc; i += MR) {
      const rows = min(MR, mc - i);
      const as = ap + <usize>(i / MR) * sliver;
      const ct = c + ((<usize>i * <usize>ldc + <usize>j) << 3);
      if (rows == MR && cols == NR) micro4x4(kc, as, bs, ct, ldc, alpha, beta);
      else microEdge(kc, as, bs, ct, ldc, alpha, beta, rows, cols, tile);
    }
  }
}

/** C = beta·C for an m×n block (k = 0: the product is empty). */
function scaleC(c: usize, ldc: i32, m: i32, n: i32, beta: f64): void {
  for (let i = 0; i < m; i++) {
    const r = c + ((<usize>i * <usize>ldc) << 3);
    for (let j = 0; j < n; j++) { const o = r + (<usize>j << 3); store<f64>(o, beta == 0 ? 0.0 : beta * load<f64>(o)); }
  }
}

/**
 * Products up to this many multiply-adds with B not transposed skip the packing: for the small layers of a neural
 * field (batch 16, widths 2 and 50) packing, zero-padded slivers and edge tiles cost more than the products.
 */
const DIRECT_MAX: i64 = 8192;
/**
 * Up to this many multiply-adds the direct route still wins, measured in one process against the packed route
 * (bench/scaling's 16×50 layers, 32³, 16×64×64, 256×4×64, …: 1.2–1.8× for B not transposed) — but with B transposed
 * only when m ≥ DIRECT_NT_MIN_M: its transposition of B (k·n copies) is repaid over m rows (m = 4–16 lost up to 8×).
 */
const DIRECT_WIDE_MAX: i64 = 65536;
const DIRECT_NT_MIN_M: i32 = 32;

/** c[0..2) = alpha·acc + beta·c (c not read for beta = 0), as storeRow does for one vector. */
@inline function storePair(c: usize, acc: v128, va: v128, vb: v128, beta0: bool): void {
  v128.store(c, beta0 ? f64x2.mul(va, acc) : f64x2.add(f64x2.mul(vb, v128.load(c)), f64x2.mul(va, acc)));
}

/**
 * gemm without packing for op(B) = B (k×n rows contiguous; gemm transposes a small Bᵀ into this form first) and k ≤ KC:
 * each entry of C is the same sum in the same order as in the packed route (products added from p = 0 on, then
 * alpha·sum + beta·C, C not read for beta = 0), so results are bit-identical to it; only the loads differ. Blocks of
 * 4 rows × 4 columns (8 accumulators: independent addition chains, as in micro4x4), then 4 × 2, then single rows.
 */
function gemmDirect(transA: i32, m: i32, n: i32, k: i32, alpha: f64, beta: f64, a: usize, lda: i32, b: usize, ldb: i32,
  c: usize, ldc: i32): void {
  const va = f64x2.splat(alpha), vb = f64x2.splat(beta), beta0 = beta == 0;
  const bStep = <usize>ldb << 3, aStep: usize = transA == 0 ? 8 : <usize>lda << 3;
  // Address of A(i, 0) and the step from row i to row i + 1 of op(A).
  const aRow: usize = transA == 0 ? <usize>lda << 3 : 8;
  const ld = <usize>ldc << 3;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const ai = a + <usize>i * aRow, cr = c + <usize>i * ld;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
      let ap = ai, bp = b + (<usize>j << 3);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = v128.load64_splat(ap);
        c00 = f64x2.add(c00, f64x2.mul(x, b0)); c01 = f64x2.add(c01, f64x2.mul(x, b1));
        x = v128.load64_splat(ap + aRow);
        c10 = f64x2.add(c10, f64x2.mul(x, b0)); c11 = f64x2.add(c11, f64x2.mul(x, b1));
        x = v128.load64_splat(ap + 2 * aRow);
        c20 = f64x2.add(c20, f64x2.mul(x, b0)); c21 = f64x2.add(c21, f64x2.mul(x, b1));
        x = v128.load64_splat(ap + 3 * aRow);
        c30 = f64x2.add(c30, f64x2.mul(x, b0)); c31 = f64x2.add(c31, f64x2.mul(x, b1));
        ap += aStep; bp += bStep;
      }
      const o = cr + (<usize>j << 3);
      storeRow(o, c00, c01, va, vb, beta0); storeRow(o + ld, c10, c11, va, vb, beta0);
      storeRow(o + 2 * ld, c20, c21, va, vb, beta0); storeRow(o + 3 * ld, c30, c31, va, vb, beta0);
    }
    for (; j + 1 < n; j += 2) {
      let c0 = f64x2.splat(0), c1 = f64x2.splat(0), c2 = f64x2.splat(0), c3 = f64x2.splat(0);
      let ap = ai, bp = b + (<usize>j << 3);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        c0 = f64x2.add(c0, f64x2.mul(v128.load64_splat(ap), b0));
        c1 = f64x2.add(c1, f64x2.mul(v128.load64_splat(ap + aRow), b0));
        c2 = f64x2.add(c2, f64x2.mul(v128.load64_splat(ap + 2 * aRow), b0));
        c3 = f64x2.add(c3, f64x2.mul(v128.load64_splat(ap + 3 * aRow), b0));
        ap += aStep; bp += bStep;
      }
      const o = cr + (<usize>j << 3);
      storePair(o, c0, va, vb, beta0); storePair(o + ld, c1, va, vb, beta0);
      storePair(o + 2 * ld, c2, va, vb, beta0); storePair(o + 3 * ld, c3, va, vb, beta0);
    }
    if (j < n) for (let r = 0; r < 4; r++) directOne(k, ai + <usize>r * aRow, aStep, b + (<usize>j << 3), bStep, cr + <usize>r * ld + (<usize>j << 3), alpha, beta);
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * aRow, cr = c + <usize>i * ld;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
      let ap = ai, bp = b + (<usize>j << 3);
      for (let p = 0; p < k; p++) {
        const x = v128.load64_splat(ap);
        acc0 = f64x2.add(acc0, f64x2.mul(x, v128.load(bp)));
        acc1 = f64x2.add(acc1, f64x2.mul(x, v128.load(bp, 16)));
        ap += aStep; bp += bStep;
      }
      storeRow(cr + (<usize>j << 3), acc0, acc1, va, vb, beta0);
    }
    for (; j + 1 < n; j += 2) {
      let acc = f64x2.splat(0), ap = ai, bp = b + (<usize>j << 3);
      for (let p = 0; p < k; p++) { acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(ap), v128.load(bp))); ap += aStep; bp += bStep; }
      storePair(cr + (<usize>j << 3), acc, va, vb, beta0);
    }
    if (j < n) directOne(k, ai, aStep, b + (<usize>j << 3), bStep, cr + (<usize>j << 3), alpha, beta);
  }
}

/** One entry of C in scalar arithmetic (the same operations as one lane of the vector paths). */
@inline function directOne(k: i32, ap: usize, aStep: usize, bp: usize, bStep: usize, o: usize, alpha: f64, beta: f64): void {
  let s = 0.0;
  for (let p = 0; p < k; p++) { s += load<f64>(ap) * load<f64>(bp); ap += aStep; bp += bStep; }
  store<f64>(o, beta == 0 ? alpha * s : beta * load<f64>(o) + alpha * s);
}

/**
 * C (m×n, stride ldc) = alpha·op(A)·op(B) + beta·C; op(A) is m×k (A stored m×k, stride lda, or k×m when transA),
 * op(B) is k×n (B stored k×n, stride ldb, or n×k when transB). C must not overlap A, B or work.
 */
export function gemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f64, beta: f64,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) { scaleC(c, ldc, m, n, beta); return; }
  const tile = work, ap = work + 128;
  const kcMax = min(k, KC), mcMax = min(m, MC);
  const bp = ap + <usize>((mcMax + MR - 1) / MR * MR) * <usize>kcMax * 8;
  const mnk = <i64>m * <i64>n * <i64>k;
  if (k <= KC && (transB == 0 || n <= NC)
    && (mnk <= DIRECT_MAX || (mnk <= DIRECT_WIDE_MAX && (transB == 0 || m >= DIRECT_NT_MIN_M)))) {
    if (transB == 0) { gemmDirect(transA, m, n, k, alpha, beta, a, lda, b, ldb, c, ldc); return; }
    // op(B) = Bᵀ: transposed once into the B panel's space, which holds KC × NC entries (so n ≤ NC above).
    for (let j = 0; j < n; j++) {
      const src = b + ((<usize>j * <usize>ldb) << 3), dst = bp + (<usize>j << 3), step = <usize>n << 3;
      for (let p = 0; p < k; p++) store<f64>(dst + <usize>p * step, load<f64>(src + (<usize>p << 3)));
    }
    gemmDirect(transA, m, n, k, alpha, beta, a, lda, bp, n, c, ldc);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(bp, b, ldb, transB, pc, jc, nc, kc);
      const bEff = pc == 0 ? beta : 1.0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(ap, a, lda, transA, ic, pc, mc, kc);
        macro(mc, nc, kc, ap, bp, c + ((<usize>ic * <usize>ldc + <usize>jc) << 3), ldc, alpha, bEff, tile);
      }
    }
  }
}
