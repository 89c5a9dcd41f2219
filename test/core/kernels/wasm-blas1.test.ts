/**
 * The WebAssembly vector kernels (wasm/assembly/blas1.ts) against the JS loops of src/core/kernels/blas1.ts, bit for
 * bit (Object.is per element, so −0 ≠ +0 and NaN matches NaN whatever its payload): through the dispatching entry
 * points with setBackend('wasm') and 'auto' against setBackend('js'), and the Wasm kernels called directly. Lengths 0, 1, odd, even, around the Wasm tails and the 'auto'
 * thresholds, and large; offset subarray views; out aliasing an input where the kernel's doc allows it; NaN, ±Infinity,
 * ±0, subnormals and overflowing products. linComb also against its unfused definition (the Runge–Kutta stage loop);
 * the error-norm sum of control/norms.ts (routed there) with number and array tolerances.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as blas from '../../../src/core/kernels/blas1.ts';
import { setBackend, wasmDot, wasmSum, wasmSumSquaredScaled, wasmAxpy, wasmLinComb } from '../../../src/core/kernels/wasm.ts';
import { rmsNorm, sumSquaredScaled } from '../../../src/control/norms.ts';
import { Rng } from '../../../src/core/random.ts';
import { mlp } from '../../../src/nn/chain.ts';

after(() => setBackend('auto'));

const T = blas.BLAS1_AUTO_MIN_LENGTH;
const finite = (v: number): number[] => Number.isFinite(v) ? [v - 1, v, v + 1] : [];
const LENGTHS = [...new Set([0, 1, 2, 3, 4, 5, 7, 8, 31, 255, 256, 257, 511, 513, 4099, 100_003,
  ...Object.values(T).flatMap(finite)])].filter((n) => n >= 0).sort((a, b) => a - b);

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1e308, 1e-300];

/**
 * n values, viewed at an offset of 3 elements into a larger buffer (a subarray, as workspaces hand out): normals of
 * mixed magnitude, with specials sprinkled in at a rate of about one in 16 when `specials`.
 */
function vec(rng: Rng, n: number, specials = true): Float64Array {
  const buf = new Float64Array(n + 7).fill(12345);
  const v = buf.subarray(3, 3 + n);
  for (let i = 0; i < n; i++) {
    const r = rng.uniform();
    v[i] = specials && r < 1 / 16 ? SPECIAL[rng.int(SPECIAL.length)] : rng.normal() * Math.exp(6 * rng.normal());
  }
  return v;
}

const show = (v: number): string => Object.is(v, -0) ? '-0' : String(v);

function sameBits(wasm: ArrayLike<number>, js: ArrayLike<number>, what: string): void {
  assert.equal(wasm.length, js.length, `${what}: lengths`);
  for (let i = 0; i < js.length; i++) {
    if (!Object.is(wasm[i], js[i])) assert.fail(`${what}: element ${i} of ${js.length}: wasm ${show(wasm[i])} vs js ${show(js[i])}`);
  }
}

/** Runs f under each backend on copies of the same inputs and compares every output bitwise. */
function bothBackends(what: string, f: () => ArrayLike<number> | number): void {
  setBackend('js');
  const js = f();
  setBackend('wasm');
  const wasm = f();
  setBackend('auto');
  const auto = f();
  if (typeof js === 'number') {
    assert.ok(Object.is(wasm, js), `${what}: wasm ${String(wasm)} vs js ${js}`);
    assert.ok(Object.is(auto, js), `${what}: auto ${String(auto)} vs js ${js}`);
  } else {
    sameBits(wasm as ArrayLike<number>, js, `${what} (wasm)`);
    sameBits(auto as ArrayLike<number>, js, `${what} (auto)`);
  }
}

const ALPHAS = [0.75, -3.25e-5, 0, -0, NaN, Infinity, 1e300];

