/**
 * The float32 kernels: the f32x4 WebAssembly kernels (wasm/assembly/*32.ts) against the float32 JS kernels
 * (gemm32.ts, dense32.ts, setBackend('js')) and both against float64 references, on random shapes (1, 2, odd,
 * primes, past the block sizes KC = 256, MC = 128, the 4×8 micro-tile edges), all transposes, alpha/beta cases,
 * offset views and longer arrays; the fused dense kernels run their activations in place (y = z) and their backward
 * in place (dz = dOut) inside Wasm, so the dense tests cover that aliasing. Bounds: Higham's γ_n (Accuracy and Stability of Numerical Algorithms, §3.1) with
 * the float32 unit roundoff u = 2⁻²⁴ (test/oracles/gemm-bound.ts gives the magnitudes).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gemm32, gemmNN32, gemmNT32, gemmNTBias32, gemmTN32, gemmTT32 } from '../../../src/core/kernels/gemm32.ts';
import { gemm } from '../../../src/core/kernels/gemm.ts';
import { setBackend, wasmActivationKernel32, wasmActivationId } from '../../../src/core/kernels/wasm.ts';
import { getActivation } from '../../../src/core/kernels/activations.ts';
import { Rng } from '../../../src/core/random.ts';
import { dense, mlp } from '../../../src/index.ts';
import { productMagnitude, worstRatio } from '../../oracles/gemm-bound.ts';

after(() => setBackend('auto'));

const U32 = 2 ** -24;
/** γ_n for float32. */
function gamma32(n: number): number { return (n * U32) / (1 - n * U32); }

function normal32(rng: Rng, n: number): Float32Array { return Float32Array.from(rng.fillNormal(new Float64Array(n))); }

const DIMS = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 37, 64, 97, 129];

function checkCase(seed: number, m: number, n: number, k: number, tA: boolean, tB: boolean, alpha: number, beta: number): void {
  const rng = new Rng(seed);
  const a = normal32(rng, m * k), b = normal32(rng, k * n), c0 = normal32(rng, m * n);
  const aCopy = a.slice(), bCopy = b.slice();
  setBackend('js');
  const js = gemm32(c0.slice(), a, b, m, n, k, tA, tB, alpha, beta);
  setBackend('wasm');
  const wasm = gemm32(c0.slice(), a, b, m, n, k, tA, tB, alpha, beta);
  // The exact product of the float32 inputs, to float64 accuracy.
  const exact = gemm(Float64Array.from(c0), Float64Array.from(a), Float64Array.from(b), m, n, k, tA, tB, Math.fround(alpha), Math.fround(beta));
  const mag = productMagnitude(a, b, c0, m, n, k, tA, tB, alpha, beta);
  const what = `seed ${seed}: ${m}×${n}×${k} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} alpha ${alpha} beta ${beta}`;
  // Wasm sums in float32: within γ_{2k+4}·M of the exact value. JS sums in float64 and rounds each entry once
  // (after alpha·s + beta·c, so up to two float32 roundings of partial results): within γ_2·M.
  const wb = mag.map((v) => gamma32(2 * k + 4) * v);
  const w = worstRatio(wasm, exact, wb);
  assert.ok(w.ratio <= 1, `${what}: wasm entry ${w.at} ${wasm[w.at]} vs exact ${exact[w.at]} exceeds γ·M = ${wb[w.at]}`);
  const jb = mag.map((v) => gamma32(2) * v);
  const j = worstRatio(js, exact, jb);
  assert.ok(j.ratio <= 1, `${what}: js entry ${j.at} ${js[j.at]} vs exact ${exact[j.at]} exceeds ${jb[j.at]}`);
  assert.deepEqual(a, aCopy, `${what}: A changed`);
  assert.deepEqual(b, bCopy, `${what}: B changed`);
}

