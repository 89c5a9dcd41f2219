import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { solveWithGradient, valueAndGradient, TideError, checkpointing, checkpoint, backsolve, interpolated } from '../../src/index.ts';
const { chebyshevNodes, barycentricWeights, barycentric } = checkpointing;
import type { GradientSolveOptions, VectorField } from '../../src/index.ts';
import { centralDiff, maxRelErr, vecRelErr } from '../oracles/finite-diff.ts';
import { spiralField, A_TRUE, neuralSpiral, forcedOscillator } from './problems.ts';

const halfSq = (ys: Readonly<Float64Array>, dYs: Float64Array): number => {
  let L = 0;
  for (let i = 0; i < ys.length; i++) { L += 0.5 * ys[i] * ys[i]; dYs[i] = ys[i]; }
  return L;
};

/** Loss L(y0, params) by a plain forward solve (for finite differences). */
function lossOf(field: VectorField, options: GradientSolveOptions) {
  return (y0: Float64Array, params: Float64Array): number => {
    const run = solveWithGradient(field, y0, { ...options, params, gradient: 'direct' });
    return halfSq(run.ys, new Float64Array(run.ys.length));
  };
}

/** Saves at ts only, or at t1 only (with saveAt, unset flags are false). */
const at = (ts: readonly number[]) => ({ ts });
const END = { t1: true };

describe('direct method reproduces independently computed discrete-adjoint values (spiral y\' = Aᵀy³, x0 = (2, 0), T = 1)', () => {
  const x0 = new Float64Array([2, 0]);
  const cases: Array<[string, number, number[]]> = [
    ['euler', 1.7957228513162145, [-6.335300271189682, -3.07788729386249, 1.306827848439468, -5.356057186684102]],
    ['midpoint', 1.385188645841583, [8.212569450194557, 1.913208837281106, -0.558202270579502, 8.906793688627882]],
    ['rk4', 1.3826947554921927, [8.162942613224498, 1.905738658826745, -0.553243944772321, 8.851657466035865]],
  ];
  for (const [method, L, dA] of cases) {
    test(`${method}: 100 fixed steps of the spiral, L = ½‖y_N‖²`, () => {
      const r = valueAndGradient(halfSq, spiralField(), x0, { t1: 1, method, stepSize: 0.01, params: A_TRUE, adaptive: false, saveAt: END });
      assert.ok(Math.abs(r.loss - L) / L < 1e-12, `L ${r.loss} vs ${L}`);
      assert.ok(maxRelErr(r.dParams, dA) < 1e-9, `dA ${Array.from(r.dParams)} vs ${dA}`);
      assert.equal(r.report.steps, 100);
    });
  }
  test('rk4 ∂L/∂x0 matches the oracle', () => {
    const r = valueAndGradient(halfSq, spiralField(), x0, { t1: 1, method: 'rk4', stepSize: 0.01, params: A_TRUE, saveAt: END });
    assert.ok(maxRelErr(r.dY0, [4.599199954764284, 0.430991757766184]) < 1e-9);
  });
});

describe('discrete methods vs central differences (fixed steps, saves inside steps)', () => {
  const ts = [0.13, 0.5, 0.77, 1.0];
  for (const method of ['rk4', 'bs3', 'tsit5', 'dopri5', 'midpoint', 'heun', 'ralston', 'euler']) {
    for (const gradient of ['direct', 'revolve', 'checkpoint'] as const) {
      test(`${method} / ${gradient}`, () => {
        const field = forcedOscillator();
        const params = new Float64Array([2.0, 0.3, 0.7]);
        const y0 = new Float64Array([1, -0.5]);
        const options: GradientSolveOptions = { t1: 1, saveAt: at(ts), method, stepSize: 0.07, adaptive: false };
        const g = gradient === 'direct' ? 'direct' : checkpoint({ slots: 3, schedule: gradient === 'revolve' ? 'revolve' : 'online' });
        const r = valueAndGradient(halfSq, field, y0, { ...options, params, gradient: g });
        const L = lossOf(field, options);
        assert.ok(maxRelErr(r.dParams, centralDiff((p) => L(y0, p), params)) < 1e-7, `${method}/${gradient} dParams`);
        assert.ok(maxRelErr(r.dY0, centralDiff((y) => L(y, params), y0)) < 1e-7, `${method}/${gradient} dY0`);
      });
    }
  }
});

