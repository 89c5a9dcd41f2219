/**
 * Fast scalar elementary functions in float64, accurate to about half an ulp: `exp`, `expm1`, `tanh`, `sigmoid`,
 * `erf`, `erfc`, `normalCdf` (Φ), `normalPdf` (φ) and `gelu`. The activation kernels (activations.ts) are built on them.
 *
 * Why not `Math.*`: V8's `Math.tanh`/`Math.exp` are fdlibm ports (Math.tanh measured up to 2.2 ulp off) that cost
 * 20–40 ns each in a loop, since optimised code calls out to them; a neural ODE field evaluates hundreds per step.
 * These are plain arithmetic on small tables, which TurboFan inlines into the caller's loop: `tanh` costs ~0.35×
 * `Math.tanh` and `exp` ~0.5× `Math.exp` (bench/activations.ts) while being more accurate.
 *
 * exp family, after Tang, "Table-driven implementation of the exponential function in IEEE floating-point
 * arithmetic", ACM TOMS 15(2), 1989 (also musl's and ARM optimized-routines' exp):
 *   x = n·ln2/32 + r,  n = round(x·32/ln2),  |r| ≤ ln2/64,  n = 32k + j,
 *   e^x = 2^k · 2^(j/32) · e^r,   e^r − 1 ≈ p(r) = r + r²·q(r)  (q a degree-4 fit, relative error of p < 2^-55).
 * ln2/32 is split in L1 + L2 with L1 holding 36 bits, so n·L1 and x − n·L1 are exact; the rounding error of
 * r = (x − n·L1) − n·L2 is carried as rlo in expm1. 2^(j/32) is stored as a hi + lo pair (hi correctly rounded;
 * values from mpmath, checked exactly in fastmath.test.ts), 2^k comes from a table of exact powers of two, and n is
 * rounded with the 1.5·2^52 shifter (no branch). expm1 keeps full relative accuracy near 0 by forming
 * 2^k·T_hi − 1 and its sum with r exactly (two-sums) before adding the small terms.
 *
 * tanh and sigmoid use the addition formula tanh(c + d) = (τ + t)/(1 + τt) on a table of τ = tanh(j/64) (see the
 * section below); sigmoid(x) = (1 + tanh(x/2))/2 with 1 ± τ tabulated to full relative accuracy, so neither tail
 * cancels.
 *
 * erf/erfc: the piecewise rational approximations of Sun's fdlibm s_erf.c (© 1993 Sun Microsystems, freely
 * redistributable; coefficients carried over, code written here), with exp(−x²) formed as
 * exp(−z² − 0.5625)·exp(tail) where z is x cut to 23 bits so z² is exact (fdlibm's Note 1).
 * normalCdf/gelu evaluate erfc at u = |x|/√2 and remove the rounding of u: the exponent −x²/2 is formed from x
 * directly, and where erfc is sensitive to u (|u| < 1.25, x < 0) a first-order correction with the exact rounding
 * error of u is added.
 *
 * Measured accuracy, max error in ulps of the exact value against mpmath (fixture test/fixtures/erf_refs.json, and
 * in brackets a 10k–200k-point development run): exp 0.50 [0.52], expm1 0.51 [0.57], tanh 0.51 [0.51],
 * sigmoid 0.50 [0.68], erf 0.73 [0.78], erfc 1.6 [2.2], normalCdf 1.6 [2.2], gelu 2.2 [2.3]. Against V8's
 * Math.exp/expm1/tanh over 300–400k points from 1e-300 to overflow: at most 1, 1 and 2 ulp apart.
 *
 * All functions are monomorphic number → number, allocate nothing, and accept every double: NaN propagates,
 * ±0 keep their sign where the function is odd, ±Infinity give the limits.
 *
 * V8 notes that shaped the code (measured on this project's machines): keep internal constants and tables
 * unexported (an exported binding is re-read through a cell on every use, ~1.5× slower); avoid data-dependent
 * branches (random signs mispredict) and early returns of computed values in hot functions (an early `return x` is
 * cheap, any other costs ~3 ns per call once inlined); clamp with Math.min/Math.max instead.
 */

