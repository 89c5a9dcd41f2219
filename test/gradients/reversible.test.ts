import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { valueAndGradient, solveWithGradient, fieldFromTrace, ops, TideError, rk4, midpoint, euler, bs3, dopri5, coupledSolver, reversibleHeun, mali, tableaus, reversible, odeTerm } from '../../src/index.ts';
import type { GradientSolveOptions, VectorField, Solver, SaveSchedule } from '../../src/index.ts';
import { centralDiff, maxRelErr, vecRelErr } from '../oracles/finite-diff.ts';
import { spiralField, A_TRUE, neuralSpiral, forcedOscillator } from './problems.ts';

const halfSq = (ys: Readonly<Float64Array>, dYs: Float64Array): number => {
  let L = 0;
  for (let i = 0; i < ys.length; i++) { L += 0.5 * ys[i] * ys[i]; dYs[i] = ys[i]; }
  return L;
};
const x0 = new Float64Array([2, 0]);

const NONE: readonly never[] = [];
const NO_SAVES: SaveSchedule = { steps: 0, atPoint: () => NONE, inStep: () => NONE, restartAt: () => false, stepSize: () => 0 };

/** Runs N forward steps of a reversible solver then N inverse steps; returns the max reconstruction error of its state. */
function roundTrip(solver: Solver, field: VectorField, params: Float64Array, y0: Float64Array, h: number, N: number): number {
  const d = field.dim, ws = solver.workspace(odeTerm(field));
  let y = Float64Array.from(y0), yNew = new Float64Array(d);
  solver.begin(0, y, params, ws);
  const s0 = new Float64Array(solver.stateParts * d), s = new Float64Array(solver.stateParts * d);
  solver.saveState(s0, y, ws);
  for (let n = 0; n < N; n++) { solver.step(yNew, null, n * h, h, y, params, ws); solver.accept(null, false, n * h, h, y, yNew, params, ws); [y, yNew] = [yNew, y]; }
  solver.saveState(s, y, ws);
  const rs = solver.reverse!(ws), dP = new Float64Array(field.paramCount);
  for (let n = N - 1; n >= 0; n--) rs.reverseStep(s, n, n * h, h, params, dP, NO_SAVES, new Float64Array(0));
  let e = 0;
  for (let m = 0; m < s.length; m++) e = Math.max(e, Math.abs(s[m] - s0[m]));
  return e;
}
const at = (ts: readonly number[]) => ({ ts });
const END = { t1: true };

describe('exact reconstruction by the closed-form inverse of the λ-coupled step (McCallum & Foster 2024)', () => {
  test('spiral, T = 1, N = 100: λ = 0.999 and λ = 0.9, euler/midpoint/rk4', () => {
    const f = spiralField();
    for (const [lam, bound] of [[0.999, 5e-14], [0.9, 1e-9]] as const) {
      for (const tab of [euler, midpoint, rk4]) {
        const e = roundTrip(coupledSolver(tab, { lambda: lam }), f, A_TRUE, x0, 0.01, 100);
        assert.ok(e <= bound, `${tab.name} λ=${lam}: ${e}`);
      }
    }
  });
  test('N = 1000 steps: relative reconstruction error ≤ 1e-10 for every base tableau', () => {
    const f = spiralField();
    for (const tab of [euler, midpoint, rk4, bs3, dopri5]) {
      const e = roundTrip(coupledSolver(tab), f, A_TRUE, x0, 0.001, 1000);
      assert.ok(e / 2 <= 1e-10, `${tab.name}: ${e}`);
    }
  });
  test('reversible Heun and MALI reverse exactly too', () => {
    const f = spiralField();
    assert.ok(roundTrip(reversibleHeun, f, A_TRUE, x0, 0.001, 1000) < 1e-10);
    assert.ok(roundTrip(mali, f, A_TRUE, x0, 0.001, 1000) < 1e-10);
  });
});