describe('checkpointing equals direct to round-off (adaptive dopri5, many steps)', () => {
  test('revolve and online checkpoint with 1…50 slots vs direct', () => {
    const { field, params } = neuralSpiral(4, 16, 3);
    const y0 = new Float64Array([2, 0, 1.5, 0.5, -1, 1, 0.3, -2]);
    const ts = Array.from({ length: 10 }, (_, i) => 0.3 * (i + 1));
    const base: GradientSolveOptions = { t1: 3, saveAt: at(ts), params, method: 'dopri5', rtol: 1e-9, atol: 1e-9 };
    const ref = valueAndGradient(halfSq, field, y0, { ...base, gradient: 'direct' });
    assert.ok(ref.report.steps > 20);
    for (const gradient of ['revolve', 'checkpoint'] as const) {
      for (const checkpoints of [1, 2, 3, 5, 8, 50]) {
        const r = valueAndGradient(halfSq, field, y0, { ...base, gradient: checkpoint({ slots: checkpoints, schedule: gradient === 'revolve' ? 'revolve' : 'online' }) });
        assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-12, `${gradient} c=${checkpoints}: ${vecRelErr(r.dParams, ref.dParams)}`);
        assert.ok(vecRelErr(r.dY0, ref.dY0) < 1e-12);
        assert.ok(r.report.effectiveCheckpoints === checkpoints);
        if (checkpoints < ref.report.steps / 2) assert.ok(r.report.peakBytes < ref.report.peakBytes);
      }
    }
  });
});

describe('continuous adjoints agree with direct within tolerance, and converge as it tightens', () => {
  const x0 = new Float64Array([2, 0]);
  const exactDA = [8.16297653621, 1.90574523540, -0.553247936992, 8.85169702050];
  for (const gradient of ['backsolve', 'interpolated', 'interpolated-dense'] as const) {
    test(`${gradient} on the spiral: error vs the exact ODE gradient shrinks with tolerance`, () => {
      const errs = [1e-5, 1e-8, 1e-11].map((tol) => {
        const r = valueAndGradient(halfSq, spiralField(), x0, { t1: 1, method: 'dopri5', rtol: tol, atol: tol, params: A_TRUE, saveAt: END, gradient: gradient === 'interpolated' ? interpolated({ nodes: 33 }) : gradient });
        return maxRelErr(r.dParams, exactDA);
      });
      assert.ok(errs[2] < (gradient === 'interpolated' ? 1e-5 : 1e-8), `${gradient} ${errs}`);
      assert.ok(errs[2] < errs[0], `${gradient} errors do not shrink: ${errs}`);
    });
  }
  test('backsolve with many save times equals direct within tolerance (neural field)', () => {
    const { field, params } = neuralSpiral(2, 20, 1);
    const y0 = new Float64Array([2, 0, 0.5, 1]);
    const ts = Array.from({ length: 8 }, (_, i) => 0.25 * (i + 1));
    const opts: GradientSolveOptions = { t1: 2, saveAt: at(ts), params, method: 'dopri5', rtol: 1e-10, atol: 1e-10 };
    const ref = valueAndGradient(halfSq, field, y0, { ...opts, gradient: 'direct' });
    for (const gradient of ['backsolve', 'interpolated-dense'] as const) {
      for (const adjointNorm of ['rms', 'seminorm', 'rms-flat', 'seminorm-flat'] as const) {
        const r = valueAndGradient(halfSq, field, y0, { ...opts, gradient: gradient === 'backsolve' ? backsolve({ norm: adjointNorm }) : interpolated({ nodes: 'dense', norm: adjointNorm }) });
        assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-7, `${gradient}/${adjointNorm}: ${vecRelErr(r.dParams, ref.dParams)}`);
        assert.ok(vecRelErr(r.dY0, ref.dY0) < 1e-7);
      }
    }
  });
});