describe('wasm blas1: routed kernels through the dispatcher, bit for bit against JS', () => {
  test('axpy, axpyInPlace, scale: every length, specials, offset views, several alphas', () => {
    const rng = new Rng(1);
    for (const n of LENGTHS) {
      const x = vec(rng, n), y = vec(rng, n);
      for (const alpha of n > 5000 ? ALPHAS.slice(0, 2) : ALPHAS) {
        bothBackends(`axpy n=${n} alpha=${alpha}`, () => blas.axpy(vec(rng, n).fill(7), alpha, x, y).slice());
        bothBackends(`axpyInPlace n=${n} alpha=${alpha}`, () => blas.axpyInPlace(y.slice(), alpha, x));
        bothBackends(`scale n=${n} alpha=${alpha}`, () => blas.scale(new Float64Array(n), alpha, x));
      }
    }
  });

  test('add, sub, mul: every length, specials, offset views', () => {
    const rng = new Rng(2);
    for (const n of LENGTHS) {
      const x = vec(rng, n), y = vec(rng, n);
      bothBackends(`add n=${n}`, () => blas.add(new Float64Array(n), x, y));
      bothBackends(`sub n=${n}`, () => blas.sub(new Float64Array(n), x, y));
      bothBackends(`mul n=${n}`, () => blas.mul(new Float64Array(n), x, y));
    }
  });

  test('aliasing: out = x and out = y for axpy, add, sub, mul; out = x for scale', () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 3, 17, 1024, 1025, 5001]) {
      const x = vec(rng, n), y = vec(rng, n);
      bothBackends(`axpy out=x n=${n}`, () => { const xc = x.slice(); return blas.axpy(xc, 1.5, xc, y); });
      bothBackends(`axpy out=y n=${n}`, () => { const yc = y.slice(); return blas.axpy(yc, 1.5, x, yc); });
      bothBackends(`scale out=x n=${n}`, () => { const xc = x.slice(); return blas.scale(xc, -2.5, xc); });
      for (const op of ['add', 'sub', 'mul'] as const) {
        bothBackends(`${op} out=x n=${n}`, () => { const xc = x.slice(); return blas[op](xc, xc, y); });
        bothBackends(`${op} out=y n=${n}`, () => { const yc = y.slice(); return blas[op](yc, x, yc); });
        bothBackends(`${op} out=x=y n=${n}`, () => { const xc = x.slice(); return blas[op](xc, xc, xc); });
      }
    }
  });

  test('the aliased results are the mathematical ones (not merely equal across backends)', () => {
    setBackend('wasm');
    const x = Float64Array.from({ length: 2049 }, (_, i) => i), y = Float64Array.from({ length: 2049 }, (_, i) => 2 * i);
    const xc = x.slice();
    blas.axpy(xc, 3, xc, y);
    for (let i = 0; i < x.length; i++) assert.equal(xc[i], 5 * i);
    const yc = y.slice();
    blas.axpyInPlace(yc, -2, x);
    for (let i = 0; i < x.length; i++) assert.ok(Object.is(yc[i], 0), `axpyInPlace at ${i}: ${yc[i]}`);
    setBackend('auto');
  });

  test('NaN and ±Infinity propagate to the same elements on both backends', () => {
    const n = 3001, x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) { x[i] = SPECIAL[i % SPECIAL.length]; y[i] = SPECIAL[(i * 7 + 3) % SPECIAL.length]; }
    for (const alpha of ALPHAS) {
      bothBackends(`axpy specials alpha=${alpha}`, () => blas.axpy(new Float64Array(n), alpha, x, y));
      bothBackends(`scale specials alpha=${alpha}`, () => blas.scale(new Float64Array(n), alpha, x));
    }
    bothBackends('mul specials', () => blas.mul(new Float64Array(n), x, y));
    bothBackends('sub specials', () => blas.sub(new Float64Array(n), x, y));
    setBackend('wasm');
    const r = blas.axpy(new Float64Array(4), 2, new Float64Array([Infinity, 1e308, NaN, -0]), new Float64Array([-Infinity, 0, 1, -0]));
    assert.ok(Number.isNaN(r[0]) && r[1] === Infinity && Number.isNaN(r[2]) && Object.is(r[3], -0), `axpy specials: ${r.join(', ')}`);
    setBackend('auto');
  });

  test('inputs longer than out, and Float32Array operands, take the JS loop (same results as js)', () => {
    const rng = new Rng(4), n = 3000;
    const x = vec(rng, n + 5, false), y = vec(rng, n, false);
    bothBackends('axpy, x longer than out', () => blas.axpy(new Float64Array(n), 0.5, x, y));
    const x32 = Float32Array.from(x.subarray(0, n)), y32 = Float32Array.from(y);
    bothBackends('axpy float32', () => blas.axpy(new Float32Array(n), 0.5, x32, y32));
    bothBackends('mul float32 out, float64 inputs', () => blas.mul(new Float32Array(n), x.subarray(0, n), y));
  });
});