describe('reversible gradients', () => {
  test('independently computed reference values: RK4 base, λ = 0.999, N = 100, spiral, L = ½‖y_N‖²', () => {
    const r = valueAndGradient(halfSq, spiralField(), x0, { t1: 1, method: 'rk4', stepSize: 0.01, params: A_TRUE, saveAt: END, gradient: reversible({ lambda: 0.999 }) });
    assert.ok(Math.abs(r.loss - 1.3826983211697101) < 1e-13, `L = ${r.loss}`);
    assert.ok(maxRelErr(r.dParams, [8.163002697421277, 1.905760181980868, -0.55325294300297, 8.851711136793982]) < 1e-10);
    assert.ok(maxRelErr(r.dY0, [4.599253187715869, 0.430996416884531]) < 1e-10);
    assert.ok(maxRelErr(r.ys, [0.709261382733274, -1.504109348851574]) < 1e-12);
  });
  for (const method of ['euler', 'midpoint', 'rk4', 'bs3', 'reversible-heun', 'mali']) {
    for (const lambda of [0.999, 0.9]) {
      if ((method === 'reversible-heun' || method === 'mali') && lambda !== 0.999) continue;
      test(`${method} λ=${lambda}: reconstruction gradient = stored-state backprop (1e-10), and ≈ central differences`, () => {
        const field = forcedOscillator();
        const params = new Float64Array([2.0, 0.3, 0.7]);
        const y0 = new Float64Array([1, -0.5]);
        const isCoupled = method !== 'reversible-heun' && method !== 'mali';
        const solver = isCoupled ? coupledSolver(tableaus[method], { lambda }) : method;
        const opts: GradientSolveOptions = { t1: 1, saveAt: at([0.25, 0.6, 0.83, 1]), method: solver, stepSize: 0.01, adaptive: false, params };
        const rev = valueAndGradient(halfSq, field, y0, { ...opts, gradient: 'reversible' });
        // Backpropagation through stored states of the same reversible scheme: the oracle.
        const dir = valueAndGradient(halfSq, field, y0, { ...opts, gradient: 'direct' });
        assert.ok(vecRelErr(rev.dParams, dir.dParams) < 1e-10, `params ${vecRelErr(rev.dParams, dir.dParams)}`);
        assert.ok(vecRelErr(rev.dY0, dir.dY0) < 1e-10);
        const L = (y: Float64Array, p: Float64Array) => valueAndGradient(halfSq, field, y, { ...opts, params: p, gradient: 'reversible' }).loss;
        assert.ok(maxRelErr(rev.dParams, centralDiff((p) => L(y0, p), params)) < 1e-7);
        assert.ok(maxRelErr(rev.dY0, centralDiff((y) => L(y, params), y0)) < 1e-7);
        assert.ok(rev.report.peakBytes < dir.report.peakBytes);
      });
    }
  }
  test('adaptive steps: the backward pass replays the accepted grid; equals stored-state backprop', () => {
    const { field, params } = neuralSpiral(3, 16, 5);
    const y0 = new Float64Array([2, 0, 1, 1, -1, 0.5]);
    const opts: GradientSolveOptions = { t1: 3, saveAt: at([1, 2, 3]), method: 'reversible-bs3', rtol: 1e-6, atol: 1e-6, params };
    const rev = valueAndGradient(halfSq, field, y0, { ...opts, gradient: 'reversible' });
    const dir = valueAndGradient(halfSq, field, y0, { ...opts, gradient: 'direct' });
    assert.ok(rev.report.steps > 20);
    assert.ok(vecRelErr(rev.dParams, dir.dParams) < 1e-10);
    const exact = valueAndGradient(halfSq, field, y0, { ...opts, rtol: 1e-10, atol: 1e-10, method: 'dopri5', gradient: 'direct' });
    assert.ok(vecRelErr(rev.dParams, exact.dParams) < 1e-3);
  });
  test('memory does not grow with the number of steps (apart from 16 bytes of grid per step)', () => {
    const f = spiralField();
    const bytes = (N: number) => valueAndGradient(halfSq, f, x0, { t1: 1, method: 'midpoint', stepSize: 1 / N, params: A_TRUE, saveAt: END, gradient: 'reversible' }).report;
    const a = bytes(100), b = bytes(1000);
    assert.equal(b.peakBytes - a.peakBytes, 16 * 900);
    assert.equal(a.nfeForward, 2 * 2 * 100);
    assert.equal(a.nfeBackward, 2 * 2 * 100);
  });
  test('white dwarf (time-dependent field, McCallum & Foster experiment 1): reversible midpoint matches independently computed values', () => {
    const wd = fieldFromTrace((s, y, p) => {
      const x = ops.cols(y, 0), v = ops.cols(y, 1);
      const t = ops.shift(s, 0.5);
      const acc = ops.sub(ops.neg(ops.pow(ops.sub(ops.square(x), ops.at(p, 0)), 1.5)), ops.div(ops.mul(v, 2), t));
      return ops.concat([v, acc]);
    }, { shape: [1, 2], paramCount: 1, name: 'white dwarf' });
    const C = new Float64Array([0.001]);
    const r = valueAndGradient(halfSq, wd, new Float64Array([1, 0]), { t1: 5, method: 'midpoint', stepSize: 0.005, params: C, saveAt: END, gradient: reversible({ lambda: 0.999 }) });
    assert.ok(Math.abs(r.loss - 0.0033851094993124185) < 1e-14, `L ${r.loss}`);
    assert.ok(maxRelErr(r.dParams, [0.0516958783561]) < 1e-9, `dC ${r.dParams[0]}`);
    assert.ok(maxRelErr(r.dY0, [-0.0164482544203, -0.0035049213302]) < 1e-9);
    const d = valueAndGradient(halfSq, wd, new Float64Array([1, 0]), { t1: 5, method: 'midpoint', stepSize: 0.005, params: C, saveAt: END, gradient: 'direct' });
    assert.ok(Math.abs(d.loss - 0.0033850893336766696) < 1e-14);
    assert.ok(maxRelErr(d.dParams, [0.051695527968]) < 1e-9);
  });
});