describe('float32 gemm: f32x4 Wasm against the JS kernels and the exact product', () => {
  test('NaN in A propagates to its row of C; k = 0 gives beta·C (both backends)', () => {
    const rng = new Rng(4), m = 5, n = 9, k = 7;
    const a = normal32(rng, m * k), b = normal32(rng, k * n);
    a[2 * k + 3] = NaN;
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const c = gemmNN32(new Float32Array(m * n), a, b, m, n, k);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) assert.equal(Number.isNaN(c[i * n + j]), i === 2, `${backend} C[${i}, ${j}]`);
      const c0 = normal32(rng, 12);
      const cz = gemm32(c0.slice(), new Float32Array(0), new Float32Array(0), 3, 4, 0, false, false, 1, -2);
      assert.deepEqual(cz, c0.map((v) => -2 * v), backend);
    }
  });

  test('all four transposes on awkward shapes, each alpha/beta case', () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [1, 9, 1], [7, 1, 3], [2, 2, 2], [3, 5, 7], [4, 8, 4], [5, 9, 9],
      [13, 17, 31], [16, 50, 50], [16, 2, 50], [256, 2, 2], [37, 41, 257], [130, 9, 300], [3, 2051, 5]];
    let seed = 1;
    for (const [m, n, k] of shapes) for (const tA of [false, true]) for (const tB of [false, true]) {
      for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, -0.75], [-2, 1], [0, 0.5]]) checkCase(seed++, m, n, k, tA, tB, alpha, beta);
    }
  });

  test('property: random odd shapes, transposes, alpha and beta (seeds printed on failure)', () => {
    fc.assert(fc.property(fc.constantFrom(...DIMS), fc.constantFrom(...DIMS), fc.constantFrom(...DIMS, 256, 257, 300),
      fc.boolean(), fc.boolean(), fc.constantFrom(1, -1, 0.3), fc.constantFrom(0, 1, -0.5), fc.integer({ min: 1, max: 1e6 }),
      (m, n, k, tA, tB, alpha, beta, seed) => { checkCase(seed, m, n, k, tA, tB, alpha, beta); }), { numRuns: 120 });
  });

  test('named entry points dispatch with their transposes; gemmNTBias32 adds the bias', () => {
    const rng = new Rng(7), m = 9, n = 11, k = 6;
    const a = normal32(rng, m * k), at = normal32(rng, k * m), b = normal32(rng, k * n), bt = normal32(rng, n * k), bias = normal32(rng, n);
    const cases: Array<[string, (o: Float32Array) => unknown, (o: Float64Array) => unknown]> = [
      ['NN', (o) => gemmNN32(o, a, b, m, n, k), (o) => gemm(o, Float64Array.from(a), Float64Array.from(b), m, n, k, false, false)],
      ['NT', (o) => gemmNT32(o, a, bt, m, n, k), (o) => gemm(o, Float64Array.from(a), Float64Array.from(bt), m, n, k, false, true)],
      ['TN', (o) => gemmTN32(o, at, b, m, n, k), (o) => gemm(o, Float64Array.from(at), Float64Array.from(b), m, n, k, true, false)],
      ['TT', (o) => gemmTT32(o, at, bt, m, n, k), (o) => gemm(o, Float64Array.from(at), Float64Array.from(bt), m, n, k, true, true)],
      ['NTBias', (o) => gemmNTBias32(o, a, bt, bias, m, n, k),
        (o) => { gemm(o, Float64Array.from(a), Float64Array.from(bt), m, n, k, false, true); for (let q = 0; q < m * n; q++) o[q] += bias[q % n]; }],
    ];
    for (const [name, run32, run64] of cases) {
      const ref = new Float64Array(m * n); setBackend('js'); run64(ref);
      for (const backend of ['js', 'wasm'] as const) {
        setBackend(backend);
        const o = new Float32Array(m * n); run32(o);
        for (let q = 0; q < m * n; q++) assert.ok(Math.abs(o[q] - ref[q]) <= 1e-5 * (1 + Math.abs(ref[q])), `${name} ${backend} [${q}]: ${o[q]} vs ${ref[q]}`);
      }
    }
  });

  test('small products (no packing) are bit-identical to the same rows of a large, packed product', () => {
    setBackend('wasm');
    const rng = new Rng(41);
    // Column counts covering the 8-, 4- and one-column blocks of the direct loop; row counts with and without leftovers.
    // Up to 8192 multiply-adds every product goes direct; up to 65536 those with m ≥ 32 or B not transposed (16×50×50).
    for (const [m, n, k] of [[16, 50, 2], [16, 2, 50], [2, 50, 16], [50, 2, 16], [3, 5, 7], [1, 1, 1], [7, 9, 3], [5, 15, 11], [4, 12, 6], [16, 50, 50], [50, 16, 50], [33, 31, 29], [36, 17, 100]]) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
        for (const [alpha, beta] of [[1, 0], [1, 1], [-0.5, 2]]) {
          const R = Math.ceil(70000 / (m * n * k)) + 1, M = m * R; // M·n·k above every no-packing limit (65536)
          const a = normal32(rng, m * k), b = normal32(rng, k * n), c0 = normal32(rng, m * n);
          const aBig = new Float32Array(M * k), cBig = new Float32Array(M * n);
          for (let q = 0; q < R; q++) {
            for (let i = 0; i < m; i++) {
              for (let p = 0; p < k; p++) {
                if (tA) aBig[p * M + q * m + i] = a[p * m + i]; else aBig[(q * m + i) * k + p] = a[i * k + p];
              }
              for (let j = 0; j < n; j++) cBig[(q * m + i) * n + j] = c0[i * n + j];
            }
          }
          const small = gemm32(c0.slice(), a, b, m, n, k, tA, tB, alpha, beta);
          const big = gemm32(cBig, aBig, b, M, n, k, tA, tB, alpha, beta);
          for (let q = 0; q < R; q++) {
            for (let e = 0; e < m * n; e++) {
              assert.ok(Object.is(small[e], big[q * m * n + e]), `${m}×${n}×${k} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} alpha ${alpha} beta ${beta}: entry ${e} ${small[e]} vs packed ${big[q * m * n + e]}`);
            }
          }
        }
      }
    }
  });

  test('a small product with B transposed and n past the panel width (n > 2048) takes the packed route correctly', () => {
    setBackend('wasm');
    let seed = 43;
    for (const [m, n, k] of [[1, 4096, 2], [2, 3000, 1]]) checkCase(seed++, m, n, k, false, true, 1, 0);
  });

  test('beta = 0 never reads C; offset views and longer arrays: only the m·n prefix is written', () => {
    const rng = new Rng(5), m = 7, n = 9, k = 11;
    const big = normal32(rng, m * k + 20);
    const aView = big.subarray(3, 3 + m * k), aLong = normal32(rng, m * k + 5), b = normal32(rng, k * n);
    for (const a of [aView, aLong]) {
      const res: Float32Array[] = [];
      for (const backend of ['js', 'wasm'] as const) {
        setBackend(backend);
        const out = new Float32Array(m * n + 4).fill(NaN); out.fill(7, m * n);
        gemmNN32(out, a, b, m, n, k);
        assert.deepEqual([...out.subarray(m * n)], [7, 7, 7, 7], `${backend}: tail of out untouched`);
        assert.ok(out.subarray(0, m * n).every(Number.isFinite), `${backend}: NaN in C overwritten when beta = 0`);
        res.push(out.slice(0, m * n));
      }
      for (let q = 0; q < m * n; q++) assert.ok(Math.abs(res[0][q] - res[1][q]) <= 1e-5 * (1 + Math.abs(res[0][q])));
    }
  });
});

