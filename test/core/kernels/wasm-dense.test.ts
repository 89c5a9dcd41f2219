/**
 * The fused dense layer (src/core/kernels/dense.ts via src/nn/dense.ts) on the Wasm backend against the JS one:
 * every activation (tanh, relu, identity inside Wasm; the rest in JS on z copied out), with and without bias,
 * shapes with 1, 2, odd and prime widths, forward and VJP (dW, db accumulate; dX overwrites; dParams or dX null).
 * Tolerances are the summation-order bound of test/oracles/gemm-bound.ts carried through the layer:
 *   z:  2γ_{2k+4}·(|x|·|W|ᵀ + |b|)                                    (k = in)
 *   y:  sup|act'|·bound(z) + 4 ulp(y)                                  (sup|act'| ≤ 1.2 for every activation)
 *   dz: |dOut|·sup|act''|·bound(z) + 8 ulp(dz)                         (sup|act''| ≤ 1; relu's kink is never hit)
 *   dW: |bound(dz)|ᵀ·|x| + 2γ_{2B+4}·|dz|ᵀ·|x| (+ the accumulated dW), db likewise, dX: bound(dz)·|W| + 2γ·|dz|·|W|.
 * Then the MLP through Chain, and a central-difference gradient check with the Wasm backend forced.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { dense } from '../../../src/nn/dense.ts';
import { mlp } from '../../../src/nn/chain.ts';
import { Rng } from '../../../src/core/random.ts';
import { ACTIVATION_NAMES, activations } from '../../../src/core/kernels/activations.ts';
import { setBackend } from '../../../src/core/kernels/wasm.ts';
import { gamma, productMagnitude, worstRatio } from '../../oracles/gemm-bound.ts';
import { ulpOf } from '../../oracles/ulp.ts';
import { centralDiff, maxRelErr, randomArray } from '../../oracles/finite-diff.ts';

after(() => setBackend('auto'));

function run(backend: 'js' | 'wasm', inDim: number, outDim: number, batch: number, act: string, bias: boolean, seed: number,
  withParams = true, withDX = true) {
  setBackend(backend);
  const layer = dense(inDim, outDim, { activation: act, bias });
  const rng = new Rng(seed);
  const p = new Float64Array(layer.paramCount);
  layer.init(p, rng);
  if (bias) for (let j = 0; j < outDim; j++) p[outDim * inDim + j] = rng.normal(); // nonzero biases
  const x = randomArray(batch * inDim, rng, 1.5), dOut = randomArray(batch * outDim, rng);
  const dP0 = randomArray(layer.paramCount, rng); // vjp accumulates into this
  const ws = layer.workspace(batch);
  const y = new Float64Array(batch * outDim);
  layer.apply(y, p, x, ws);
  const dP = dP0.slice(), dX = new Float64Array(batch * inDim).fill(NaN); // dX is overwritten
  layer.vjp(withParams ? dP : null, withDX ? dX : null, dOut, p, x, ws);
  return { y, dP, dX, p, x, dOut, dP0 };
}

/** Bounds of the module docstring, from magnitudes of the JS run. */
function bounds(r: ReturnType<typeof run>, inDim: number, outDim: number, batch: number, act: string, bias: boolean) {
  const nW = outDim * inDim, W = r.p.subarray(0, nW), b = bias ? r.p.subarray(nW) : null;
  const zMag = productMagnitude(r.x, W, null, batch, outDim, inDim, false, true, 1, 0);
  const zB = zMag.map((v, i) => 2 * gamma(2 * inDim + 4) * (v + (b ? Math.abs(b[i % outDim]) : 0)));
  const yB = zB.map((v, i) => 1.2 * v + 4 * ulpOf(r.y[i]));
  // dz = dOut·act'(z), recomputed in JS from z (the scalar derivative) to size its bound
  const f = activations[act as keyof typeof activations];
  const z = new Float64Array(batch * outDim);
  for (let i = 0; i < batch; i++) for (let j = 0; j < outDim; j++) {
    let s = b ? b[j] : 0;
    for (let q = 0; q < inDim; q++) s += r.x[i * inDim + q] * W[j * inDim + q];
    z[i * outDim + j] = s;
  }
  const dz = z.map((v, i) => r.dOut[i] * f.df(v));
  const dzB = dz.map((v, i) => Math.abs(r.dOut[i]) * zB[i] + 8 * ulpOf(v));
  const g = 2 * gamma(2 * batch + 4);
  const absDz = dz.map(Math.abs);
  const dWMag = productMagnitude(absDz, r.x, null, outDim, inDim, batch, true, false, 1, 0);
  const dWB = productMagnitude(dzB, r.x, null, outDim, inDim, batch, true, false, 1, 0)
    .map((v, i) => v + g * (dWMag[i] + Math.abs(r.dP0[i])));
  const dbB = new Float64Array(bias ? outDim : 0).map((_, j) => {
    let s = 0, t = Math.abs(r.dP0[nW + j]);
    for (let i = 0; i < batch; i++) { s += dzB[i * outDim + j]; t += absDz[i * outDim + j]; }
    return s + g * t;
  });
  const gx = 2 * gamma(2 * outDim + 4);
  const dXMag = productMagnitude(absDz, W, null, batch, inDim, outDim, false, false, 1, 0);
  const dXB = productMagnitude(dzB, W, null, batch, inDim, outDim, false, false, 1, 0).map((v, i) => v + gx * dXMag[i]);
  return { yB, dPB: Float64Array.from([...dWB, ...dbB]), dXB };
}

