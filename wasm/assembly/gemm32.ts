/**
 * gemm on f32x4: C (m×n, row stride ldc) = alpha·op(A)·op(B) + beta·C in float32, all four transpose cases, with the
 * GotoBLAS/BLIS blocking of gemm.ts (Goto & van de Geijn, ACM TOMS 34(3), 2008). The micro-kernel keeps a 4×8 block
 * of C in 8 f32x4 registers (the same register budget as the f64x2 4×4 kernel, twice the flops per step of k): per
 * step it loads 4 splats of A and 2 vectors of B and does 8 mul + 8 add.
 *
 * Packing: Ap sliver s holds rows ic + 4s .. + 3 as Ap[s·kc·4 + p·4 + r] = op(A)(ic + 4s + r, pc + p);
 *          Bp sliver t holds cols jc + 8t .. + 7 as Bp[t·kc·8 + p·8 + c] = op(B)(pc + p, jc + 8t + c).
 * Rows along k (A not transposed, B transposed) are read four rows × four values at a time and transposed with
 * shuffles; columns along k (A transposed, B not) are contiguous per step of k. Past-the-edge slivers are zero.
 *
 * Products of at most 8192 multiply-adds, or 65536 when B is not transposed or m ≥ 32 (k ≤ KC), skip the packing:
 * a direct loop over A and B (Bᵀ first transposed
 * into the panel space) with 4×8 and 4×4 register blocks, the same float32 sums in the same order (bit-identical).
 *
 * Rounding: float32 throughout; each C entry is a float32 sum over k in order within a KC block, blocks added in
 * order (the float32 JS kernels accumulate in float64 instead, so the two agree to float32 rounding, not bitwise).
 * Pointers are byte addresses in this module's memory; `work` must hold gemm32WorkBytes(m, n, k) bytes.
 */

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 2048;

/** Scratch bytes gemm32 needs at `work`: one 4×8 edge tile, the packed A block and B panel. */
export function gemm32WorkBytes(m: i32, n: i32, k: i32): i32 {
  const kc = min(k, KC), mc = min(m, MC), nc = min(n, NC);
  return 128 + ((mc + MR - 1) / MR * MR) * kc * 4 + ((nc + NR - 1) / NR * NR) * kc * 4;
}

/**
 * dst[p·stride + r] = src[r·ld + p] for r < rows (≤ 4), p < kc; rows past `rows` are zero. stride: floats per step
 * of k in dst (4 for A slivers, 8 for B slivers, written four at a time).
 */
function packRows4(dst: usize, stride: i32, src: usize, ld: i32, kc: i32, rows: i32): void {
  const ldb = <usize>ld << 2, sb = <usize>stride << 2;
  if (rows == 4) {
    const r0 = src, r1 = src + ldb, r2 = src + 2 * ldb, r3 = src + 3 * ldb;
    let p = 0;
    for (; p + 3 < kc; p += 4) {
      const o = <usize>p << 2;
      const a0 = v128.load(r0 + o), a1 = v128.load(r1 + o), a2 = v128.load(r2 + o), a3 = v128.load(r3 + o);
      const t0 = i32x4.shuffle(a0, a1, 0, 4, 1, 5), t1 = i32x4.shuffle(a2, a3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(a0, a1, 2, 6, 3, 7), t3 = i32x4.shuffle(a2, a3, 2, 6, 3, 7);
      v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(dst + sb, i64x2.shuffle(t0, t1, 1, 3));
      v128.store(dst + 2 * sb, i64x2.shuffle(t2, t3, 0, 2));
      v128.store(dst + 3 * sb, i64x2.shuffle(t2, t3, 1, 3));
      dst += 4 * sb;
    }
    for (; p < kc; p++) {
      const o = <usize>p << 2;
      store<f32>(dst, load<f32>(r0 + o)); store<f32>(dst, load<f32>(r1 + o), 4);
      store<f32>(dst, load<f32>(r2 + o), 8); store<f32>(dst, load<f32>(r3 + o), 12);
      dst += sb;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const o = <usize>p << 2;
    for (let r = 0; r < 4; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(src + <usize>r * ldb + o) : <f32>0);
    dst += sb;
  }
}

/** dst[p·width + c] = src[p·ld + c] for c < cols (≤ width), p < kc; zero past `cols`. width: 4 or 8. */
function packCols(dst: usize, width: i32, src: usize, ld: i32, kc: i32, cols: i32): void {
  const ldb = <usize>ld << 2;
  if (cols == width) {
    if (width == 8) {
      for (let p = 0; p < kc; p++) { v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16); src += ldb; dst += 32; }
    } else {
      for (let p = 0; p < kc; p++) { v128.store(dst, v128.load(src)); src += ldb; dst += 16; }
    }
    return;
  }
  const wb = <usize>width << 2;
  for (let p = 0; p < kc; p++) {
    for (let c = 0; c < width; c++) store<f32>(dst + (<usize>c << 2), c < cols ? load<f32>(src + (<usize>c << 2)) : <f32>0);
    src += ldb; dst += wb;
  }
}

function packA(ap: usize, a: usize, lda: i32, transA: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    if (transA == 0) packRows4(ap, 4, a + ((<usize>(ic + i) * <usize>lda + <usize>pc) << 2), lda, kc, rows);
    else packCols(ap, 4, a + ((<usize>pc * <usize>lda + <usize>(ic + i)) << 2), lda, kc, rows);
    ap += <usize>kc << 4;
  }
}

