/** The quadrature adjoint: gradients within tolerance of the exact one, fewer backward steps than backsolve. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveWithGradient, quadrature, backsolve, TideError } from '../../src/index.ts';
import { vecRelErr } from '../oracles/finite-diff.ts';
import { neuralSpiral, spiralField, A_TRUE, forcedOscillator } from './problems.ts';

test('quadrature adjoint: spiral ∂L/∂A converges to the exact ODE gradient as tolerances tighten', () => {
  const exactDA = [8.16297653621, 1.90574523540, -0.553247936992, 8.85169702050];
  const x0 = new Float64Array([2, 0]);
  const errs = [1e-5, 1e-8, 1e-11].map((tol) => {
    const sol = solveWithGradient(spiralField(), x0, { t1: 1, method: 'dopri5', rtol: tol, atol: tol, params: A_TRUE, saveAt: { t1: true }, gradient: 'quadrature' });
    return vecRelErr(sol.backward(Float64Array.from(sol.ys)).dParams, exactDA);
  });
  assert.ok(errs[2] < 1e-8 && errs[2] < errs[0], `errors ${errs}`);
});

test('quadrature adjoint on a neural field with many saves: agrees with direct at tight tolerance, every Gauss order', () => {
  const { field, params } = neuralSpiral(2, 30, 4);
  const y0 = new Float64Array([2, 0, 0.5, 1]);
  const o = { t1: 2, params, method: 'tsit5', saveAt: { ts: [0.3, 0.9, 1.4, 2] } } as const;
  const dYs = Float64Array.from({ length: 16 }, (_, i) => Math.cos(i));
  const ref = solveWithGradient(field, y0, { ...o, rtol: 1e-12, atol: 1e-12 }).backward(dYs);
  for (const points of [3, 4, 5]) {
    const r = solveWithGradient(field, y0, { ...o, rtol: 1e-10, atol: 1e-10, gradient: quadrature({ points }) }).backward(dYs);
    assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-7, `points ${points}: ${vecRelErr(r.dParams, ref.dParams)}`);
    assert.ok(vecRelErr(r.dY0, ref.dY0) < 1e-7);
  }
  // The backward state is d, not d + p: fewer backward steps than backsolve at the same tolerance.
  const q = solveWithGradient(field, y0, { ...o, rtol: 1e-8, atol: 1e-8, gradient: 'quadrature' }).backward(dYs).report;
  const b = solveWithGradient(field, y0, { ...o, rtol: 1e-8, atol: 1e-8, gradient: backsolve() }).backward(dYs).report;
  assert.ok(q.backwardSteps < b.backwardSteps, `quadrature ${q.backwardSteps} vs backsolve ${b.backwardSteps} backward steps`);
});

test('quadrature adjoint: time-dependent field, t1 < t0', () => {
  const field = forcedOscillator(), params = new Float64Array([2.0, 0.3, 0.7]), y0 = new Float64Array([1, -0.5]);
  const o = { t0: 1.5, t1: 0.2, params, method: 'dopri5', saveAt: { ts: [1, 0.6, 0.2] } } as const;
  const dYs = Float64Array.of(1, -2, 0.5, 0.3, -1, 2);
  const ref = solveWithGradient(field, y0, { ...o, rtol: 1e-12, atol: 1e-12 }).backward(dYs);
  const r = solveWithGradient(field, y0, { ...o, rtol: 1e-10, atol: 1e-10, gradient: 'quadrature' }).backward(dYs);
  assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-7, `${vecRelErr(r.dParams, ref.dParams)}`);
});

test('quadrature adjoint: bad options', () => {
  assert.throws(() => quadrature({ points: 7 }), (e: unknown) => e instanceof TideError && /points must be an integer in 1 … 5/.test(e.message));
  assert.throws(() => quadrature({ rtol: -1 }), /adjoint rtol must be a finite number > 0/);
  assert.throws(() => quadrature({ pointz: 3 } as never), /unknown option 'pointz'/);
});