function compare(inDim: number, outDim: number, batch: number, act: string, bias: boolean, seed: number): void {
  const js = run('js', inDim, outDim, batch, act, bias, seed), wasm = run('wasm', inDim, outDim, batch, act, bias, seed);
  const what = `dense(${inDim}, ${outDim}, ${act}${bias ? '' : ', no bias'}) batch ${batch} seed ${seed}`;
  const { yB, dPB, dXB } = bounds(js, inDim, outDim, batch, act, bias);
  for (const [name, a, b, bound] of [['y', wasm.y, js.y, yB], ['dParams', wasm.dP, js.dP, dPB], ['dX', wasm.dX, js.dX, dXB]] as const) {
    const { ratio, at } = worstRatio(a, b, bound);
    assert.ok(ratio <= 1, `${what}: ${name}[${at}] wasm ${a[at]} js ${b[at]}, bound ${bound[at]} (×${ratio})`);
  }
}

describe('wasm dense layer against the JS path', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [2, 50, 16], [50, 2, 16], [3, 5, 7], [13, 17, 1], [17, 13, 31], [64, 48, 9]];
  for (const act of ACTIVATION_NAMES) {
    test(`${act}: forward and VJP within the summation-order bound, with and without bias`, () => {
      let seed = 1;
      for (const [i, o, b] of shapes) for (const bias of [true, false]) compare(i, o, b, act, bias, seed++);
    });
  }

  test('dParams null or dX null: the other output is still right, and dX = null leaves nothing half-written', () => {
    for (const [withParams, withDX] of [[false, true], [true, false]] as const) {
      const js = run('js', 9, 7, 5, 'tanh', true, 3, withParams, withDX), wasm = run('wasm', 9, 7, 5, 'tanh', true, 3, withParams, withDX);
      if (!withParams) assert.deepEqual(wasm.dP, wasm.dP0, 'dParams untouched when null');
      else assert.ok(maxRelErr(wasm.dP, js.dP) < 1e-12);
      if (!withDX) assert.ok(wasm.dX.every(Number.isNaN), 'dX untouched when null');
      else assert.ok(maxRelErr(wasm.dX, js.dX) < 1e-12);
    }
  });

  test('float32 layers run the f32x4 Wasm kernels when forced, agreeing with the float32 JS kernels to float32 rounding', () => {
    const res: Float32Array[] = [];
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const layer = dense(20, 30, { activation: 'tanh', dtype: 'float32' }), rng = new Rng(4);
      const p = new Float32Array(layer.paramCount); layer.init(p, rng);
      const x = Float32Array.from(randomArray(16 * 20, rng)), v = Float32Array.from(randomArray(16 * 30, rng));
      const ws = layer.workspace(16), y = new Float32Array(16 * 30), dP = new Float32Array(layer.paramCount), dX = new Float32Array(16 * 20);
      layer.apply(y, p, x, ws); layer.vjp(dP, dX, v, p, x, ws);
      res.push(Float32Array.from([...y, ...dP, ...dX]));
    }
    // Different summation orders in float32 (test/core/kernels/wasm-f32.test.ts checks the bounds): close, not equal.
    assert.notDeepEqual(res[1], res[0]);
    for (let i = 0; i < res[0].length; i++) assert.ok(Math.abs(res[1][i] - res[0][i]) <= 1e-5 * (1 + Math.abs(res[0][i])), `entry ${i}`);
  });

  test('H→H→H tanh MLP (Chain of fused layers): forward and VJP agree across backends at 16×50 and 64×96', () => {
    for (const [batch, h] of [[16, 50], [64, 96]]) {
      const res: Array<{ y: Float64Array; dP: Float64Array; dX: Float64Array }> = [];
      for (const backend of ['js', 'wasm'] as const) {
        setBackend(backend);
        const m = mlp([h, h, h], { activation: 'tanh' }), rng = new Rng(9);
        const p = new Float64Array(m.paramCount); m.init(p, rng);
        const x = randomArray(batch * h, rng), v = randomArray(batch * h, rng), ws = m.workspace(batch);
        const y = new Float64Array(batch * h), dP = new Float64Array(m.paramCount), dX = new Float64Array(batch * h);
        m.apply(y, p, x, ws); m.vjp(dP, dX, v, p, x, ws);
        res.push({ y, dP, dX });
      }
      // Two layers of summation-order differences (each ≲ 2γ·|x||W|): relative 1e-12 of the larger magnitudes.
      assert.ok(maxRelErr(res[1].y, res[0].y, 1) < 1e-12, `y at ${batch}×${h}`);
      assert.ok(maxRelErr(res[1].dP, res[0].dP, 1) < 1e-12, `dParams at ${batch}×${h}`);
      assert.ok(maxRelErr(res[1].dX, res[0].dX, 1) < 1e-12, `dX at ${batch}×${h}`);
    }
  });

  test('gradient check with the Wasm backend forced: mlp([5, 12, 3]) against central differences', () => {
    setBackend('wasm');
    for (const act of ['tanh', 'gelu', 'softplus'] as const) {
      const m = mlp([5, 12, 3], { activation: act }), rng = new Rng(2), batch = 4;
      const p = new Float64Array(m.paramCount); m.init(p, rng);
      const x = randomArray(batch * 5, rng), w = randomArray(batch * 3, rng);
      const loss = (pp: Float64Array, xx: Float64Array): number => {
        const o = new Float64Array(batch * 3);
        m.apply(o, pp, xx, m.workspace(batch));
        return o.reduce((s, v, i) => s + w[i] * v, 0);
      };
      const ws = m.workspace(batch), out = new Float64Array(batch * 3);
      m.apply(out, p, x, ws);
      const dP = new Float64Array(m.paramCount), dX = new Float64Array(x.length);
      m.vjp(dP, dX, w, p, x, ws);
      assert.ok(maxRelErr(dP, centralDiff((q) => loss(q, x), p)) < 1e-6, `${act}: dParams`);
      assert.ok(maxRelErr(dX, centralDiff((q) => loss(p, q), x)) < 1e-6, `${act}: dX`);
    }
  });
});