/** The definition linComb must reproduce: the Runge–Kutta stage loop, unfused (zero the sum, add the terms, finish). */
function linCombReference(out: Float64Array, y: Readonly<Float64Array> | null, w: number, coeffs: ArrayLike<number>,
  ks: readonly Float64Array[], count: number): Float64Array {
  const n = out.length;
  out.fill(0);
  for (let j = 0; j < count; j++) {
    const c = coeffs[j];
    if (c === 0) continue;
    for (let m = 0; m < n; m++) out[m] += c * ks[j][m];
  }
  if (y !== null) for (let m = 0; m < n; m++) out[m] = y[m] + w * out[m];
  else for (let m = 0; m < n; m++) out[m] *= w;
  return out;
}

describe('wasm blas1: linComb', () => {
  /** Coefficient rows: dopri5's stage 7 (one zero inside), all zero, −0 and zeros at both ends, a NaN, 16 stages. */
  const rows: number[][] = [
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
    [0, 0, 0],
    [-0, 0, 1.5, 0, -0],
    [0, 0.25, 0, 0, 0, -1, 0],
    [1, 2, 3, 4],
    [1, 2, 3, 4, 5],
    [0.5, NaN, 2],
    Array.from({ length: 16 }, (_, j) => (j % 5 === 3 ? 0 : (j + 1) / 17 * (j % 2 ? -1 : 1))),
    [],
  ];

  test('bit-identical to the unfused stage loop and across backends: every row, y given or null, every length', () => {
    const rng = new Rng(5);
    for (const n of [0, 1, 2, 3, 7, 255, 256, 257, 513, 1023, 4099]) {
      for (const row of rows) {
        const count = row.length;
        const ks = Array.from({ length: count }, () => vec(rng, n));
        const y = vec(rng, n);
        for (const w of [0.0123, -1, NaN]) {
          for (const yy of [y, null]) {
            const ref = linCombReference(new Float64Array(n), yy, w, row, ks, count);
            const what = `linComb n=${n} row=[${row.join(',')}] w=${w} y=${yy === null ? 'null' : 'given'}`;
            setBackend('js');
            sameBits(blas.linComb(new Float64Array(n), yy, w, row, ks, count), ref, `${what} (js)`);
            setBackend('wasm');
            sameBits(blas.linComb(new Float64Array(n), yy, w, row, ks, count), ref, `${what} (wasm)`);
            setBackend('auto');
            sameBits(blas.linComb(new Float64Array(n), yy, w, Float64Array.from(row), ks, count), ref, `${what} (auto, Float64Array row)`);
          }
        }
      }
    }
  });

  test('count below the row length uses only the first count stages; zero-coefficient stages are never read', () => {
    const rng = new Rng(6), n = 3001;
    const row = [0.5, 0, -0.25, 2, 7];
    const ks = [vec(rng, n), new Float64Array(0), vec(rng, n), vec(rng, n), vec(rng, n)];
    const y = vec(rng, n);
    for (const count of [0, 1, 2, 3, 4]) {
      const ref = linCombReference(new Float64Array(n), y, 0.1, row, ks, count);
      bothBackends(`linComb count=${count}`, () => blas.linComb(new Float64Array(n), y, 0.1, row, ks, count));
      setBackend('js');
      sameBits(blas.linComb(new Float64Array(n), y, 0.1, row, ks, count), ref, `linComb count=${count} vs reference`);
    }
    setBackend('auto');
  });

  test('large combinations (n = 100003, and past the auto limit; 7 coefficients, one zero) and a −0-only sum (0 + (−0) is +0 in the reference)', () => {
    const rng = new Rng(7), n = 100_003;
    const row = [0.1, 0.2, 0, 0.3, 0.4, 0.5, 0.6];
    const ks = row.map(() => vec(rng, n)), y = vec(rng, n);
    const ref = linCombReference(new Float64Array(n), y, 0.05, row, ks, row.length);
    setBackend('wasm');
    sameBits(blas.linComb(new Float64Array(n), y, 0.05, row, ks, row.length), ref, 'linComb n=100003');
    // Above the auto limit on stage elements, 'auto' keeps the JS passes: same bits again.
    const nBig = Math.ceil(blas.BLAS1_AUTO_MAX.linCombStageElements / 6) + 1;
    const ksBig = row.map(() => vec(rng, nBig, false)), yBig = vec(rng, nBig, false);
    const refBig = linCombReference(new Float64Array(nBig), yBig, 0.05, row, ksBig, row.length);
    bothBackends(`linComb n=${nBig} (past linCombStageElements)`, () => blas.linComb(new Float64Array(nBig), yBig, 0.05, row, ksBig, row.length));
    setBackend('wasm');
    sameBits(blas.linComb(new Float64Array(nBig), yBig, 0.05, row, ksBig, row.length), refBig, `linComb n=${nBig}`);
    const negZero = new Float64Array(5).fill(-0);
    const out = blas.linComb(new Float64Array(5), null, 1, [1], [negZero], 1);
    for (const v of out) assert.ok(Object.is(v, 0), `−0 sum gives ${v}`);
    setBackend('js');
    for (const v of blas.linComb(new Float64Array(5), null, 1, [1], [negZero], 1)) assert.ok(Object.is(v, 0));
    setBackend('auto');
  });

  test('the Wasm kernel itself, called directly, on float64 stages at offsets', () => {
    const rng = new Rng(8), n = 777, row = [0.3, 0, -1.25, 4];
    const ks = row.map(() => vec(rng, n)), y = vec(rng, n);
    const out = new Float64Array(n);
    assert.ok(wasmLinComb(out, 0, n, y, 0.5, row, ks, row.length));
    const want = linCombReference(new Float64Array(n), y, 0.5, row, ks, row.length);
    sameBits(out, want, 'wasmLinComb');
    // Into a row of a larger array (a dense interpolant's coefficients): only [5, 5 + n) is written.
    const big = new Float64Array(n + 9).fill(-1);
    assert.ok(wasmLinComb(big, 5, n, y, 0.5, row, ks, row.length));
    sameBits(big.subarray(5, 5 + n), want, 'wasmLinComb at an offset');
    assert.ok(big.subarray(0, 5).every((v) => v === -1) && big.subarray(5 + n).every((v) => v === -1), 'wasmLinComb wrote outside its row');
  });
});