describe('seminorm and IRDM costs', () => {
  test('seminorms need fewer backward evaluations than their full norms on a model with p ≫ d', () => {
    const { field, params } = neuralSpiral(1, 50, 2);
    const y0 = new Float64Array([2, 0]);
    const opts: GradientSolveOptions = { t1: 25, saveAt: END, params, method: 'dopri5', rtol: 1e-6, atol: 1e-6 };
    const nfe = (adjointNorm: 'rms' | 'seminorm' | 'rms-flat' | 'seminorm-flat') => valueAndGradient(halfSq, field, y0, { ...opts, gradient: backsolve({ norm: adjointNorm }) });
    const rms = nfe('rms'), semi = nfe('seminorm'), flat = nfe('rms-flat'), flatSemi = nfe('seminorm-flat');
    assert.ok(semi.report.nfeBackward < rms.report.nfeBackward, `seminorm ${semi.report.nfeBackward} vs rms ${rms.report.nfeBackward}`);
    assert.ok(flatSemi.report.nfeBackward < flat.report.nfeBackward, `seminorm-flat ${flatSemi.report.nfeBackward} vs rms-flat ${flat.report.nfeBackward}`);
    assert.equal(semi.report.nfeForward, rms.report.nfeForward);
    assert.ok(vecRelErr(semi.dParams, rms.dParams) < 1e-2);
  });
  test('IRDM spends fewer backward evaluations than backsolve (smaller backward state)', () => {
    const { field, params } = neuralSpiral(1, 50, 2);
    const y0 = new Float64Array([2, 0]);
    const opts: GradientSolveOptions = { t1: 5, saveAt: END, params, method: 'dopri5', rtol: 1e-7, atol: 1e-9 };
    const ref = valueAndGradient(halfSq, field, y0, { ...opts, gradient: 'direct' });
    const bs = valueAndGradient(halfSq, field, y0, { ...opts, gradient: 'backsolve' });
    const ir = valueAndGradient(halfSq, field, y0, { ...opts, gradient: interpolated({ nodes: 64 }) });
    assert.ok(ir.report.nfeBackward <= bs.report.nfeBackward, `irdm ${ir.report.nfeBackward} vs backsolve ${bs.report.nfeBackward}`);
    assert.ok(vecRelErr(ir.dParams, ref.dParams) < 1e-3);
  });
});

describe('Chebyshev interpolation (IRDM, Daulbaev et al. 2020, barycentric formula eq. (7))', () => {
  test('IRDM gradient error on the spiral for n = 9 / 17 / 33 nodes (1.6e-1 / 7.2e-4 / 1.1e-6 Lobatto)', () => {
    const exactDA = [8.16297653621, 1.90574523540, -0.553247936992, 8.85169702050];
    const expected: Array<[number, string, number]> = [[9, 'lobatto', 1.6e-1], [17, 'lobatto', 7.2e-4], [33, 'lobatto', 1.1e-6], [9, 'irdm-paper', 1.6e-1], [17, 'irdm-paper', 1.0e-3], [33, 'irdm-paper', 1.7e-6]];
    for (const [n, w, err] of expected) {
      const r = valueAndGradient(halfSq, spiralField(), new Float64Array([2, 0]), { t1: 1, method: 'dopri5', rtol: 1e-12, atol: 1e-12, saveAt: END,
        params: A_TRUE, gradient: interpolated({ rtol: 1e-10, atol: 1e-10, nodes: n, weights: w as 'lobatto' }) });
      const got = vecRelErr(r.dParams, exactDA);
      assert.ok(got > err / 1.6 && got < err * 1.6, `n=${n} ${w}: ${got} vs ${err}`);
    }
  });
  test('nodes, published weights and interpolated values', () => {
    const nodes = chebyshevNodes(5, 0, 1);
    assert.ok(maxRelErr(nodes, [0, 0.1464466094067262, 0.5, 0.8535533905932737, 1], 1e-12) < 1e-14);
    assert.ok(maxRelErr(barycentricWeights(5, 'irdm-paper'), [0.30901699437494745, -0.8090169943749475, 1, -0.8090169943749475, 0.30901699437494745]) < 1e-14);
    const vals = Float64Array.from(nodes, (t: number) => Math.exp(-t));
    const out = new Float64Array(1);
    assert.ok(Math.abs(barycentric(out, 0.3, nodes, barycentricWeights(5), vals)[0] - 0.7407993913976166) < 1e-14);
    assert.ok(Math.abs(barycentric(out, 0.3, nodes, barycentricWeights(5, 'irdm-paper'), vals)[0] - 0.7414274877323336) < 1e-14);
    assert.equal(barycentric(out, nodes[2], nodes, barycentricWeights(5), vals)[0], vals[2]);
  });
});