function packB(bp: usize, b: usize, ldb: i32, transB: i32, pc: i32, jc: i32, nc: i32, kc: i32): void {
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    if (transB == 0) packCols(bp, 8, b + ((<usize>pc * <usize>ldb + <usize>(jc + j)) << 2), ldb, kc, cols);
    else {
      const src = b + ((<usize>(jc + j) * <usize>ldb + <usize>pc) << 2);
      packRows4(bp, 8, src, ldb, kc, min(4, cols));
      packRows4(bp + 16, 8, src + ((<usize>4 * <usize>ldb) << 2), ldb, kc, max(0, cols - 4));
    }
    bp += <usize>kc << 5;
  }
}

@inline function storeRow(c: usize, lo: v128, hi: v128, va: v128, vb: v128, beta0: bool): void {
  if (beta0) {
    v128.store(c, f32x4.mul(va, lo));
    v128.store(c, f32x4.mul(va, hi), 16);
  } else {
    v128.store(c, f32x4.add(f32x4.mul(vb, v128.load(c)), f32x4.mul(va, lo)));
    v128.store(c, f32x4.add(f32x4.mul(vb, v128.load(c, 16)), f32x4.mul(va, hi)), 16);
  }
}

function micro4x8(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16; bp += 32;
  }
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta), beta0 = beta == 0, ld = <usize>ldc << 2;
  storeRow(c, c00, c01, va, vb, beta0); c += ld;
  storeRow(c, c10, c11, va, vb, beta0); c += ld;
  storeRow(c, c20, c21, va, vb, beta0); c += ld;
  storeRow(c, c30, c31, va, vb, beta0);
}

/** rows × cols of the scratch tile (rows of 8 floats) into c: c = alpha·tile (beta = 0, c not read) or beta·c + alpha·tile. */
@inline function storeTile(c: usize, ldc: i32, tile: usize, rows: i32, cols: i32, alpha: f32, beta: f32): void {
  for (let r = 0; r < rows; r++) {
    const cr = c + ((<usize>r * <usize>ldc) << 2), tr = tile + (<usize>r << 5);
    for (let q = 0; q < cols; q++) {
      const o = <usize>q << 2;
      const s = load<f32>(tr + o);
      store<f32>(cr + o, beta == 0 ? alpha * s : beta * load<f32>(cr + o) + alpha * s);
    }
  }
}

function microEdge(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f32, beta: f32, rows: i32, cols: i32, tile: usize): void {
  micro4x8(kc, ap, bp, tile, 8, 1, 0);
  storeTile(c, ldc, tile, rows, cols, alpha, beta);
}

/**
 * An edge tile whose B sliver holds at most 4 columns (its other 4 are zero padding): a 4×4 product (4 accumulators,
 * one B vector per step of k) into the scratch tile, then rows × cols of it into c. Half the work of micro4x8.
 */
function microEdgeHalf(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f32, beta: f32, rows: i32, cols: i32, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(ap), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(ap, 4), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(ap, 8), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(ap, 12), b0));
    ap += 16; bp += 32;
  }
  v128.store(tile, c0); v128.store(tile, c1, 32); v128.store(tile, c2, 64); v128.store(tile, c3, 96);
  storeTile(c, ldc, tile, rows, cols, alpha, beta);
}

