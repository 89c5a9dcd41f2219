/**
 * A chain of float32 dense layers with Wasm activations runs as one Wasm call (wasmChainForward32 / wasmChainVjp32
 * in src/core/kernels/wasm.ts), as the float64 chain does (chain-wasm.test.ts). It must give, bit for bit, what its
 * layers give called one by one (each a float32 Wasm call of its own): outputs, parameter cotangents accumulated into
 * a non-zero dParams, and input cotangents; with and without biases, one to four layers, identity / tanh / relu,
 * several batch sizes; and its activations left in Wasm memory must survive other kernels (float32 and float64),
 * a float64 chain, and a backend switch between apply and vjp.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { dense, chain, mlp, Rng } from '../../src/index.ts';
import type { Model } from '../../src/index.ts';
import { getBackend, setBackend } from '../../src/core/kernels/wasm.ts';
import { randomArray } from '../oracles/finite-diff.ts';

const F32 = { dtype: 'float32' } as const;

function rand32(n: number, rng: Rng): Float32Array {
  return Float32Array.from(randomArray(n, rng));
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.ok(a instanceof Float32Array && b instanceof Float32Array, `${what}: Float32Arrays`);
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: fused ${a[i]} vs layer by layer ${b[i]}`);
}

/** Output, dParams (accumulated onto a random start) and dX of m, and the same through m.layers one by one. */
function compare(m: Model & { layers: readonly Model[] }, batch: number, seed: number): void {
  const rng = new Rng(seed);
  const p = rand32(m.paramCount, rng), x = rand32(batch * m.inDim, rng), w = rand32(batch * m.outDim, rng);
  const dP0 = rand32(m.paramCount, rng);
  const ws = m.workspace(batch), out = new Float32Array(batch * m.outDim);
  m.apply(out, p, x, ws);
  const dP = Float32Array.from(dP0), dX = new Float32Array(x.length);
  m.vjp(dP, dX, w, p, x, ws);
  const L = m.layers.length, offs: number[] = [];
  let off = 0;
  for (const l of m.layers) { offs.push(off); off += l.paramCount; }
  const wss = m.layers.map((l) => l.workspace(batch));
  const hs: Float32Array[] = [x];
  for (let i = 0; i < L; i++) {
    const l = m.layers[i], h = new Float32Array(batch * l.outDim);
    l.apply(h, p.subarray(offs[i], offs[i] + l.paramCount), hs[i], wss[i]);
    hs.push(h);
  }
  sameBits(out, hs[L], `${m.name} b${batch} out`);
  const dPr = Float32Array.from(dP0);
  let g: Float32Array = w;
  for (let i = L - 1; i >= 0; i--) {
    const l = m.layers[i], dIn = new Float32Array(batch * l.inDim);
    l.vjp(dPr.subarray(offs[i], offs[i] + l.paramCount), dIn, g, p.subarray(offs[i], offs[i] + l.paramCount), hs[i], wss[i]);
    g = dIn;
  }
  sameBits(dP, dPr, `${m.name} b${batch} dParams`);
  sameBits(dX, g, `${m.name} b${batch} dX`);
  const dX2 = new Float32Array(x.length);
  m.apply(out, p, x, ws);
  m.vjp(null, dX2, w, p, x, ws);
  sameBits(dX2, g, `${m.name} b${batch} dX (dParams null)`);
  const dP2 = Float32Array.from(dP0);
  m.vjp(dP2, null, w, p, x, ws);
  sameBits(dP2, dPr, `${m.name} b${batch} dParams (dX null)`);
}