/** 32/ln2. */
const INV_L = 46.16624130844683;
/** ln2/32 rounded to 36 significant bits: n·L1 is exact for |n| < 2^17. */
const L1 = 0.021660849392446835;
/** ln2/32 − L1. */
const L2 = 5.145609244655338e-14;
/** 1.5·2^52: (z + SHIFT) − SHIFT is z rounded to the nearest integer, for |z| < 2^51. */
const SHIFT = 6755399441055744;
/**
 * q(r) ≈ (e^r − 1 − r)/r² on |r| ≤ ln2/64: Chebyshev fit of degree 4 (mpmath), max relative error of
 * p(r) = r + r²·q(r) is 2.0e-17 before rounding.
 */
const C2 = 0.5;
const C3 = 0.16666666666581323;
const C4 = 0.041666666666559986;
const C5 = 0.008333362430989848;
const C6 = 0.0013888925260947679;

/** Dekker splitter 2^27 + 1 (26 + 27 bit halves, for exact products). */
const SPLIT26 = 134217729;

/** T[2j] + T[2j + 1] = 2^(j/32) to ~2^-106 relative (hi correctly rounded). */
const T = Float64Array.of(
  1.0, 0.0,
  1.0218971486541166, 5.109225028973444e-17,
  1.0442737824274138, 8.551889705537965e-17,
  1.0671404006768237, -7.899853966841582e-17,
  1.0905077326652577, -3.046782079812471e-17,
  1.1143867425958924, 1.0410278456845571e-16,
  1.1387886347566916, 8.912812676025408e-17,
  1.1637248587775775, 3.8292048369240935e-17,
  1.189207115002721, 3.982015231465646e-17,
  1.215247359980469, -7.712630692681488e-17,
  1.241857812073484, 4.658027591836937e-17,
  1.2690509571917332, 2.667932131342186e-18,
  1.2968395546510096, 2.5382502794888315e-17,
  1.3252366431597413, -2.8587312100388614e-17,
  1.3542555469368927, 7.70094837980299e-17,
  1.383909881963832, -6.770511658794786e-17,
  1.4142135623730951, -9.667293313452913e-17,
  1.4451808069770467, -3.0237581349939873e-17,
  1.4768261459394993, -3.483994556892796e-17,
  1.5091644275934228, -1.016455327754295e-16,
  1.5422108254079407, 7.949834809697621e-17,
  1.5759808451078865, -1.0136916471278304e-17,
  1.6104903319492543, 2.4707192569797888e-17,
  1.645755478153965, -1.0125679913674773e-16,
  1.681792830507429, 8.199010020581497e-17,
  1.718619298122478, -1.851380418263111e-17,
  1.7562521603732995, 2.960140695448873e-17,
  1.7947090750031072, 1.8227458427912087e-17,
  1.8340080864093424, 3.283107224245627e-17,
  1.8741676341103, -6.122763413004143e-17,
  1.9152065613971474, -1.0619946056195963e-16,
  1.9571441241754002, 8.960767791036668e-17,
);

/** P2[k + 1023] = 2^k exactly, for −1023 ≤ k ≤ 1023. */
const P2 = new Float64Array(2047);
{
  let p = 1;
  for (let k = 0; k <= 1023; k++) { P2[1023 + k] = p; p *= 2; }
  p = 1;
  for (let k = 0; k <= 1023; k++) { P2[1023 - k] = p; p *= 0.5; }
}

/** Exported for the tests only: the 2^(j/32) table as hi, lo pairs. */
export const EXP_TABLE: Readonly<Float64Array> = T;

/** Clamp bounds for exp's argument: below −746 the result is 0, above 710 it is +∞ (both still come out of the formula). */
const EXP_LO = -746;
const EXP_HI = 710;

/**
 * e^x. Max error 0.52 ulp against mpmath for normal results (≤ 1 subnormal ulp below 2^-1022, where the last
 * scaling rounds), ≤ 1 ulp from Math.exp; 0 below −745.14, +∞ above 709.79, NaN propagates.
 * Method: Tang's table-driven reduction (file header); 2^k is applied as two exact factors, so subnormal and
 * overflowing results need no branch. About 2× faster than Math.exp in a loop.
 */
