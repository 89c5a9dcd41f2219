/**
 * A chain of float64 dense layers with Wasm activations runs as one Wasm call (wasmChainForward / wasmChainVjp in
 * src/core/kernels/wasm.ts). It must give, bit for bit, what its layers give called one by one (each a Wasm call of
 * its own): outputs, parameter cotangents accumulated into a non-zero dParams, and input cotangents; for chains
 * with and without biases, one to four layers, identity / tanh / relu, several batch sizes.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { dense, chain, mlp, Rng } from '../../src/index.ts';
import type { Model } from '../../src/index.ts';
import { getBackend, setBackend } from '../../src/core/kernels/wasm.ts';
import { randomArray } from '../oracles/finite-diff.ts';

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: fused ${a[i]} vs layer by layer ${b[i]}`);
}

/** Output, dParams (accumulated onto a random start) and dX of m, and the same through m.layers one by one. */
function compare(m: Model & { layers: readonly Model[] }, batch: number, seed: number): void {
  const rng = new Rng(seed);
  const p = randomArray(m.paramCount, rng), x = randomArray(batch * m.inDim, rng), w = randomArray(batch * m.outDim, rng);
  const dP0 = randomArray(m.paramCount, rng);
  const ws = m.workspace(batch), out = new Float64Array(batch * m.outDim);
  m.apply(out, p, x, ws);
  const dP = Float64Array.from(dP0), dX = new Float64Array(x.length);
  m.vjp(dP, dX, w, p, x, ws);
  // Layer by layer.
  const L = m.layers.length, offs: number[] = [];
  let off = 0;
  for (const l of m.layers) { offs.push(off); off += l.paramCount; }
  const wss = m.layers.map((l) => l.workspace(batch));
  const hs: Float64Array[] = [x];
  for (let i = 0; i < L; i++) {
    const l = m.layers[i], h = new Float64Array(batch * l.outDim);
    l.apply(h, p.subarray(offs[i], offs[i] + l.paramCount), hs[i], wss[i]);
    hs.push(h);
  }
  sameBits(out, hs[L], `${m.name} b${batch} out`);
  const dPr = Float64Array.from(dP0);
  let g: Float64Array = w;
  for (let i = L - 1; i >= 0; i--) {
    const l = m.layers[i], dIn = new Float64Array(batch * l.inDim);
    l.vjp(dPr.subarray(offs[i], offs[i] + l.paramCount), dIn, g, p.subarray(offs[i], offs[i] + l.paramCount), hs[i], wss[i]);
    g = dIn;
  }
  sameBits(dP, dPr, `${m.name} b${batch} dParams`);
  sameBits(dX, g, `${m.name} b${batch} dX`);
  // dParams null: dX alone; dX null: dParams alone.
  const dX2 = new Float64Array(x.length);
  m.apply(out, p, x, ws);
  m.vjp(null, dX2, w, p, x, ws);
  sameBits(dX2, g, `${m.name} b${batch} dX (dParams null)`);
  const dP2 = Float64Array.from(dP0);
  m.vjp(dP2, null, w, p, x, ws);
  sameBits(dP2, dPr, `${m.name} b${batch} dParams (dX null)`);
}

describe('fused Wasm chain of dense layers', () => {
  const before = getBackend();
  after(() => setBackend(before === 'wasm' ? 'auto' : 'js'));

  const models = (): Array<Model & { layers: readonly Model[] }> => [
    mlp([2, 50, 2]),
    mlp([3, 7, 5, 2], { activation: 'relu', finalActivation: 'tanh' }),
    chain(dense(4, 9, { activation: 'tanh', bias: false }), dense(9, 3), dense(3, 6, { activation: 'relu' }), dense(6, 1, { bias: false })),
    chain(dense(5, 3, { activation: 'tanh' })),
  ];

  for (const backend of ['wasm', 'auto'] as const) {
    test(`bit-identical to the layers one by one (backend '${backend}')`, () => {
      setBackend(backend);
      let seed = 1;
      for (const m of models()) for (const batch of [1, 3, 16, 33]) compare(m, batch, seed++);
    });
  }

  test('activations left in Wasm memory: two workspaces interleaved, other kernels and a backend switch between apply and vjp', () => {
    setBackend('wasm');
    const m = mlp([3, 11, 6, 2]), other = dense(4, 20, { activation: 'tanh' }), batch = 8, rng = new Rng(7);
    const p = randomArray(m.paramCount, rng), w = randomArray(batch * 2, rng);
    const xs = [randomArray(batch * 3, rng), randomArray(batch * 3, rng)];
    // Reference: apply and vjp back to back on one workspace.
    const ref = xs.map((x) => {
      const ws = m.workspace(batch), out = new Float64Array(batch * 2), dP = new Float64Array(m.paramCount), dX = new Float64Array(x.length);
      m.apply(out, p, x, ws); m.vjp(dP, dX, w, p, x, ws);
      return { out, dP, dX };
    });
    const wss = xs.map(() => m.workspace(batch)), outs = xs.map(() => new Float64Array(batch * 2));
    const run = (k: number, between: () => void): void => {
      const dP = new Float64Array(m.paramCount), dX = new Float64Array(xs[k].length);
      between();
      m.vjp(dP, dX, w, p, xs[k], wss[k]);
      sameBits(outs[k], ref[k].out, `ws ${k} out`); sameBits(dP, ref[k].dP, `ws ${k} dParams`); sameBits(dX, ref[k].dX, `ws ${k} dX`);
    };
    // Both forwards, then the pullbacks in reverse order (each must find its own activations).
    m.apply(outs[0], p, xs[0], wss[0]); m.apply(outs[1], p, xs[1], wss[1]);
    run(1, () => {}); run(0, () => {});
    // Another Wasm kernel between apply and vjp.
    const ows = other.workspace(batch), oo = new Float64Array(batch * 20), op = randomArray(other.paramCount, rng), ox = randomArray(batch * 4, rng);
    m.apply(outs[0], p, xs[0], wss[0]);
    run(0, () => other.apply(oo, op, ox, ows));
    // The JS route for the pullback after a Wasm forward, and a second pullback of the same forward.
    m.apply(outs[1], p, xs[1], wss[1]);
    run(1, () => {});
    // A fresh workspace whose activations never left Wasm memory, pulled back by the JS kernels.
    const fresh = m.workspace(batch), fo = new Float64Array(batch * 2);
    m.apply(fo, p, xs[1], fresh);
    setBackend('js');
    const dP = new Float64Array(m.paramCount), dX = new Float64Array(xs[1].length);
    m.vjp(dP, dX, w, p, xs[1], fresh);
    for (let i = 0; i < dP.length; i++) assert.ok(Math.abs(dP[i] - ref[1].dP[i]) <= 1e-12 * (1 + Math.abs(ref[1].dP[i])), `js pullback dParams[${i}]`);
    for (let i = 0; i < dX.length; i++) assert.ok(Math.abs(dX[i] - ref[1].dX[i]) <= 1e-12 * (1 + Math.abs(ref[1].dX[i])), `js pullback dX[${i}]`);
  });

  test('a chain with a JS-only activation (sigmoid) still matches its layers (no fused route)', () => {
    setBackend('wasm');
    compare(mlp([2, 8, 2], { activation: 'sigmoid' }), 16, 99);
  });
});