describe('fused Wasm chain of float32 dense layers', () => {
  const before = getBackend();
  after(() => setBackend(before === 'wasm' ? 'auto' : 'js'));

  const models = (): Array<Model & { layers: readonly Model[] }> => [
    mlp([2, 50, 2], F32),
    mlp([16, 50, 50], F32),
    mlp([3, 7, 5, 2], { activation: 'relu', finalActivation: 'tanh', ...F32 }),
    chain(dense(4, 9, { activation: 'tanh', bias: false, ...F32 }), dense(9, 3, F32), dense(3, 6, { activation: 'relu', ...F32 }),
      dense(6, 1, { bias: false, ...F32 })),
    chain(dense(5, 3, { activation: 'tanh', ...F32 })),
  ];

  for (const backend of ['wasm', 'auto'] as const) {
    test(`bit-identical to the layers one by one (backend '${backend}')`, () => {
      setBackend(backend);
      let seed = 1;
      for (const m of models()) for (const batch of [1, 3, 16, 33]) compare(m, batch, seed++);
    });
  }

  test('float32 chain outputs are float32 and close to the float64 chain (the fused route is a float32 computation)', () => {
    setBackend('wasm');
    const m32 = mlp([3, 11, 2], F32), m64 = mlp([3, 11, 2]), batch = 5, rng = new Rng(3);
    const p = randomArray(m64.paramCount, rng), x = randomArray(batch * 3, rng);
    const o64 = new Float64Array(batch * 2), o32 = new Float32Array(batch * 2);
    m64.apply(o64, p, x, m64.workspace(batch));
    m32.apply(o32, Float32Array.from(p), Float32Array.from(x), m32.workspace(batch));
    for (let i = 0; i < o64.length; i++) assert.ok(Math.abs(o32[i] - o64[i]) <= 1e-5 * (1 + Math.abs(o64[i])), `out[${i}]: ${o32[i]} vs ${o64[i]}`);
  });

  test('activations left in Wasm memory: two workspaces interleaved, other kernels, a float64 chain and a backend switch between apply and vjp', () => {
    setBackend('wasm');
    const m = mlp([3, 11, 6, 2], F32), batch = 8, rng = new Rng(7);
    const p = rand32(m.paramCount, rng), w = rand32(batch * 2, rng);
    const xs = [rand32(batch * 3, rng), rand32(batch * 3, rng)];
    const ref = xs.map((x) => {
      const ws = m.workspace(batch), out = new Float32Array(batch * 2), dP = new Float32Array(m.paramCount), dX = new Float32Array(x.length);
      m.apply(out, p, x, ws); m.vjp(dP, dX, w, p, x, ws);
      return { out, dP, dX };
    });
    const wss = xs.map(() => m.workspace(batch)), outs = xs.map(() => new Float32Array(batch * 2));
    const run = (k: number, between: () => void): void => {
      const dP = new Float32Array(m.paramCount), dX = new Float32Array(xs[k].length);
      between();
      m.vjp(dP, dX, w, p, xs[k], wss[k]);
      sameBits(outs[k], ref[k].out, `ws ${k} out`); sameBits(dP, ref[k].dP, `ws ${k} dParams`); sameBits(dX, ref[k].dX, `ws ${k} dX`);
    };
    m.apply(outs[0], p, xs[0], wss[0]); m.apply(outs[1], p, xs[1], wss[1]);
    run(1, () => {}); run(0, () => {});
    // A float32 kernel, a float64 kernel and a float64 chain (whose own activations then stay resident).
    const o32 = dense(4, 20, { activation: 'tanh', ...F32 }), o64 = dense(4, 20, { activation: 'tanh' }), c64 = mlp([4, 9, 3]);
    const ox = randomArray(batch * 4, rng);
    const between: Array<() => void> = [
      () => o32.apply(new Float32Array(batch * 20), rand32(o32.paramCount, rng), Float32Array.from(ox), o32.workspace(batch)),
      () => o64.apply(new Float64Array(batch * 20), randomArray(o64.paramCount, rng), ox, o64.workspace(batch)),
      () => c64.apply(new Float64Array(batch * 3), randomArray(c64.paramCount, rng), ox, c64.workspace(batch)),
    ];
    for (const f of between) { m.apply(outs[0], p, xs[0], wss[0]); run(0, f); }
    // A float64 chain forward, then this chain's forward and vjp, then the float64 chain's vjp: both right.
    const ws64 = c64.workspace(batch), p64 = randomArray(c64.paramCount, rng), w64 = randomArray(batch * 3, rng);
    const y64 = new Float64Array(batch * 3), dP64 = new Float64Array(c64.paramCount), dX64 = new Float64Array(ox.length);
    c64.apply(y64, p64, ox, ws64); c64.vjp(dP64, dX64, w64, p64, ox, ws64);
    const y64b = new Float64Array(batch * 3), dP64b = new Float64Array(c64.paramCount), dX64b = new Float64Array(ox.length);
    c64.apply(y64b, p64, ox, ws64);
    m.apply(outs[1], p, xs[1], wss[1]);
    run(1, () => {});
    c64.vjp(dP64b, dX64b, w64, p64, ox, ws64);
    for (const [a, b, what] of [[y64, y64b, 'y'], [dP64, dP64b, 'dP'], [dX64, dX64b, 'dX']] as const) {
      for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `float64 chain ${what}[${i}]`);
    }
    // A second pullback of the same forward.
    run(1, () => {});
    // A fresh workspace whose activations never left Wasm memory, pulled back by the JS kernels.
    const fresh = m.workspace(batch), fo = new Float32Array(batch * 2);
    m.apply(fo, p, xs[1], fresh);
    setBackend('js');
    const dP = new Float32Array(m.paramCount), dX = new Float32Array(xs[1].length);
    m.vjp(dP, dX, w, p, xs[1], fresh);
    for (let i = 0; i < dP.length; i++) assert.ok(Math.abs(dP[i] - ref[1].dP[i]) <= 1e-4 * (1 + Math.abs(ref[1].dP[i])), `js pullback dParams[${i}]`);
    for (let i = 0; i < dX.length; i++) assert.ok(Math.abs(dX[i] - ref[1].dX[i]) <= 1e-4 * (1 + Math.abs(ref[1].dX[i])), `js pullback dX[${i}]`);
  });

  test('a float32 chain with a JS-only activation (sigmoid) still matches its layers (no fused route)', () => {
    setBackend('wasm');
    compare(mlp([2, 8, 2], { activation: 'sigmoid', ...F32 }), 16, 99);
  });

  test('a float32 chain given Float64Arrays still throws the float32 layer\'s DTYPE error', () => {
    setBackend('wasm');
    const m = mlp([2, 8, 2], F32), ws = m.workspace(4);
    assert.throws(() => m.apply(new Float64Array(8), new Float64Array(m.paramCount), new Float64Array(8), ws), /float32/);
  });
});
