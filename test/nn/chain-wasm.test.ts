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

  test('a chain with a JS-only activation (sigmoid) still matches its layers (no fused route)', () => {
    setBackend('wasm');
    compare(mlp([2, 8, 2], { activation: 'sigmoid' }), 16, 99);
  });
});