describe('order of the reversible schemes (McCallum & Foster 2024: an order-α base gives an order-α scheme for any λ ∈ (0, 1])', () => {
  test('slope within ±0.2 of the base order (even bases at λ = 0.999, all at λ = 0.5)', () => {
    const lin = fieldFromTrace((_t, y) => ops.scale(y, 0.5), { shape: [1] });
    const err = (method: string, lambda: number, N: number) => {
      const run = solveWithGradient(lin, new Float64Array([1]), { t1: 5, method, stepSize: 5 / N, adaptive: false, saveAt: END, gradient: reversible({ lambda }) });
      return Math.abs(run.ys[0] - Math.exp(2.5));
    };
    for (const [method, lambda, order] of [['midpoint', 0.999, 2], ['rk4', 0.999, 4], ['euler', 0.5, 1], ['midpoint', 0.5, 2], ['rk4', 0.5, 4]] as const) {
      const Ns = method === 'euler' ? [640, 1280, 2560] : [80, 160, 320];
      const e = Ns.map((N) => err(method, lambda, N));
      const slope = Math.log2(e[1] / e[2]);
      assert.ok(Math.abs(slope - order) <= 0.2, `${method} λ=${lambda}: slope ${slope} (${e})`);
    }
    // Independently computed errors |y_N − e^{2.5}| of y' = 0.5y, T = 5 (the authors' convergence problem): midpoint
    // rev(0.999), N = 320: 3.0956e-4; RK4: 9.4464e-10.
    assert.ok(Math.abs(err('midpoint', 0.999, 320) - 3.0956e-4) / 3.0956e-4 < 1e-3);
    assert.ok(Math.abs(err('rk4', 0.999, 320) - 9.4464e-10) / 9.4464e-10 < 1e-3);
  });
});

describe('bad input', () => {
  test('λ outside (0, 1]', () => {
    for (const lambda of [0, -0.5, 1.5, NaN]) {
      assert.throws(() => solveWithGradient(spiralField(), x0, { t1: 1, stepSize: 0.1, params: A_TRUE, gradient: reversible({ lambda }) }),
        (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION' && /λ \(lambda\) must be in \(0, 1\]/.test(e.message));
    }
    assert.throws(() => solveWithGradient(spiralField(), x0, { t1: 1, params: A_TRUE, lambda: 0.9 } as never), /unknown option 'lambda'/);
  });
  test('a non-explicit (multistep) base solver', () => {
    assert.throws(() => solveWithGradient(spiralField(), x0, { t1: 1, params: A_TRUE, gradient: 'reversible', method: 'vcab3' }), /needs an explicit Runge–Kutta base solver/);
  });
  test('mismatched state shapes', () => {
    assert.throws(() => solveWithGradient(spiralField(), new Float64Array(3), { t1: 1, stepSize: 0.1, params: A_TRUE, gradient: 'reversible' }), /y0 must be a Float64Array of length 2/);
  });
  test('fixed-step scheme without stepSize', () => {
    assert.throws(() => solveWithGradient(spiralField(), x0, { t1: 1, params: A_TRUE, gradient: 'reversible', method: 'mali' }), /fixed-step solves need stepSize/);
    assert.throws(() => solveWithGradient(spiralField(), x0, { t1: 1, params: A_TRUE, gradient: 'reversible', method: 'mali', adaptive: true }), /no error estimate/);
  });
});