export function exp(x: number): number {
  // Math.max/min keep NaN; the clamp keeps n in range for the 2^k table without a branch.
  const xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
  const nd = (xc * INV_L + SHIFT) - SHIFT;
  const ni = nd | 0;
  const j2 = (ni & 31) << 1;
  const r = (xc - nd * L1) - nd * L2;
  const r2 = r * r;
  const p = r + r2 * ((C2 + C3 * r) + r2 * ((C4 + C5 * r) + r2 * C6));
  const th = T[j2];
  const k = ni >> 5;
  const k1 = k >> 1;
  // (s·2^k1) stays normal, so the only rounding into a subnormal (or to ∞) is the last product.
  return ((th + (T[j2 + 1] + th * p)) * P2[k1 + 1023]) * P2[k - k1 + 1023];
}

/**
 * exp without the clamp, for internal callers whose argument is finite and within ±1400 (the two-step scaling
 * still gives 0, subnormals and ∞ correctly there). Smaller, so V8 inlines it into the erf family.
 */
function expCore(x: number): number {
  const nd = (x * INV_L + SHIFT) - SHIFT;
  const ni = nd | 0;
  const j2 = (ni & 31) << 1;
  const r = (x - nd * L1) - nd * L2;
  const r2 = r * r;
  const th = T[j2];
  const k = ni >> 5;
  const k1 = k >> 1;
  return ((th + (T[j2 + 1] + th * (r + r2 * ((C2 + C3 * r) + r2 * ((C4 + C5 * r) + r2 * C6))))) * P2[k1 + 1023]) * P2[k - k1 + 1023];
}

/**
 * e^hi·e^lo for |lo| ≤ |hi|: exp of a sum that would lose bits if rounded to one double first
 * (the erfc tails need exp(−x²) to full relative accuracy, x² up to ~1500).
 */
function expSum(hi: number, lo: number): number {
  const s = hi + lo;
  const e = (hi - s) + lo; // exact rounding error of s (fast two-sum, |hi| ≥ |lo|)
  const v = expCore(s);
  return v + v * e;
}

/**
 * e^x − 1, accurate in relative terms near 0. Max error 0.57 ulp against mpmath, ≤ 1 ulp from Math.expm1
 * (fastmath.test.ts). Returns x for |x| < 2^-54 (so −0 stays −0), −1 below −38, e^x above 709. Not branch-free
 * (its edge cases return computed values): fine for scalars, slower than exp in a loop.
 */
export function expm1(x: number): number {
  if (!(x > -38 && x < 709)) return x >= 709 ? exp(x) : x !== x ? x : -1;
  if (x < 5.551115123125783e-17 && x > -5.551115123125783e-17) return x;
  const nd = (x * INV_L + SHIFT) - SHIFT;
  const ni = nd | 0;
  const j2 = (ni & 31) << 1;
  const rhi = x - nd * L1; // exact
  const tt = nd * L2;
  const r = rhi - tt;
  const rlo = (rhi - r) - tt; // rounding error of r
  const r2 = r * r;
  const pl = rlo + r2 * ((C2 + C3 * r) + r2 * ((C4 + C5 * r) + r2 * C6));
  const p = r + pl; // p ≈ e^(r + rlo) − 1
  const sc = P2[(ni >> 5) + 1023];
  const th = T[j2];
  // e^x − 1 = (2^k·T_hi − 1)·(1 + p) + p + 2^k·T_lo·(1 + p). Both s = 2^k·T_hi − 1 (with its error) and s + r are
  // formed exactly, so the terms that nearly cancel for small n carry no rounding.
  const big = sc * th;
  const s = big - 1;
  const bb = s - big;
  const err = (big - (s - bb)) + (-1 - bb);
  const h = s + r;
  const hb = h - s;
  const l = (s - (h - hb)) + (r - hb);
  return h + ((l + pl) + (err * (1 + p) + s * p + sc * T[j2 + 1] * (1 + p)));
}

// ---------------------------------------------------------------------------------------------------------------
// tanh and sigmoid: addition formula on a table of tanh(j/64).
//
//   |x| = c + d,  c = j/64 (j = round(64|x|)),  |d| ≤ 1/128,
//   tanh(c + d) = (τ + t)/(1 + τ·t),   τ = tanh(c) (table, hi + lo),   t = tanh(d) = d + d³·K(d²) (odd Taylor, |error| < 2^-61·d).
// The numerator is formed exactly (fast two-sum) and the quotient's remainder is computed exactly enough to
// correct it, so only the final addition rounds: ≤ 0.51 ulp. The sign is applied arithmetically (no branch), and
// the only other branch is the never-taken-in-practice tiny-|x| exit.
// Table: 1221 entries (|x| ≤ 19.0625, beyond which tanh rounds to ±1), built at module load in double-double
// arithmetic from e^(1/32) (error < 2^-95, checked against mpmath values in fastmath.test.ts).