/** One float32 ulp at v (the spacing of float32 numbers around |v|; subnormal spacing near 0). */
function ulp32(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

describe('float32 activations in Wasm against the JS float32 kernels', () => {
  test('relu and identity forward, and every backward, are bit-identical; tanh within one float32 ulp of JS', () => {
    const rng = new Rng(11);
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 33, 1001]) {
      const x = Float32Array.from(rng.fillNormal(new Float64Array(n)), (v, i) => (i % 5 === 0 ? 8 * v : i % 7 === 0 ? 1e-5 * v : v));
      if (n > 8) { x[1] = NaN; x[2] = Infinity; x[3] = -Infinity; x[4] = -0; x[5] = 30; x[6] = 1e-30; x[7] = -1e-42; }
      const g = normal32(rng, n);
      for (const name of ['tanh', 'relu', 'identity'] as const) {
        const act = getActivation(name), id = wasmActivationId(name);
        const jsY = act.forward(new Float32Array(n), x) as Float32Array;
        const wY = wasmActivationKernel32(new Float32Array(n), x, null, n, id);
        for (let i = 0; i < n; i++) {
          const same = Object.is(wY[i], jsY[i]);
          if (name === 'tanh' && !same) assert.ok(Math.abs(wY[i] - jsY[i]) <= ulp32(jsY[i]) && Math.sign(wY[i]) === Math.sign(jsY[i]), `tanh forward, n = ${n}, x = ${x[i]}: ${wY[i]} vs ${jsY[i]}`);
          else assert.ok(same, `${name} forward, n = ${n}, x = ${x[i]}: ${wY[i]} vs ${jsY[i]}`);
        }
        const jsD = act.backward(new Float32Array(n), g, x, jsY) as Float32Array;
        const wD = wasmActivationKernel32(new Float32Array(n), g, jsY, n, id);
        for (let i = 0; i < n; i++) assert.ok(Object.is(wD[i], jsD[i]), `${name} backward, n = ${n}, y = ${jsY[i]}: ${wD[i]} vs ${jsD[i]}`);
      }
    }
  });

  test('float32 tanh is within 1.06 ulp of the true tanh: every float32 in [0.7, 0.8] (the branch point), ±, and random points to 12', () => {
    const lo = new Float32Array([0.7]), hi = new Float32Array([0.8]);
    const i0 = new Int32Array(lo.buffer)[0], i1 = new Int32Array(hi.buffer)[0];
    const bits = new Int32Array(i1 - i0).map((_, i) => i0 + i);
    const dense = new Float32Array(bits.buffer);
    const rng = new Rng(12), m = 200_000;
    const wide = Float32Array.from({ length: m }, (_, i) => (i % 2 ? -1 : 1) * (i % 3 === 0 ? 12 * rng.uniform() : i % 3 === 1 ? Math.exp(-40 * rng.uniform()) : rng.uniform()));
    for (const x of [dense, wide, Float32Array.from(dense, (v) => -v)]) {
      const n = x.length;
      const y = wasmActivationKernel32(new Float32Array(n), x, null, n, wasmActivationId('tanh'));
      let worst = 0, at = 0;
      for (let i = 0; i < n; i++) {
        const t = Math.tanh(x[i]), e = Math.abs(y[i] - t) / ulp32(t);
        if (!(e <= worst)) { worst = e; at = i; }
      }
      assert.ok(worst <= 1.06, `tanh(${x[at]}): ${y[at]} vs ${Math.tanh(x[at])}, ${worst} ulp`);
    }
  });
});

