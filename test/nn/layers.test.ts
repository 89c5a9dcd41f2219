import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  dense, chain, mlp, concatSquash, customModel, fieldFromModel, fieldFromTrace, ops, Rng, TideError,
  saveParams, loadParams, checkModelParams, ACTIVATION_NAMES,
} from '../../src/index.ts';
import type { Model } from '../../src/index.ts';
import { centralDiff, maxRelErr, randomArray } from '../oracles/finite-diff.ts';

/** Gradient check of a model: L = Σ w·model(x; p, t) against central differences in p, x and t. */
function checkModel(m: Model, batch: number, seed = 1, tol = 1e-6): void {
  const rng = new Rng(seed);
  const p = new Float64Array(m.paramCount);
  m.init(p, rng);
  const x = randomArray(batch * m.inDim, rng);
  const w = randomArray(batch * m.outDim, rng);
  const t = 0.37;
  const ws = m.workspace(batch);
  const out = new Float64Array(batch * m.outDim);
  const loss = (pp: Float64Array, xx: Float64Array, tt: number): number => {
    const o = new Float64Array(batch * m.outDim);
    m.apply(o, pp, xx, m.workspace(batch), tt);
    let s = 0;
    for (let i = 0; i < o.length; i++) s += w[i] * o[i];
    return s;
  };
  m.apply(out, p, x, ws, t);
  const dP = new Float64Array(m.paramCount), dX = new Float64Array(x.length);
  const dt = m.vjp(dP, dX, w, p, x, ws, t);
  const what = `${m.name} batch ${batch} seed ${seed}`;
  if (m.paramCount > 0) assert.ok(maxRelErr(dP, centralDiff((q) => loss(q, x, t), p)) < tol, `${what}: dParams`);
  assert.ok(maxRelErr(dX, centralDiff((q) => loss(p, q, t), x)) < tol, `${what}: dX`);
  const fdT = centralDiff((q) => loss(p, x, q[0]), new Float64Array([t]));
  assert.ok(maxRelErr([dt], fdT) < tol, `${what}: dt ${dt} vs ${fdT[0]}`);
  // dParams accumulates; dX overwrites.
  const dP2 = dP.slice(), dX2 = dX.map((v) => v + 5);
  m.apply(out, p, x, ws, t);
  m.vjp(dP2, dX2, w, p, x, ws, t);
  assert.ok(maxRelErr(dP2, dP.map((v) => 2 * v)) < 1e-12, `${what}: dParams accumulates`);
  assert.ok(maxRelErr(dX2, dX) < 1e-12, `${what}: dX overwritten`);
}

describe('layers vs central differences', () => {
  test('dense with every activation, with and without bias', () => {
    for (const act of ACTIVATION_NAMES) {
      checkModel(dense(3, 4, { activation: act }), 5, 2);
      checkModel(dense(2, 3, { activation: act, bias: false }), 1, 3);
    }
  });
  test('chain with activation entries and mlp', () => {
    checkModel(chain(dense(2, 6), 'tanh', dense(6, 3), 'softplus', dense(3, 2)), 4);
    checkModel(mlp([2, 50, 2]), 16, 5);
    checkModel(mlp([3, 8, 8, 1], { activation: 'gelu', init: 'glorot' }), 3, 6);
  });
  test('concatSquash (time-dependent, incl. dt)', () => {
    checkModel(concatSquash(3, 4), 5, 8);
    checkModel(chain(concatSquash(2, 6), 'tanh', concatSquash(6, 2)), 3, 9);
  });
  test('custom model written with ops', () => {
    const m = customModel({
      name: 'gated', inDim: 2, outDim: 2,
      params: [{ name: 'a', shape: [2] }, { name: 'w', shape: [2, 2] }],
      forward: (x, p, t) => ops.add(ops.mul(ops.tanh(ops.matmul(x, p.w, false, true)), p.a), ops.mul(t, x)),
    });
    checkModel(m, 3, 10);
  });
  test('property: random mlp shapes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(...ACTIVATION_NAMES), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 999 }),
      (i, h, o, act, b, seed) => checkModel(mlp([i, h, o], { activation: act }), b, seed)), { numRuns: 30, seed: 11 });
  });
});

describe('init schemes', () => {
  test('pytorch uniform bounds, glorot bounds, he variance, zeros; seeded and reproducible', () => {
    const n = 200, m = 100;
    const stats = (scheme: 'pytorch' | 'glorot' | 'he' | 'zeros') => {
      const l = dense(n, m, { init: scheme });
      const p = new Float64Array(l.paramCount);
      l.init(p, new Rng(1));
      const W = p.subarray(0, n * m);
      let mx = 0, s2 = 0;
      for (const v of W) { mx = Math.max(mx, Math.abs(v)); s2 += v * v; }
      return { mx, varW: s2 / W.length, p };
    };
    const pt = stats('pytorch');
    assert.ok(pt.mx <= 1 / Math.sqrt(n) && pt.mx > 0.99 / Math.sqrt(n));
    assert.ok(Math.abs(pt.varW - 1 / (3 * n)) / (1 / (3 * n)) < 0.03);
    const gl = stats('glorot');
    assert.ok(gl.mx <= Math.sqrt(6 / (n + m)) && gl.mx > 0.99 * Math.sqrt(6 / (n + m)));
    const he = stats('he');
    assert.ok(Math.abs(he.varW - 2 / n) / (2 / n) < 0.03);
    assert.equal(stats('zeros').mx, 0);
    assert.deepEqual(Array.from(stats('pytorch').p), Array.from(pt.p));
  });
});