/** tanh(x) ≈ x + x³·(K3 + x²·(K5 + x²·K7)) for |x| ≤ 1/128: Taylor coefficients −1/3, 2/15, −17/315. */
const K3 = -0.3333333333333333;
const K5 = 0.13333333333333333;
const K7 = -0.05396825396825397;
/** Last table index: 64·19.0625. For |x| ≥ 19.0625, 1 − tanh|x| < 2^-54 and tanh rounds to ±1. */
const TANH_JMAX = 1220;
/** TANH_T[2j] + TANH_T[2j + 1] = tanh(j/64). */
const TANH_T = new Float64Array(2 * (TANH_JMAX + 1));
/** SIG_T[4j..4j+3] = hi, lo of 1 + tanh(j/64), then hi, lo of 1 − tanh(j/64) (the latter to full relative accuracy). */
const SIG_T = new Float64Array(4 * (TANH_JMAX + 1));
/** Double-double helpers, used only at module load (they return through a small scratch array). */
const DD = new Float64Array(2);
function ddSplitProd(a: number, b: number): number {
  // returns a·b rounded; the exact error goes to DD[1]
  const p = a * b;
  const ca = SPLIT26 * a, ah = ca - (ca - a), al = a - ah;
  const cb = SPLIT26 * b, bh = cb - (cb - b), bl = b - bh;
  DD[1] = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return p;
}
/** (ah + al)·(bh + bl) → DD. */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  const p = ddSplitProd(ah, bh);
  const lo = DD[1] + (ah * bl + al * bh);
  const s = p + lo;
  DD[0] = s; DD[1] = (p - s) + lo;
}
/** (ah + al) + (bh + bl) → DD (two-sum on the high parts). */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const bb = s - ah;
  const lo = ((ah - (s - bb)) + (bh - bb)) + al + bl;
  const r = s + lo;
  DD[0] = r; DD[1] = (s - r) + lo;
}
/** (ah + al)/(bh + bl) → DD (one correction step). */
function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -DD[0], -DD[1]);
  const q2 = (DD[0] + DD[1]) / bh;
  const s = q1 + q2;
  DD[0] = s; DD[1] = (q1 - s) + q2;
}

function buildTanhTables(): void {
  // E = e^(2c) by repeated double-double multiplication with e^(1/32) (mpmath: hi, lo below); relative error
  // grows by ~2^-104 per step, < 2^-93 at the end. With R = 1/(E + 1):
  //   1 − tanh c = 2R (full relative accuracy),  1 + tanh c = 2 − 2R,  tanh c = 1 − 2R (error ≤ 2^-100 absolute).
  const e1h = 1.0317434074991028, e1l = -8.944417741043132e-17;
  let eh = 1, el = 0;
  for (let j = 0; j <= TANH_JMAX; j++) {
    ddAdd(eh, el, 1, 0);
    ddDiv(1, 0, DD[0], DD[1]);
    const rh = 2 * DD[0], rl = 2 * DD[1];
    SIG_T[4 * j + 2] = rh; SIG_T[4 * j + 3] = rl;
    ddAdd(2, 0, -rh, -rl);
    SIG_T[4 * j] = DD[0]; SIG_T[4 * j + 1] = DD[1];
    ddAdd(1, 0, -rh, -rl);
    TANH_T[2 * j] = DD[0]; TANH_T[2 * j + 1] = DD[1];
    ddMul(eh, el, e1h, e1l);
    eh = DD[0]; el = DD[1];
  }
}

buildTanhTables();

/**
 * 1 if b else 0, without a branch: V8 turns a comparison used as a number into a setcc, whereas `b ? 1 : 0` or
 * `x < 0 ? -t : t` becomes a jump that mispredicts on data of random sign (measured: 3× slower on such data).
 */
function bit(b: boolean): number {
  return (b as unknown as number) | 0;
}