function macro(mc: i32, nc: i32, kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f32, beta: f32, tile: usize): void {
  const sa = <usize>kc << 4, sbv = <usize>kc << 5;
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    const bs = bp + <usize>(j / NR) * sbv;
    for (let i = 0; i < mc; i += MR) {
      const rows = min(MR, mc - i);
      const as = ap + <usize>(i / MR) * sa;
      const ct = c + ((<usize>i * <usize>ldc + <usize>j) << 2);
      if (rows == MR && cols == NR) micro4x8(kc, as, bs, ct, ldc, alpha, beta);
      else if (cols <= 4) microEdgeHalf(kc, as, bs, ct, ldc, alpha, beta, rows, cols, tile);
      else microEdge(kc, as, bs, ct, ldc, alpha, beta, rows, cols, tile);
    }
  }
}

function scaleC(c: usize, ldc: i32, m: i32, n: i32, beta: f32): void {
  for (let i = 0; i < m; i++) {
    const r = c + ((<usize>i * <usize>ldc) << 2);
    for (let j = 0; j < n; j++) { const o = r + (<usize>j << 2); store<f32>(o, beta == 0 ? <f32>0 : beta * load<f32>(o)); }
  }
}

/**
 * Products up to this many multiply-adds skip the packing (as in gemm.ts): for the small layers of a neural field
 * (batch 16, widths 2 and 50) packing, zero-padded slivers and edge tiles cost more than the products.
 */
const DIRECT_MAX: i64 = 8192;
/**
 * Up to this many multiply-adds the direct route still wins, measured in one process against the packed route
 * (bench/scaling's 16×50 layers, 32³, 16×64×64, 256×4×64, …: 1.2–1.8× for B not transposed) — but with B transposed
 * only when m ≥ DIRECT_NT_MIN_M: its transposition of B (k·n copies) is repaid over m rows (m = 4–16 lost up to 8×).
 */
const DIRECT_WIDE_MAX: i64 = 65536;
const DIRECT_NT_MIN_M: i32 = 32;

/** c[0..4) = alpha·acc + beta·c (c not read for beta = 0), as storeRow does for one vector. */
@inline function storeQuad(c: usize, acc: v128, va: v128, vb: v128, beta0: bool): void {
  v128.store(c, beta0 ? f32x4.mul(va, acc) : f32x4.add(f32x4.mul(vb, v128.load(c)), f32x4.mul(va, acc)));
}

/** One entry of C from its float32 sum s, as microEdge stores it. */
@inline function storeOne(o: usize, s: f32, alpha: f32, beta: f32): void {
  store<f32>(o, beta == 0 ? alpha * s : beta * load<f32>(o) + alpha * s);
}

/**
 * gemm32 without packing for op(B) = B (k×n rows contiguous; gemm32 transposes a small Bᵀ into this form first) and
 * k ≤ KC: each entry of C is the same float32 sum in the same order as in the packed route (products added from
 * p = 0 on, then alpha·sum + beta·C, C not read for beta = 0), so results are bit-identical to it; only the loads
 * differ. Blocks of 4 rows × 8 columns (8 accumulators, as micro4x8), 4 × 4, then 4 rows × one column in scalars
 * (4 independent chains); leftover rows the same way one row at a time.
 */