describe('fields', () => {
  test('fieldFromModel vjp matches central differences', () => {
    const m = mlp([2, 16, 2]);
    const f = fieldFromModel(m, 4);
    const rng = new Rng(4);
    const p = new Float64Array(m.paramCount); m.init(p, rng);
    const y = randomArray(8, rng), v = randomArray(8, rng);
    const L = (pp: Float64Array, yy: Float64Array) => { const o = new Float64Array(8); f.eval(o, 0, yy, pp); return o.reduce((s, oi, i) => s + oi * v[i], 0); };
    const dY = new Float64Array(8), dP = new Float64Array(m.paramCount);
    f.vjp(dY, dP, v, 0, y, p);
    assert.ok(maxRelErr(dY, centralDiff((q) => L(p, q), y)) < 1e-7);
    assert.ok(maxRelErr(dP, centralDiff((q) => L(q, y), p)) < 1e-7);
  });
  test('mechanistic Lotka–Volterra field with learnable coefficients (traced)', () => {
    const lv = fieldFromTrace((_t, y, p) => {
      const u = ops.cols(y, 0), v = ops.cols(y, 1);
      const uv = ops.mul(u, v);
      return ops.concat([ops.sub(ops.mul(ops.at(p, 0), u), ops.mul(ops.at(p, 1), uv)), ops.sub(ops.mul(ops.at(p, 3), uv), ops.mul(ops.at(p, 2), v))]);
    }, { shape: [3, 2], paramCount: 4, name: 'lotka-volterra' });
    const p = new Float64Array([1.5, 1, 3, 1]);
    const y = new Float64Array([1, 1, 2, 0.5, 0.3, 1.7]);
    const out = new Float64Array(6);
    lv.eval(out, 0, y, p);
    for (let b = 0; b < 3; b++) {
      const u = y[2 * b], v = y[2 * b + 1];
      assert.ok(Math.abs(out[2 * b] - (1.5 * u - u * v)) < 1e-15);
      assert.ok(Math.abs(out[2 * b + 1] - (u * v - 3 * v)) < 1e-15);
    }
    const w = new Float64Array([0.3, -1, 2, 0.5, 1, -0.7]);
    const L = (pp: Float64Array, yy: Float64Array) => { const o = new Float64Array(6); lv.eval(o, 0, yy, pp); return o.reduce((s, oi, i) => s + oi * w[i], 0); };
    const dY = new Float64Array(6), dP = new Float64Array(4);
    lv.vjp(dY, dP, w, 0, y, p);
    assert.ok(maxRelErr(dY, centralDiff((q) => L(p, q), y)) < 1e-7);
    assert.ok(maxRelErr(dP, centralDiff((q) => L(q, y), p)) < 1e-7);
  });
  test('hybrid field: known physics + MLP correction, time-dependent forcing', () => {
    const net = mlp([2, 8, 2]);
    const hybrid = fieldFromTrace((t, y, p) => {
      const k = ops.at(p, 0);                     // learnable damping
      const physics = ops.mul(ops.neg(k), y);
      const forcing = ops.mul(ops.sin(t), ops.at(p, 1));
      return ops.add(ops.add(physics, ops.model(net, ops.slice(p, 2, net.paramCount), y)), forcing);
    }, { shape: [5, 2], paramCount: 2 + net.paramCount, name: 'hybrid' });
    const rng = new Rng(12);
    const p = new Float64Array(hybrid.paramCount);
    p[0] = 0.4; p[1] = 0.7; net.init(p.subarray(2), rng);
    const y = randomArray(10, rng), w = randomArray(10, rng), t = 0.8;
    const L = (pp: Float64Array, yy: Float64Array, tt: number) => { const o = new Float64Array(10); hybrid.eval(o, tt, yy, pp); return o.reduce((s, oi, i) => s + oi * w[i], 0); };
    const dY = new Float64Array(10), dP = new Float64Array(hybrid.paramCount);
    const dt = hybrid.vjp(dY, dP, w, t, y, p);
    assert.ok(maxRelErr(dY, centralDiff((q) => L(p, q, t), y)) < 1e-7);
    assert.ok(maxRelErr(dP, centralDiff((q) => L(q, y, t), p)) < 1e-7);
    assert.ok(maxRelErr([dt], centralDiff((q) => L(p, y, q[0]), new Float64Array([t]))) < 1e-7);
  });
  test('a field returning the wrong shape is rejected at construction', () => {
    assert.throws(() => fieldFromTrace((_t, y) => ops.cols(y, 0, 1), { shape: [16, 2] }),
      /f returned shape \[16, 1\] for y of shape \[16, 2\]; it must return y's shape/);
  });
});

describe('bad input', () => {
  test('chain of mismatched widths names the layer', () => {
    assert.throws(() => chain(dense(2, 50), dense(40, 2)), (e: unknown) => e instanceof TideError && e.code === 'SHAPE' && /layer 1 .* takes 40 inputs but layer 0 gives 50/.test(e.message));
  });
  test('unknown activation and init scheme', () => {
    assert.throws(() => dense(2, 3, { activation: 'sigmod' }), /unknown activation 'sigmod'.*Did you mean 'sigmoid'/);
    assert.throws(() => dense(2, 3, { init: 'xavier' as never }), /unknown init scheme 'xavier'/);
    assert.throws(() => dense(2, 3, { activaton: 'tanh' } as never), /unknown option 'activaton'.*Did you mean 'activation'/);
  });
  test('NaN in parameters names the block and index', () => {
    const m = mlp([2, 3, 1]);
    const p = new Float64Array(m.paramCount);
    p[4] = NaN;
    assert.throws(() => checkModelParams('train', m, p), /block 'layers.0.weight'\[2, 0\].*is NaN/);
    assert.throws(() => checkModelParams('train', m, new Float64Array(3)), /params has length 3; .* has 13 parameters/);
    assert.throws(() => checkModelParams('train', m, [1, 2]), (e: unknown) => e instanceof TideError && e.code === 'DTYPE');
  });
  test('fieldFromModel rejects a model that changes dimension', () => {
    assert.throws(() => fieldFromModel(mlp([2, 4, 3])), /maps 2 to 3 dimensions/);
  });
});

describe('save and load parameters', () => {
  test('round trip is exact, including float32 models', () => {
    const m = mlp([2, 5, 2]);
    const p = new Float64Array(m.paramCount); m.init(p, new Rng(3));
    const back = loadParams(m, saveParams(m, p));
    assert.deepEqual(Array.from(back), Array.from(p));
    const m32 = mlp([2, 5, 2], { dtype: 'float32' });
    const p32 = new Float32Array(m32.paramCount); m32.init(p32, new Rng(3));
    const back32 = loadParams(m32, saveParams(m32, p32));
    assert.ok(back32 instanceof Float32Array);
    assert.deepEqual(Array.from(back32), Array.from(p32));
  });
  test('loading into a model of another shape names the block and both shapes', () => {
    const a = mlp([2, 5, 2]), b = mlp([2, 6, 2]);
    const text = saveParams(a, new Float64Array(a.paramCount));
    assert.throws(() => loadParams(b, text), /block 'layers.0.weight' has shape \[5, 2\] in the file; .* expects \[6, 2\]/);
    assert.throws(() => loadParams(b, '{not json'), /not valid JSON/);
    assert.throws(() => loadParams(mlp([2, 5, 5, 2]), text), /no block 'layers.1.bias'|no block 'layers.2.weight'|has shape/);
  });
});

describe('field tapes (stage slots)', () => {
  test('tape eval + vjp equals field.vjp for model, traced and plain fields, with slots interleaved', () => {
    const rng = new Rng(21);
    const net = mlp([2, 7, 2]);
    const fields = [fieldFromModel(net, 3), fieldFromTrace((t, y, p) => ops.add(ops.model(net, p, y), ops.mul(ops.sin(t), y)), { shape: [3, 2], paramCount: net.paramCount })];
    for (const f of fields) {
      const p = new Float64Array(net.paramCount); net.init(p, rng);
      const tape = f.tape!(3);
      const ys = [0, 1, 2].map(() => randomArray(6, rng)), vs = [0, 1, 2].map(() => randomArray(6, rng)), outs = [0, 1, 2].map(() => new Float64Array(6));
      ys.forEach((y, i) => tape.eval(i, outs[i], 0.1 * i, y, p));
      for (const i of [2, 0, 1]) {
        const dY = new Float64Array(6), dP = new Float64Array(net.paramCount), rY = new Float64Array(6), rP = new Float64Array(net.paramCount), fo = new Float64Array(6);
        const dt = tape.vjp(i, dY, dP, vs[i]);
        const rdt = f.vjp!(rY, rP, vs[i], 0.1 * i, ys[i], p, fo);
        assert.ok(maxRelErr(dY, rY) < 1e-14 && maxRelErr(dP, rP) < 1e-14 && Math.abs(dt - rdt) < 1e-14);
        assert.ok(maxRelErr(outs[i], fo) < 1e-15);
      }
    }
  });
});