/** Exported for the tests only: tanh(j/64) as hi, lo pairs for j = 0..1220. */
export const TANH_TABLE: Readonly<Float64Array> = TANH_T;
/** Exported for the tests only: 1 + tanh(j/64) and 1 − tanh(j/64) as hi, lo pairs. */
export const SIGMOID_TABLE: Readonly<Float64Array> = SIG_T;

/**
 * tanh(x). Max error 0.51 ulp against mpmath (fastmath.test.ts, 200k-point runs during development agree);
 * within 2 ulp of Math.tanh, which is itself up to ~2.2 ulp off (measured). Odd, ±0 kept, ±1 for |x| ≥ 19.0625,
 * NaN propagates. About 0.3–0.4× the cost of Math.tanh in a loop (bench/activations.ts).
 * Method: the addition formula on a table (above).
 */
export function tanh(x: number): number {
  const a = Math.abs(x);
  // tanh x = x − x³/3 rounds to x for |x| < 2^-28 (this also keeps −0 and avoids subnormal arithmetic)
  if (a < 3.725290298461914e-9) return x;
  const z = Math.min(a * 64, TANH_JMAX); // NaN stays NaN and yields NaN below
  const nd = (z + SHIFT) - SHIFT;
  const j2 = (nd | 0) << 1;
  const d = (z - nd) * 0.015625; // exact
  const d2 = d * d;
  const tl = (d * d2) * (K3 + d2 * (K5 + d2 * K7));
  const th = TANH_T[j2];
  const td = d + tl;
  // numerator τ + t = s + nl to 2^-106; denominator 1 + τ·t = 1 + p1 to 2^-60. nl gathers the rounding errors of
  // s = th + td and td = d + tl and the table's lo part: (th − s) + d is exact (it is the error of s plus d − td, and
  // d − td ≈ −tl), so ((th − s) + d) + tl = err(s) + err(td) up to one rounding of that tiny sum.
  const s = th + td;
  const nl = (((th - s) + d) + tl) + TANH_T[j2 + 1];
  const p1 = th * td;
  const sg = 1 - 2 * bit(x < 0);
  const ss = s * sg;
  const q = ss / (1 + p1);
  // Exact remainder: (s + nl)/(1 + p1) − q = ((s − q) − q·p1 + nl)/(1 + p1); s − q is exact (Sterbenz) and q·p1 is
  // < 1% of q, so its rounding is negligible. Only the final addition rounds: error ≤ 0.5 ulp + 2^-60.
  return q + (((ss - q) - q * p1) + nl * sg) * (1 - p1);
}

/**
 * The logistic sigmoid 1/(1 + e^(−x)). Max error 0.68 ulp against mpmath (fastmath.test.ts), in both tails:
 * σ(x) ≈ e^x for x → −∞ (down to subnormals), 1 − σ(x) resolved down to 1 for x ≥ 38.1. NaN propagates.
 * Method: σ(x) = (1 + tanh(x/2))/2 = (1 ± τ)/2 ± (1 − τ²)·t/(2(1 + τ·t)) with 1 ± τ from a table held to full
 * relative accuracy, so nothing cancels: the correction is < 2% of the result. e^x below x = −38.125.
 */
export function sigmoid(x: number): number {
  const z = Math.min(Math.abs(x) * 32, TANH_JMAX); // 64·|x|/2
  const nd = (z + SHIFT) - SHIFT;
  const j = nd | 0;
  const d = (z - nd) * 0.015625;
  const d2 = d * d;
  const td = d + (d * d2) * (K3 + d2 * (K5 + d2 * K7));
  const neg = bit(x < 0);
  const i4 = (j << 2) + (neg << 1);
  const ag = SIG_T[i4]; // 1 + g·τ, g = sign(x)
  const ao = SIG_T[(j << 2) + 2 - (neg << 1)]; // 1 − g·τ
  // (1 + gτ)(1 − gτ) = 1 − τ² ; tanh(x/2) = g·(τ + (1 − τ²)·t/(1 + τ·t))
  const corr = ((ag * ao) * td) / (1 + TANH_T[j << 1] * td);
  const v = 0.5 * ag + (0.5 * SIG_T[i4 + 1] + (0.5 - neg) * corr);
  return x < -38.125 ? exp(x) : v;
}