describe('wasm blas1: reductions (dot, sum, the error-norm sum)', () => {
  test('dot: the f64x2 accumulator gives the JS even/odd sums exactly (dispatcher and kernel)', () => {
    const rng = new Rng(9);
    for (const n of LENGTHS) {
      for (const specials of [false, true]) {
        const x = vec(rng, n, specials), y = vec(rng, n, specials);
        bothBackends(`dot n=${n}`, () => blas.dot(x, y));
        setBackend('js');
        const js = blas.dot(x, y);
        assert.ok(Object.is(wasmDot(x, y), js), `dot n=${n}: wasm ${wasmDot(x, y)} vs js ${js}`);
      }
    }
    setBackend('auto');
  });

  test('dot above the auto limit: the JS loop under auto, the same bits as Wasm when forced', () => {
    const rng = new Rng(12), n = blas.BLAS1_AUTO_MAX.dotLength + 3;
    const x = vec(rng, n, false), y = vec(rng, n, false);
    bothBackends(`dot n=${n}`, () => blas.dot(x, y));
  });

  test('sum: index order, as the JS sum (dispatcher and kernel)', () => {
    const rng = new Rng(10);
    for (const n of LENGTHS) {
      for (const specials of [false, true]) {
        const x = vec(rng, n, specials);
        bothBackends(`sum n=${n}`, () => blas.sum(x));
        setBackend('js');
        assert.ok(Object.is(wasmSum(x), blas.sum(x)), `sum n=${n}`);
      }
    }
    setBackend('auto');
    assert.ok(Object.is(wasmSum(new Float64Array([-0, -0])), 0)); // the JS sum starts at +0 too
  });

  test('sumSquaredScaled (the error norm): scalar and array tolerances, specials, odd and even lengths', () => {
    const rng = new Rng(11);
    for (const n of LENGTHS) {
      const err = vec(rng, n), yp = vec(rng, n), yn = vec(rng, n);
      const rt = new Float64Array(n), at = new Float64Array(n);
      for (let i = 0; i < n; i++) { rt[i] = 1e-3 * rng.uniform(); at[i] = 1e-6 * rng.uniform(); }
      const e2 = vec(rng, n, false), p2 = vec(rng, n, false), q2 = vec(rng, n, false);
      for (const [r, a] of [[1e-3, 1e-6], [rt, 1e-6], [1e-3, at], [rt, at]] as const) {
        const what = `sumSquaredScaled n=${n} rtol ${typeof r} atol ${typeof a}`;
        bothBackends(what, () => sumSquaredScaled(err, yp, yn, r, a, 0, n));
        bothBackends(`${what}, finite`, () => sumSquaredScaled(e2, p2, q2, r, a, 0, n));
        bothBackends(`rmsNorm ${what}`, () => rmsNorm(e2, p2, q2, r, a));
        setBackend('js');
        const js = sumSquaredScaled(err, yp, yn, r, a, 0, n), wasm = wasmSumSquaredScaled(err, yp, yn, r, a);
        assert.ok(Object.is(wasm, js), `${what}: wasm ${wasm} vs js ${js}`);
      }
      // A block of the state (a seminorm's range) takes the JS loop and still agrees.
      if (n > 2) bothBackends(`sumSquaredScaled range n=${n}`, () => sumSquaredScaled(e2, p2, q2, 1e-3, 1e-6, 1, n - 1));
    }
    setBackend('auto');
  });

  test('max(|yPrev|, |yNew|) with NaN picks as the JS `a > b ? a : b` does', () => {
    setBackend('js');
    const err = new Float64Array([1, 1, 1, 1]), yp = new Float64Array([NaN, 1, NaN, 3]), yn = new Float64Array([1, NaN, NaN, -4]);
    const js = sumSquaredScaled(err, yp, yn, 1, 0, 0, 4);
    assert.ok(Object.is(wasmSumSquaredScaled(err, yp, yn, 1, 0), js));
    const err1 = new Float64Array([1, 1]), a1 = new Float64Array([NaN, 2]), b1 = new Float64Array([2, NaN]);
    // a = NaN, b = 2: JS picks b (NaN > 2 is false), so the first term is finite; a = 2, b = NaN: it picks NaN.
    assert.ok(Number.isNaN(sumSquaredScaled(err1, a1, b1, 1, 0, 0, 2)));
    assert.ok(Object.is(wasmSumSquaredScaled(err1.subarray(0, 1), a1.subarray(0, 1), b1.subarray(0, 1), 1, 0), 0.25));
    setBackend('auto');
  });

  test('wasmAxpy directly on views at odd offsets into one buffer (operands overlap in JS memory)', () => {
    const buf = Float64Array.from({ length: 40 }, (_, i) => i - 13.5);
    const x = buf.subarray(1, 21), y = buf.subarray(5, 25), out = buf.subarray(3, 23);
    const ref = new Float64Array(20);
    for (let i = 0; i < 20; i++) ref[i] = 0.25 * x[i] + y[i];
    assert.ok(wasmAxpy(out, 0.25, x, y));
    sameBits(out, ref, 'wasmAxpy overlapping views');
  });
});

