/** Method names → solvers; unknown names get the valid list and a suggestion. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getSolver, resolveSolver, solverNames } from '../../src/solvers/registry.ts';
import { tsit5 } from '../../src/solvers/tableaus/tsit5.ts';
import { TideError } from '../../src/core/errors.ts';

test('every method name resolves to a solver of that name with the right order', () => {
  const orders: Record<string, number> = { euler: 1, midpoint: 2, heun: 2, ralston: 2, rk4: 4, bs3: 3, dopri5: 5, tsit5: 5, vcab3: 3, 'reversible-heun': 2, mali: 2,
    heun3: 3, fehlberg2: 2, dopri8: 8 };
  assert.deepEqual([...solverNames].sort(), Object.keys(orders).sort());
  for (const name of solverNames) {
    const s = getSolver(name);
    assert.equal(s.name, name);
    assert.equal(s.order, orders[name]);
    assert.equal(s.reversible, name === 'reversible-heun' || name === 'mali');
  }
  // 'reversible-<rk method>' is the λ-coupled wrapper of that method.
  const r = getSolver('reversible-rk4');
  assert.equal(r.name, 'reversible-rk4'); assert.equal(r.order, 4); assert.equal(r.reversible, true); assert.equal(r.stateParts, 2);
  assert.equal(getSolver('tsit5').errorOrder, 4);
  assert.equal(getSolver('rk4').errorOrder, undefined);
  assert.equal(getSolver('vcab3').errorOrder, 2);
});

test('unknown method names: UNKNOWN_NAME with the valid names and a did-you-mean', () => {
  assert.throws(() => getSolver('dopri', 'solve'), (e: unknown) => e instanceof TideError && e.code === 'UNKNOWN_NAME'
    && /solve: unknown method 'dopri'\. Valid: euler, midpoint/.test(e.message) && /Did you mean 'dopri5'\?/.test(e.message));
  assert.throws(() => getSolver('Tsit5'), /Did you mean 'tsit5'/);
  assert.throws(() => getSolver('toString'), /unknown method 'toString'/);
});

test('resolveSolver accepts a tableau or a Solver object and rejects anything else', () => {
  assert.equal(resolveSolver(tsit5).name, 'tsit5');
  const s = getSolver('bs3');
  assert.equal(resolveSolver(s), s);
  assert.throws(() => resolveSolver(42 as never), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION' && /method must be a method name/.test(e.message));
});