function gemm32Direct(transA: i32, m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, lda: i32, b: usize, ldb: i32,
  c: usize, ldc: i32): void {
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta), beta0 = beta == 0;
  const bStep = <usize>ldb << 2, aStep: usize = transA == 0 ? 4 : <usize>lda << 2;
  // The step from row i to row i + 1 of op(A).
  const aRow: usize = transA == 0 ? <usize>lda << 2 : 4;
  const ld = <usize>ldc << 2;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const ai = a + <usize>i * aRow, cr = c + <usize>i * ld;
    let j = 0;
    for (; j + 7 < n; j += 8) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let ap = ai, bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = v128.load32_splat(ap);
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = v128.load32_splat(ap + aRow);
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = v128.load32_splat(ap + 2 * aRow);
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = v128.load32_splat(ap + 3 * aRow);
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
        ap += aStep; bp += bStep;
      }
      const o = cr + (<usize>j << 2);
      storeRow(o, c00, c01, va, vb, beta0); storeRow(o + ld, c10, c11, va, vb, beta0);
      storeRow(o + 2 * ld, c20, c21, va, vb, beta0); storeRow(o + 3 * ld, c30, c31, va, vb, beta0);
    }
    for (; j + 3 < n; j += 4) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let ap = ai, bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(ap), b0));
        c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(ap + aRow), b0));
        c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(ap + 2 * aRow), b0));
        c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(ap + 3 * aRow), b0));
        ap += aStep; bp += bStep;
      }
      const o = cr + (<usize>j << 2);
      storeQuad(o, c0, va, vb, beta0); storeQuad(o + ld, c1, va, vb, beta0);
      storeQuad(o + 2 * ld, c2, va, vb, beta0); storeQuad(o + 3 * ld, c3, va, vb, beta0);
    }
    for (; j < n; j++) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let ap = ai, bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const y = load<f32>(bp);
        s0 += load<f32>(ap) * y; s1 += load<f32>(ap + aRow) * y;
        s2 += load<f32>(ap + 2 * aRow) * y; s3 += load<f32>(ap + 3 * aRow) * y;
        ap += aStep; bp += bStep;
      }
      const o = cr + (<usize>j << 2);
      storeOne(o, s0, alpha, beta); storeOne(o + ld, s1, alpha, beta);
      storeOne(o + 2 * ld, s2, alpha, beta); storeOne(o + 3 * ld, s3, alpha, beta);
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * aRow, cr = c + <usize>i * ld;
    let j = 0;
    for (; j + 7 < n; j += 8) {
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
      let ap = ai, bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const x = v128.load32_splat(ap);
        acc0 = f32x4.add(acc0, f32x4.mul(x, v128.load(bp)));
        acc1 = f32x4.add(acc1, f32x4.mul(x, v128.load(bp, 16)));
        ap += aStep; bp += bStep;
      }
      storeRow(cr + (<usize>j << 2), acc0, acc1, va, vb, beta0);
    }
    for (; j + 3 < n; j += 4) {
      let acc = f32x4.splat(0), ap = ai, bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) { acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(ap), v128.load(bp))); ap += aStep; bp += bStep; }
      storeQuad(cr + (<usize>j << 2), acc, va, vb, beta0);
    }
    for (; j < n; j++) {
      let s: f32 = 0, ap = ai, bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) { s += load<f32>(ap) * load<f32>(bp); ap += aStep; bp += bStep; }
      storeOne(cr + (<usize>j << 2), s, alpha, beta);
    }
  }
}

/** As gemm (gemm.ts) on float32 operands: op(A) m×k, op(B) k×n, C m×n; C must not overlap A, B or work. */
export function gemm32(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32, beta: f32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) { scaleC(c, ldc, m, n, beta); return; }
  const tile = work, ap = work + 128;
  const kcMax = min(k, KC), mcMax = min(m, MC);
  const bp = ap + <usize>((mcMax + MR - 1) / MR * MR) * <usize>kcMax * 4;
  // The B panel holds min(n, NC)·min(k, KC) floats at least, so a transposed Bᵀ of k×n fits when n ≤ NC.
  const mnk = <i64>m * <i64>n * <i64>k;
  if (k <= KC && (transB == 0 || n <= NC)
    && (mnk <= DIRECT_MAX || (mnk <= DIRECT_WIDE_MAX && (transB == 0 || m >= DIRECT_NT_MIN_M)))) {
    if (transB == 0) { gemm32Direct(transA, m, n, k, alpha, beta, a, lda, b, ldb, c, ldc); return; }
    for (let j = 0; j < n; j++) {
      const src = b + ((<usize>j * <usize>ldb) << 2), dst = bp + (<usize>j << 2), step = <usize>n << 2;
      for (let p = 0; p < k; p++) store<f32>(dst + <usize>p * step, load<f32>(src + (<usize>p << 2)));
    }
    gemm32Direct(transA, m, n, k, alpha, beta, a, lda, bp, n, c, ldc);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(bp, b, ldb, transB, pc, jc, nc, kc);
      const bEff: f32 = pc == 0 ? beta : 1;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(ap, a, lda, transA, ic, pc, mc, kc);
        macro(mc, nc, kc, ap, bp, c + ((<usize>ic * <usize>ldc + <usize>jc) << 2), ldc, alpha, bEff, tile);
      }
    }
  }
}