// ---------------------------------------------------------------------------------------------------------------
// erf, erfc, Φ: fdlibm s_erf.c (Sun Microsystems, 1993) piecewise rational approximations.

/** erx = erf(1) rounded to 24 bits; ERX_C = 1 − erx (exact). */
const ERX = 8.45062911510467529297e-01;
const ERX_C = 1.5493708848953247e-01;
const EFX = 1.28379167095512586316e-01; // 2/√π − 1
// erf on [0, 0.84375]: erf(x) = x + x·P(x²)/Q(x²)
const PP0 = 1.28379167095512558561e-01, PP1 = -3.25042107247001499370e-01, PP2 = -2.84817495755985104766e-02;
const PP3 = -5.77027029648944159157e-03, PP4 = -2.37630166566501626084e-05;
const QQ1 = 3.97917223959155352819e-01, QQ2 = 6.50222499887672944485e-02, QQ3 = 5.08130628187576562776e-03;
const QQ4 = 1.32494738004321644526e-04, QQ5 = -3.96022827877536812320e-06;
// erf on [0.84375, 1.25]: erf(1 + s) = erx + P(s)/Q(s)
const PA0 = -2.36211856075265944077e-03, PA1 = 4.14856118683748331666e-01, PA2 = -3.72207876035701323847e-01;
const PA3 = 3.18346619901161753674e-01, PA4 = -1.10894694282396677476e-01, PA5 = 3.54783043256182359371e-02;
const PA6 = -2.16637559486879084300e-03;
const QA1 = 1.06420880400844228286e-01, QA2 = 5.40397917702171048937e-01, QA3 = 7.18286544141962662868e-02;
const QA4 = 1.26171219808761642112e-01, QA5 = 1.36370839120290507362e-02, QA6 = 1.19844998467991074170e-02;
// erfc on [1.25, 1/0.35]: erfc(x) = exp(−x² − 0.5625 + R(1/x²)/S(1/x²))/x
const RA0 = -9.86494403484714822705e-03, RA1 = -6.93858572707181764372e-01, RA2 = -1.05586262253232909814e+01;
const RA3 = -6.23753324503260060396e+01, RA4 = -1.62396669462573470355e+02, RA5 = -1.84605092906711035994e+02;
const RA6 = -8.12874355063065934246e+01, RA7 = -9.81432934416914548592e+00;
const SA1 = 1.96512716674392571292e+01, SA2 = 1.37657754143519042600e+02, SA3 = 4.34565877475229228821e+02;
const SA4 = 6.45387271733267880336e+02, SA5 = 4.29008140027567833386e+02, SA6 = 1.08635005541779435134e+02;
const SA7 = 6.57024977031928170135e+00, SA8 = -6.04244152148580987438e-02;
// erfc on [1/0.35, 28]
const RB0 = -9.86494292470009928597e-03, RB1 = -7.99283237680523006574e-01, RB2 = -1.77579549177547519889e+01;
const RB3 = -1.60636384855821916062e+02, RB4 = -6.37566443368389627722e+02, RB5 = -1.02509513161107724954e+03;
const RB6 = -4.83519191608651397019e+02;
const SB1 = 3.03380607434824582924e+01, SB2 = 3.25792512996573918826e+02, SB3 = 1.53672958608443695994e+03;
const SB4 = 3.19985821950859553908e+03, SB5 = 2.55305040643316442583e+03, SB6 = 4.74528541206955367215e+02;
const SB7 = -2.24409524465858183362e+01;

/** Veltkamp splitter 2^30 + 1: c − (c − a) keeps the top 23 bits of a, so its square is exact. */
const SPLIT23 = 1073741825;
/** 1/√2 = SQRT1_2 + SQRT1_2_LO; SQRT1_2 = S_HI + S_LO split for exact products. */
const SQRT1_2 = 0.7071067811865476;
const SQRT1_2_LO = -4.833646656726457e-17;
const S_HI = SPLIT26 * SQRT1_2 - (SPLIT26 * SQRT1_2 - SQRT1_2);
const S_LO = SQRT1_2 - S_HI;
const INV_SQRT_PI = 0.5641895835477563;
const INV_SQRT_2PI = 0.3989422804014327;