describe('bad input', () => {
  const field = spiralField();
  const y0 = new Float64Array([2, 0]);
  test('a loss gradient of the wrong shape', () => {
    const run = solveWithGradient(field, y0, { t1: 1, saveAt: at([0.5, 1]), params: A_TRUE });
    assert.throws(() => run.backward(new Float64Array(3)), (e: unknown) => e instanceof TideError && e.code === 'SHAPE' && /dYs must be a Float64Array of length 4 \(2 saved rows × dim 2\)/.test(e.message));
  });
  test('save times outside the span or not increasing', () => {
    assert.throws(() => solveWithGradient(field, y0, { t1: 1, saveAt: at([0.5, 1.5]), params: A_TRUE }), /1.5.*outside/);
    assert.throws(() => solveWithGradient(field, y0, { t1: 1, saveAt: at([0.5, 0.4]), params: A_TRUE }), /increasing|monoton|order/);
  });
  test('zero checkpoints', () => {
    assert.throws(() => solveWithGradient(field, y0, { t1: 1, params: A_TRUE, gradient: checkpoint({ slots: 0 }) }), /slots must be an integer ≥ 1/);
  });
  test('unknown gradient method, norm and option', () => {
    assert.throws(() => solveWithGradient(field, y0, { t1: 1, params: A_TRUE, gradient: 'adjoint' as never }), /unknown gradient method 'adjoint'/);
    assert.throws(() => solveWithGradient(field, y0, { t1: 1, params: A_TRUE, gradient: backsolve({ norm: 'semi' as never }) }), /unknown adjoint norm 'semi'.*seminorm/);
    assert.throws(() => solveWithGradient(field, y0, { t1: 1, params: A_TRUE, rtoll: 1 } as never), /unknown option 'rtoll'.*Did you mean 'rtol'/);
  });
  test('a field without a VJP, and a multistep method for a discrete gradient', () => {
    const plain = { dim: 2, paramCount: 0, eval: () => {} };
    assert.throws(() => solveWithGradient(plain, y0, { t1: 1 }), /has no vjp/);
    assert.throws(() => solveWithGradient(field, y0, { t1: 1, params: A_TRUE, method: 'vcab3', gradient: 'revolve' }), /vcab3 cannot be restarted from a stored state/);
  });
});

describe('time gradients (timeGradients: true)', () => {
  test('∂L/∂ts and ∂L/∂t0 match central differences of the exact flow (tight tolerance), for several methods', () => {
    const field = forcedOscillator();
    const params = new Float64Array([2.0, 0.3, 0.7]);
    const y0 = new Float64Array([1, -0.5]);
    const base = { t0: 0.1, t1: 1.3, method: 'dopri5', rtol: 1e-11, atol: 1e-11, params } as const;
    const L = (t0: number, ts: number[]) => valueAndGradient(halfSq, field, y0, { ...base, t0, t1: ts[ts.length - 1], saveAt: at(ts) }).loss;
    const ts = [0.5, 0.9, 1.3];
    for (const gradient of ['direct', 'backsolve', 'reversible'] as const) {
      const r = valueAndGradient(halfSq, field, y0, { ...base, saveAt: at(ts), gradient, timeGradients: true, ...(gradient === 'reversible' ? { method: 'rk4', stepSize: 0.0005, rtol: undefined, atol: undefined } : {}) });
      const fdTs = ts.map((_, q) => { const e = 1e-6; const a = [...ts], b = [...ts]; a[q] += e; b[q] -= e; return (L(0.1, a) - L(0.1, b)) / (2 * e); });
      const fdT0 = (L(0.1 + 1e-6, ts) - L(0.1 - 1e-6, ts)) / 2e-6;
      assert.ok(maxRelErr(r.dTs!, fdTs) < 1e-5, `${gradient} dTs ${Array.from(r.dTs!)} vs ${fdTs}`);
      assert.ok(maxRelErr([r.dT0!], [fdT0]) < 1e-5, `${gradient} dT0 ${r.dT0} vs ${fdT0}`);
    }
  });
});
