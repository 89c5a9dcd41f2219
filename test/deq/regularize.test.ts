import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { o1, linear, X1, Z1 } from './problems.ts';
import { jacobianPenalty, spectralRadius } from '../../src/deq/regularize.ts';
import { Rng } from '../../src/core/random.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';

describe('Jacobian regularisers at the O1 fixed point', () => {
  const { map, params } = o1();
  const z = new Float64Array(Z1);
  test('O7: Hutchinson mean of ‖εᵀJ‖²/d over 1e5 draws within 2% of ‖J‖_F²/d = 0.04758546161318975', () => {
    const seed = 12345;
    const r = jacobianPenalty(map, params, z, X1, { samples: 100000, h: 0, rng: new Rng(seed) });
    assert.ok(Math.abs(r.value / 0.04758546161318975 - 1) < 0.02, `seed ${seed}: ${r.value}`);
  });
  test('its gradient (θ, x and z*) matches central differences of the same-probe estimate', () => {
    const P = (p: Float64Array, x: Float64Array, zz: Float64Array): number => jacobianPenalty(map, p, zz, x, { samples: 3, rng: new Rng(5), h: 0, weight: 0.7 }).value;
    const g = jacobianPenalty(map, params, z, X1, { samples: 3, rng: new Rng(5), weight: 0.7 });
    assert.ok(maxRelErr(g.dParams, centralDiff((p) => P(p, X1, z), params)) < 1e-6);
    assert.ok(maxRelErr(g.dX, centralDiff((x) => P(params, x, z), Float64Array.from(X1))) < 1e-6);
    assert.ok(maxRelErr(g.dZ, centralDiff((zz) => P(params, X1, zz), z)) < 1e-6);
  });
  test('spectral radius by power iteration: O1 ρ(J) = 0.24148481933802277; a linear map with a complex dominant pair', () => {
    assert.ok(Math.abs(spectralRadius(map, params, z, X1).rho - 0.24148481933802277) < 1e-10);
    // Rotation-scaling block 0.6·R(θ) (ρ = 0.6) and 0.3: plain norm ratios oscillate here.
    const c = 0.6 * Math.cos(1), s = 0.6 * Math.sin(1);
    const lin = linear([[c, -s, 0], [s, c, 0], [0, 0, 0.3]]);
    const r = spectralRadius(lin.map, lin.params, new Float64Array(3), new Float64Array(3));
    assert.ok(Math.abs(r.rho - 0.6) < 1e-8, `${r.rho}`);
  });
});