/** P(z)/Q(z) with erf(x) = x + x·P/Q on |x| < 0.84375, z = x². */
function erfSmallRatio(z: number): number {
  const r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
  const s = 1 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
  return r / s;
}

/** P(s)/Q(s) with erf(1 + s) = erx + P/Q on 0.84375 ≤ 1 + s < 1.25. */
function erfMidRatio(s: number): number {
  const p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
  const q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
  return p / q;
}

/**
 * R and S coefficients of fdlibm's two erfc tail pieces, [1.25, 1/0.35) then [1/0.35, 28), 16 per piece
 * (r0..r7, s1..s8; the second piece padded with zeros), so the piece is chosen by an offset instead of a branch.
 */
const ERFC_RS = Float64Array.of(
  RA0, RA1, RA2, RA3, RA4, RA5, RA6, RA7, SA1, SA2, SA3, SA4, SA5, SA6, SA7, SA8,
  RB0, RB1, RB2, RB3, RB4, RB5, RB6, 0, SB1, SB2, SB3, SB4, SB5, SB6, SB7, 0,
);

/**
 * a·erfc(a) for a ≥ 1.25, given −a² = nsqHi + nsqLo with nsqHi − 0.5625 exact:
 * exp(−a² − 0.5625 + R/S) (fdlibm steps 3–4; R and S evaluated in Estrin form).
 */
function erfcScaledTail(a: number, nsqHi: number, nsqLo: number): number {
  const s = 1 / (a * a);
  const o = bit(a >= 2.857142857142857) << 4;
  const C = ERFC_RS;
  const s2 = s * s;
  const s4 = s2 * s2;
  const r = ((C[o] + s * C[o + 1]) + s2 * (C[o + 2] + s * C[o + 3]))
    + s4 * ((C[o + 4] + s * C[o + 5]) + s2 * (C[o + 6] + s * C[o + 7]));
  const q = 1 + s * (((C[o + 8] + s * C[o + 9]) + s2 * (C[o + 10] + s * C[o + 11]))
    + s4 * ((C[o + 12] + s * C[o + 13]) + s2 * (C[o + 14] + s * C[o + 15])));
  return expSum(nsqHi - 0.5625, nsqLo + r / q);
}

/**
 * The error function. Max error 0.78 ulp against mpmath (test/fixtures/erf_refs.json). Odd, ±0 kept,
 * ±1 for |x| ≥ 6, NaN propagates. Method: fdlibm s_erf.c (Sun, 1993) with this file's exp.
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 0.84375) {
    if (a < 3.725290298461914e-9) return x + EFX * x;
    return x + x * erfSmallRatio(x * x);
  }
  if (a < 1.25) {
    const v = ERX + erfMidRatio(a - 1);
    return x < 0 ? -v : v;
  }
  if (!(a < 6)) return a >= 6 ? (x > 0 ? 1 : -1) : x;
  const c = SPLIT23 * a;
  const z = c - (c - a);
  const v = 1 - erfcScaledTail(a, -z * z, (z - a) * (z + a)) / a;
  return x < 0 ? -v : v;
}

/**
 * The complementary error function 1 − erf(x), accurate in relative terms for large x (down to underflow near
 * x = 27.2). Max error 2.2 ulp against mpmath (test/fixtures/erf_refs.json). Method: fdlibm s_erf.c.
 */