describe('wasm blas1: vector kernels between a chain\'s forward and its vjp', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`${dtype} mlp: the hidden activations resident in Wasm memory survive vector kernels (and memory growth) in between`, () => {
      setBackend('wasm');
      const f32 = dtype === 'float32', batch = 8, h = 24;
      const alloc = (n: number): Float64Array | Float32Array => (f32 ? new Float32Array(n) : new Float64Array(n));
      const m = mlp([h, h, h, h], { activation: 'tanh', dtype }), rng = new Rng(13);
      const p = alloc(m.paramCount); m.init(p as Float64Array, rng);
      const x = alloc(batch * h), v = alloc(batch * h);
      for (let i = 0; i < x.length; i++) { x[i] = rng.normal(); v[i] = rng.normal(); }
      const ws = m.workspace(batch);
      const run = (between: () => void) => {
        const y = alloc(batch * h), dP = alloc(m.paramCount), dX = alloc(batch * h);
        m.apply(y as Float64Array, p as Float64Array, x as Float64Array, ws);
        between();
        m.vjp(dP as Float64Array, dX as Float64Array, v as Float64Array, p as Float64Array, x as Float64Array, ws);
        return [y, dP, dX];
      };
      const ref = run(() => {});
      // Large enough that the arena grows past the chain's layout (a fresh memory buffer) while activations are resident.
      const n = 600_000, a = vec(rng, n, false), b = vec(rng, n, false), out = new Float64Array(n);
      const got = run(() => {
        blas.linComb(out, a, 0.5, [1, 0, 2], [b, a, a], 3);
        blas.axpy(out, 2, a, b);
        blas.dot(a, b);
        blas.sum(a);
        sumSquaredScaled(a, b, out, 1e-3, 1e-6, 0, n);
      });
      for (let i = 0; i < 3; i++) sameBits(got[i], ref[i], `${dtype} ${['y', 'dParams', 'dX'][i]}`);
      setBackend('auto');
    });
  }
});