describe('float32 dense layers and MLPs: Wasm against JS and against float64', () => {
  function run(backend: 'js' | 'wasm', batch: number, nIn: number, nOut: number, act: string, bias: boolean) {
    setBackend(backend);
    const layer = dense(nIn, nOut, { activation: act, bias, dtype: 'float32' }), rng = new Rng(batch * 1000 + nIn * 10 + nOut);
    const p = new Float32Array(layer.paramCount); layer.init(p, rng);
    const x = normal32(rng, batch * nIn), v = normal32(rng, batch * nOut), ws = layer.workspace(batch);
    const y = new Float32Array(batch * nOut), dP = normal32(rng, layer.paramCount), dP0 = dP.slice(), dX = new Float32Array(batch * nIn);
    layer.apply(y, p, x, ws); layer.vjp(dP, dX, v, p, x, ws);
    return { p, x, v, y, dP, dP0, dX };
  }

  test('forward and VJP (dW, db accumulated; dX) agree with float64 to float32 accuracy, random odd shapes', () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [16, 2, 50], [16, 50, 2], [9, 13, 17], [33, 31, 29], [64, 96, 80]];
    for (const act of ['tanh', 'relu', 'identity', 'softplus']) for (const bias of [true, false]) for (const [b, i, o] of shapes) {
      const js = run('js', b, i, o, act, bias), wasm = run('wasm', b, i, o, act, bias);
      // The float64 layer on the same (float32-representable) inputs is the reference.
      setBackend('js');
      const l64 = dense(i, o, { activation: act, bias }), ws = l64.workspace(b);
      const p = Float64Array.from(js.p), y = new Float64Array(b * o), dP = Float64Array.from(js.dP0), dX = new Float64Array(b * i);
      l64.apply(y, p, Float64Array.from(js.x), ws); l64.vjp(dP, dX, Float64Array.from(js.v), p, Float64Array.from(js.x), ws);
      const tol = (r: number, k: number): number => 4 * gamma32(2 * k + 8) * (1 + Math.abs(r)) * Math.sqrt(k + 1);
      for (const [name, a32, a64, k] of [['y', 'y', y, i], ['dParams', 'dP', dP, b], ['dX', 'dX', dX, o]] as const) {
        for (const r of [js, wasm]) {
          const got = r[a32];
          for (let q = 0; q < a64.length; q++) {
            assert.ok(Math.abs(got[q] - a64[q]) <= tol(a64[q], k), `${act} bias ${bias} ${b}×${i}→${o} ${name}[${q}] ${r === js ? 'js' : 'wasm'}: ${got[q]} vs ${a64[q]}`);
          }
        }
      }
    }
  });

  test('H→H→H tanh MLP in float32: Wasm and JS agree to float32 accuracy at 16×50 and 64×96', () => {
    for (const [batch, h] of [[16, 50], [64, 96]]) {
      const res: Float32Array[][] = [];
      for (const backend of ['js', 'wasm'] as const) {
        setBackend(backend);
        const m = mlp([h, h, h], { activation: 'tanh', dtype: 'float32' }), rng = new Rng(9);
        const p = new Float32Array(m.paramCount); m.init(p, rng);
        const x = normal32(rng, batch * h), v = normal32(rng, batch * h), ws = m.workspace(batch);
        const y = new Float32Array(batch * h), dP = new Float32Array(m.paramCount), dX = new Float32Array(batch * h);
        m.apply(y, p, x, ws); m.vjp(dP, dX, v, p, x, ws);
        res.push([y, dP, dX]);
      }
      for (let a = 0; a < 3; a++) {
        let scale = 0; for (const v of res[0][a]) scale = Math.max(scale, Math.abs(v));
        for (let q = 0; q < res[0][a].length; q++) assert.ok(Math.abs(res[0][a][q] - res[1][a][q]) <= 2e-5 * scale, `array ${a} [${q}] at ${batch}×${h}`);
      }
    }
  });

  test('a float32 layer rejects Float64Array operands with a DTYPE TideError', () => {
    setBackend('auto');
    const layer = dense(3, 4, { dtype: 'float32' }), ws = layer.workspace(2);
    const p = new Float32Array(layer.paramCount);
    assert.throws(() => layer.apply(new Float32Array(8), p, new Float64Array(6), ws), (e: Error & { code?: string }) => e.code === 'DTYPE' && /float32/.test(e.message));
  });
});