export function erfc(x: number): number {
  const a = Math.abs(x);
  if (a < 0.84375) {
    if (a < 1.3877787807814457e-17) return 1 - x;
    const y = erfSmallRatio(x * x);
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (a < 1.25) {
    const pq = erfMidRatio(a - 1);
    return x >= 0 ? ERX_C - pq : 1 + (ERX + pq);
  }
  if (a < 28) {
    if (x < -6) return 2;
    const c = SPLIT23 * a;
    const z = c - (c - a);
    const r = erfcScaledTail(a, -z * z, (z - a) * (z + a)) / a;
    return x > 0 ? r : 2 - r;
  }
  return x !== x ? x : x > 0 ? 0 : 2;
}

/**
 * Rounding error of u = fl(a·SQRT1_2) against the exact a/√2, i.e. a/√2 = u + (returned value) to ~2^-105.
 * Dekker's exact product plus the tail of 1/√2.
 */
function sqrtHalfProductError(a: number, u: number): number {
  const c = SPLIT26 * a;
  const ah = c - (c - a);
  const al = a - ah;
  return (((ah * S_HI - u) + ah * S_LO + al * S_HI) + al * S_LO) + a * SQRT1_2_LO;
}

/** e^(−z) on 0 ≤ z ≤ 1.5625 to 5e-6 (Chebyshev fit): enough for a first-order correction term. */
function expNegRough(z: number): number {
  return 0.9999948422348574 + z * (-0.9997615306725196 + z * (0.4981884508545321 + z * (-0.16154082270334308
    + z * (0.03489715756174036 + z * -0.00389924211205428))));
}

/**
 * e^(−x²/2 − 0.5625 + R/S) for a = |x| with u = a/√2 ≥ 1.25, so that erfc(u) = (returned)/u:
 * the exponent is formed from a (not from the rounded u) so its error does not grow with x².
 */
function normalTailScaled(a: number, u: number): number {
  const c = SPLIT23 * a;
  const z = c - (c - a);
  return erfcScaledTail(u, -0.5 * (z * z), 0.5 * ((z - a) * (z + a)));
}

/**
 * Φ(x), the standard normal CDF = erfc(−x/√2)/2, accurate in relative terms in the lower tail (down to
 * underflow near x = −38.5). Max error 2.2 ulp against mpmath (test/fixtures/erf_refs.json).
 * Method: fdlibm's erf/erfc pieces at u = |x|/√2, with the rounding of u corrected (file header).
 */
export function normalCdf(x: number): number {
  const a = Math.min(Math.abs(x), 40); // Φ(−40) underflows to 0 and Φ(40) rounds to 1; NaN stays NaN
  const u = a * SQRT1_2;
  const ul = sqrtHalfProductError(a, u); // |x|/√2 = u + ul
  const g = 1 - 2 * bit(x < 0); // the sign enters arithmetically: random signs would mispredict a branch
  if (u < 1.25) {
    // Φ = 1/2 + g·erf(u + ul)/2 = h + g·(l/2 + ul·e^(−u²)/√π), h = 1/2 + g·(leading part of erf u)/2 (exact or
    // nearly), l the rest
    let h: number, l: number;
    if (u < 0.84375) {
      h = 0.5 + g * (0.5 * u);
      l = u * erfSmallRatio(u * u);
    } else {
      h = 0.5 + g * (0.5 * ERX); // exact: erx has 24 bits
      l = erfMidRatio(u - 1);
    }
    return h + g * (0.5 * l + ul * expNegRough(u * u) * INV_SQRT_PI);
  }
  // erfc(u + ul)/2 = E/(2(u + ul)), E = e^(−x²/2 − 0.5625 + R/S); Φ = that for x < 0, 1 − that for x > 0
  const v = 0.5 * normalTailScaled(a, u) / u;
  return bit(x > 0) - g * (v - v * (ul / u));
}

/**
 * GELU, exact form x·Φ(x) (PyTorch's default `approximate='none'`). Max error 2.3 ulp against mpmath
 * (test/fixtures/erf_refs.json), relative accuracy kept in the lower tail (gelu(−10) ≈ −7.7e-23) down to underflow
 * near x = −38.5. gelu(−∞) = −0, gelu(+∞) = +∞, NaN propagates.
 */
export function gelu(x: number): number {
  if (x < -1.7677669529663687) {
    // below u = 1.25: x·erfc(u)/2 = −(√2/2)·u·erfc(u) exactly, since x = −√2·u; no division by u needed
    if (x > -40) {
      const e = normalTailScaled(-x, -x * SQRT1_2);
      return -(e * SQRT1_2 + e * SQRT1_2_LO);
    }
    return -0;
  }
  return x * normalCdf(x);
}

/**
 * φ(x) = e^(−x²/2)/√(2π), the standard normal density, to ~1 ulp: the exponent −x²/2 is formed exactly (x cut to
 * 23 bits so its square is exact, plus the small cross term), so the error does not grow with x².
 */
export function normalPdf(x: number): number {
  const a = Math.min(Math.abs(x), 40); // φ(40) underflows to 0 anyway; keeps the split in range
  const c = SPLIT23 * a;
  const z = c - (c - a);
  return expSum(-0.5 * (z * z), 0.5 * ((z - a) * (z + a))) * INV_SQRT_2PI;
}
