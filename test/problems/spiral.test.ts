import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { solve, Rng } from '../../src/index.ts';
import { spiralField, spiralData, neuralSpiralField, SPIRAL_A, SPIRAL_Y0, SPIRAL_DEMO } from '../../src/problems/index.ts';
import { randomArray } from '../oracles/finite-diff.ts';
import { assertClose, checkFieldVjp } from './check.ts';

const T1 = 25 / 999;
const REF = [
  1.979505622476, 0.394356614350,    // t = 25/999
  0.709261743253, -1.504108457840,   // t = 1
  -0.263012835470, 0.930245944255,   // t = 5
  -0.443623486699, 0.279440641619,   // t = 25
];

describe('spiral (Chen et al. 2018; torchdiffeq examples/ode_demo.py)', () => {
  test('reference values at t = 25/999, 1, 5, 25 (dopri5 rtol 1e-10, 1e-8)', () => {
    const sol = solve(spiralField(), Float64Array.from(SPIRAL_Y0), {
      t0: 0, t1: 25, params: Float64Array.from(SPIRAL_A), method: 'dopri5', rtol: 1e-10, atol: 1e-12, saveAt: { ts: [T1, 1, 5, 25] },
    });
    assertClose(sol.ys, REF, 1e-8, 'y(t)');
  });

  test('torchdiffeq convention: y1\' = −0.1 y1³ − 2 y2³, y2\' = 2 y1³ − 0.1 y2³', () => {
    const out = new Float64Array(2);
    spiralField().eval(out, 0, Float64Array.of(2, 1), Float64Array.from(SPIRAL_A));
    assert.deepEqual(Array.from(out), [-0.1 * 8 - 2, 2 * 8 - 0.1]);
  });

  test('data: linspace(0, 25, 1000), rows at t = 25/999 and 25 match the references (1e-8)', () => {
    const d = spiralData();
    assert.equal(d.ts.length, 1000);
    assert.equal(d.ys.length, 2000);
    assert.equal(d.ts[999], 25);
    assert.ok(Math.abs(d.ts[1] - T1) < 1e-16);
    assert.deepEqual(Array.from(d.ys.subarray(0, 2)), [2, 0]);
    assertClose([d.ys[2], d.ys[3], d.ys[1998], d.ys[1999]], [...REF.slice(0, 2), ...REF.slice(6)], 1e-8, 'rows 1, 999');
  });

  test('spiral field VJP in y and A matches central differences (batch 1 and 4)', () => {
    checkFieldVjp(spiralField(), 0.3, Float64Array.of(1.2, -0.7), Float64Array.from(SPIRAL_A));
    checkFieldVjp(spiralField(4), 0.3, randomArray(8, new Rng(8)), Float64Array.from(SPIRAL_A));
  });

  test('neural spiral: 252 parameters, demo init N(0, 0.1²) weights and zero biases, VJP matches central differences', () => {
    const f = neuralSpiralField();
    assert.equal(f.paramCount, 252);
    assert.equal(neuralSpiralField(1, 16).paramCount, 2 * 16 + 16 + 16 * 2 + 2);
    const p = f.init(new Float64Array(252), new Rng(0));
    // Layout: W1 (50×2) b1 (50) W2 (2×50) b2 (2).
    assert.ok(p.subarray(100, 150).every((v) => v === 0) && p.subarray(250).every((v) => v === 0), 'biases 0');
    const w = [...p.subarray(0, 100), ...p.subarray(150, 250)];
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(Math.abs(std - 0.1) < 0.02, `weight std ${std}`);
    // The demo's init gives near-zero biases; check the VJP at random params too.
    checkFieldVjp(f, 0, Float64Array.of(1.5, -0.4), randomArray(252, new Rng(9), 0.3));
    checkFieldVjp(neuralSpiralField(3, 8), 0, randomArray(6, new Rng(10)), randomArray(42, new Rng(11), 0.3));
    assert.equal(SPIRAL_DEMO.hidden, 50);
  });
});
