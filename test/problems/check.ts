/** Shared checks of the problem tests: a field's VJP and a loss's cotangent against central differences. */
import assert from 'node:assert/strict';
import { Rng } from '../../src/index.ts';
import type { VectorField } from '../../src/index.ts';
import type { Loss } from '../../src/problems/index.ts';
import { centralDiff, maxRelErr, randomArray } from '../oracles/finite-diff.ts';

/** v·f(t, y, p) for a fixed cotangent v. */
function dot(field: VectorField, v: Float64Array, t: number, y: Float64Array, p: Float64Array): number {
  const out = new Float64Array(field.dim);
  field.eval(out, t, y, p);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += v[i] * out[i];
  return s;
}

/**
 * Checks field.vjp at (t, y, p) for a random v (seeded) against central differences of v·f in y, params and t:
 * max relative error < tol. Also checks that fOut equals eval and that dParams is accumulated, not overwritten.
 */
export function checkFieldVjp(field: VectorField, t: number, y: Float64Array, p: Float64Array, seed = 1, tol = 1e-6): void {
  assert.ok(field.vjp, `${field.name}: has a vjp`);
  const v = randomArray(field.dim, new Rng(seed));
  const dY = new Float64Array(field.dim);
  const base = randomArray(field.paramCount, new Rng(seed + 100));
  const dP = base.slice();
  const fOut = new Float64Array(field.dim);
  const dT = field.vjp(dY, dP, v, t, y, p, fOut);
  const f = new Float64Array(field.dim);
  field.eval(f, t, y, p);
  assert.deepEqual(Array.from(fOut), Array.from(f), `${field.name}: fOut equals eval`);
  for (let i = 0; i < dP.length; i++) dP[i] -= base[i];
  const fdY = centralDiff((yy) => dot(field, v, t, yy, p), y);
  assert.ok(maxRelErr(dY, fdY) < tol, `${field.name}: ∂/∂y ${Array.from(dY)} vs ${Array.from(fdY)}`);
  if (field.paramCount > 0) {
    const fdP = centralDiff((pp) => dot(field, v, t, y, pp), p);
    assert.ok(maxRelErr(dP, fdP) < tol, `${field.name}: ∂/∂params (max rel err ${maxRelErr(dP, fdP)})`);
  }
  const fdT = centralDiff((tt) => dot(field, v, tt[0], y, p), Float64Array.of(t))[0];
  assert.ok(maxRelErr([dT], [fdT]) < tol, `${field.name}: ∂/∂t ${dT} vs ${fdT}`);
}

/** Checks a loss's dYs against central differences at ys (and that it returns the same L with and without dYs). */
export function checkLossGrad(loss: Loss, ys: Float64Array, tol = 1e-6): void {
  const dYs = new Float64Array(ys.length);
  const L = loss(ys, dYs);
  assert.equal(loss(ys), L);
  const fd = centralDiff((x) => loss(x), ys);
  // Entries compare relative to the largest one: a tiny residual's derivative is lost in L's rounding.
  let big = 0;
  for (let i = 0; i < dYs.length; i++) big = Math.max(big, Math.abs(dYs[i]));
  const err = maxRelErr(dYs, fd, 1e-3 * big);
  assert.ok(err < tol, `loss dYs: max rel err ${err}`);
}

/** Asserts |got[i] − want[i]| ≤ tol for every i, naming the entry. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]} (|diff| ${Math.abs(got[i] - want[i]).toExponential(2)} > ${tol})`);
  }
}
