/**
 * Fields whose function ignores t, y or params: every gradient method must work (the ignored input's cotangent is
 * zero) and agree with central differences of the forward solve. The first case is the doc example of
 * src/nn/traced-model.ts, whose forward ignores t.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { customModel, fieldFromModel, fieldFromTrace, ops, solveWithGradient, vjp, valueAndGrad, Rng } from '../../src/index.ts';
import type { VectorField, Var } from '../../src/index.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';

const halfSq = (ys: Readonly<Float64Array>, dYs: Float64Array): number => {
  let L = 0;
  for (let i = 0; i < ys.length; i++) { L += 0.5 * ys[i] * ys[i]; dYs[i] = ys[i]; }
  return L;
};

const BATCH = 2;
const custom = (name: string, forward: (x: Var, p: Record<string, Var>, t: Var) => Var) => customModel({
  name, inDim: 2, outDim: 2,
  params: [{ name: 'a', shape: [2] }, { name: 'w', shape: [2, 2] }],
  init: (p, rng) => rng.fillNormal(p, 0, 0.5),
  forward,
});

const cases: Array<[string, () => VectorField]> = [
  // The doc example: ignores t.
  ['customModel ignoring t (doc example)', () => fieldFromModel(custom('gated', (x, p) => ops.mul(ops.tanh(ops.matmul(x, p.w, false, true)), p.a)), BATCH)],
  ['customModel ignoring x', () => fieldFromModel(custom('no-x', (x, p, t) => ops.mul(ops.constant(1, x.shape), ops.sin(ops.mul(t, p.a)))), BATCH)],
  ['customModel ignoring its params', () => fieldFromModel(custom('no-p', (x, _p, t) => ops.mul(ops.neg(x), ops.shift(t, 1))), BATCH)],
  ['customModel ignoring x and t', () => fieldFromModel(custom('const', (x, p) => ops.mul(ops.constant(1, x.shape), p.a)), BATCH)],
  ['customModel ignoring t inside ops.model', () => {
    const m = custom('inner', (x, p) => ops.tanh(ops.matmul(x, p.w)));
    return fieldFromTrace((_t, y, p) => ops.model(m, p, y), { shape: [BATCH, 2], paramCount: m.paramCount, name: 'hybrid' });
  }],
  ['fieldFromTrace ignoring t', () => fieldFromTrace((_t, y, p) => ops.mul(ops.neg(y), ops.at(p, 0)), { shape: [BATCH, 2], paramCount: 6 })],
  ['fieldFromTrace ignoring y', () => fieldFromTrace((t, _y, p) => ops.mul(ops.constant(1, [BATCH, 2]), ops.cos(ops.mul(t, ops.slice(p, 0, [2])))), { shape: [BATCH, 2], paramCount: 6 })],
  ['fieldFromTrace ignoring params', () => fieldFromTrace((t, y) => ops.mul(ops.neg(y), t), { shape: [BATCH, 2], paramCount: 6 })],
];

const y0 = Float64Array.of(0.5, -0.3, 0.2, 0.8);
const params = new Rng(3).fillNormal(new Float64Array(6), 0, 0.5);
const base = { t1: 1, method: 'rk4', stepSize: 0.05 } as const;

describe('a field that ignores an input has a zero cotangent for it, under every gradient method', () => {
  for (const [label, make] of cases) {
    const field = make();
    assert.equal(field.paramCount, 6);
    const loss = (y: Float64Array, p: Float64Array): number => {
      const r = solveWithGradient(field, y, { ...base, params: p, gradient: 'direct' });
      return halfSq(r.ys, new Float64Array(r.ys.length));
    };
    const fdP = centralDiff((p) => loss(y0, p), params), fdY = centralDiff((y) => loss(y, params), y0);
    for (const gradient of ['direct', 'checkpoint', 'backsolve', 'reversible'] as const) {
      test(`${label}: ${gradient}`, () => {
        const run = solveWithGradient(field, y0, { ...base, params, gradient });
        const dYs = new Float64Array(run.ys.length);
        halfSq(run.ys, dYs);
        const g = run.backward(dYs);
        // backsolve integrates the continuous adjoint (its own tolerances): it matches to its accuracy, not to round-off.
        const tol = gradient === 'backsolve' ? 1e-4 : 1e-6;
        assert.ok(maxRelErr(g.dParams, fdP) < tol, `dParams ${Array.from(g.dParams)} vs ${Array.from(fdP)}`);
        assert.ok(maxRelErr(g.dY0, fdY) < tol, `dY0 ${Array.from(g.dY0)} vs ${Array.from(fdY)}`);
        if (/params/.test(label)) assert.ok(g.dParams.every((v) => v === 0), 'unused params get exactly zero');
      });
    }
  }
});

describe('vjp and valueAndGrad: an ignored input gets zeros', () => {
  test('vjp', () => {
    const r = vjp((x, _y) => ops.sum(ops.square(x)), Float64Array.of(1, 2), Float64Array.of(3, 4, 5));
    const [dx, dy] = r.pullback(1);
    assert.deepEqual(Array.from(dx), [2, 4]);
    assert.deepEqual(Array.from(dy), [0, 0, 0]);
  });
  test('valueAndGrad with a scalar input it ignores', () => {
    const { value, grads } = valueAndGrad((x, _s) => ops.sum(x), Float64Array.of(1, 2), 7);
    assert.equal(value, 3);
    assert.deepEqual(grads.map((g) => Array.from(g)), [[1, 1], [0]]);
  });
});
