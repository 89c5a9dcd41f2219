/**
 * Tableau identities (row sums = c, Σb = Σb̂ = 1, quadrature and the full order conditions of Hairer, Nørsett &
 * Wanner I, §II.2, Theorem 2.13), the interpolants' end conditions, and defineTableau's checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineTableau, type Tableau } from '../../src/solvers/tableau.ts';
import { euler } from '../../src/solvers/tableaus/euler.ts';
import { midpoint } from '../../src/solvers/tableaus/midpoint.ts';
import { heun } from '../../src/solvers/tableaus/heun.ts';
import { ralston } from '../../src/solvers/tableaus/ralston.ts';
import { rk4 } from '../../src/solvers/tableaus/rk4.ts';
import { bs3 } from '../../src/solvers/tableaus/bs3.ts';
import { dopri5, dopri5Shampine } from '../../src/solvers/tableaus/dopri5.ts';
import { tsit5 } from '../../src/solvers/tableaus/tsit5.ts';
import type { DenseInterpolant } from '../../src/solvers/dense/polynomial.ts';
import { TideError } from '../../src/core/errors.ts';

const all: Tableau[] = [euler, midpoint, heun, ralston, rk4, bs3, dopri5, dopri5Shampine, tsit5];

const dot = (x: ArrayLike<number>, y: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < x.length; i++) s += x[i] * y[i]; return s; };
const mul = (x: ArrayLike<number>, y: ArrayLike<number>): number[] => Array.from(x, (v, i) => v * y[i]);
const Av = (T: Tableau, v: ArrayLike<number>): number[] => T.a.map((row) => dot(row, v));
const bHat = (T: Tableau): number[] => Array.from(T.b, (b, i) => b - (T.bErr as Float64Array)[i]);

/** Residuals of the order conditions of order ≤ p (all 17 rooted trees up to order 5) for weights w. */
function orderResiduals(T: Tableau, w: ArrayLike<number>, p: number): { tree: string; r: number }[] {
  const c = T.c, one = Array.from(c, () => 1);
  const c2 = mul(c, c), c3 = mul(c2, c), c4 = mul(c3, c);
  const Ac = Av(T, c), Ac2 = Av(T, c2), AAc = Av(T, Ac);
  const conds: [number, string, number[], number][] = [
    [1, 'b·1', one, 1], [2, 'b·c', Array.from(c), 1 / 2],
    [3, 'b·c²', c2, 1 / 3], [3, 'b·Ac', Ac, 1 / 6],
    [4, 'b·c³', c3, 1 / 4], [4, 'b·(c∘Ac)', mul(c, Ac), 1 / 8], [4, 'b·Ac²', Ac2, 1 / 12], [4, 'b·AAc', AAc, 1 / 24],
    [5, 'b·c⁴', c4, 1 / 5], [5, 'b·(c²∘Ac)', mul(c2, Ac), 1 / 10], [5, 'b·(c∘Ac²)', mul(c, Ac2), 1 / 15],
    [5, 'b·(c∘AAc)', mul(c, AAc), 1 / 30], [5, 'b·(Ac)²', mul(Ac, Ac), 1 / 20], [5, 'b·Ac³', Av(T, c3), 1 / 20],
    [5, 'b·A(c∘Ac)', Av(T, mul(c, Ac)), 1 / 40], [5, 'b·AAc²', Av(T, Ac2), 1 / 60], [5, 'b·AAAc', Av(T, AAc), 1 / 120],
  ];
  return conds.filter(([o]) => o <= p).map(([, tree, v, want]) => ({ tree, r: dot(w, v) - want }));
}

test('tableaus: rows of A sum to c and Σb = Σb̂ = 1 (1e-15 × scale)', () => {
  for (const T of all) {
    for (let i = 1; i < T.stages; i++) {
      const row = T.a[i];
      const scale = row.reduce((s, v) => s + Math.abs(v), 0);
      assert.ok(Math.abs(dot(row, Array.from(row, () => 1)) - T.c[i]) <= 2e-15 * Math.max(1, scale), `${T.name} row ${i}`);
    }
    assert.ok(Math.abs(dot(T.b, Array.from(T.b, () => 1)) - 1) <= 1e-15 * Math.max(1, T.b.reduce((s, v) => s + Math.abs(v), 0)), `${T.name} Σb`);
    if (T.bErr) {
      const bh = bHat(T);
      assert.ok(Math.abs(bh.reduce((s, v) => s + v, 0) - 1) <= 1e-14, `${T.name} Σb̂`);
    }
  }
});

test('tableaus: quadrature conditions Σ b c^{k−1} = 1/k for k ≤ p and Σ b̂ c^{k−1} = 1/k for k ≤ q', () => {
  for (const T of all) {
    for (let k = 1; k <= T.order; k++) {
      const r = dot(T.b, Array.from(T.c, (c) => c ** (k - 1))) - 1 / k;
      assert.ok(Math.abs(r) <= 1e-14, `${T.name}: Σ b c^${k - 1} residual ${r}`);
    }
    if (T.bErr) {
      const q = T.errorOrder as number;
      for (let k = 1; k <= q; k++) {
        const r = dot(bHat(T), Array.from(T.c, (c) => c ** (k - 1))) - 1 / k;
        assert.ok(Math.abs(r) <= 1e-14, `${T.name}: Σ b̂ c^${k - 1} residual ${r}`);
      }
    }
  }
});

test('tableaus: all order conditions up to p hold for b, up to q for b̂, and the next order fails', () => {
  for (const T of all) {
    for (const { tree, r } of orderResiduals(T, T.b, T.order)) assert.ok(Math.abs(r) <= 1e-13, `${T.name} b ${tree}: ${r}`);
    if (T.order < 5) {
      const next = orderResiduals(T, T.b, T.order + 1).filter((x) => Math.abs(x.r) > 1e-6);
      assert.ok(next.length > 0, `${T.name} should fail order ${T.order + 1}`);
    }
    if (T.bErr) {
      const q = T.errorOrder as number;
      for (const { tree, r } of orderResiduals(T, bHat(T), q)) assert.ok(Math.abs(r) <= 1e-13, `${T.name} b̂ ${tree}: ${r}`);
      assert.ok(orderResiduals(T, bHat(T), q + 1).some((x) => Math.abs(x.r) > 1e-6), `${T.name} b̂ should fail order ${q + 1}`);
    }
  }
});

test('tableaus: derived stage counts, FSAL and stiffness stages', () => {
  const expect: Record<string, [number, boolean, readonly number[] | null]> = {
    euler: [1, false, null], midpoint: [2, false, null], heun: [2, false, null], ralston: [2, false, null],
    rk4: [4, false, null], bs3: [4, true, null], dopri5: [7, true, [5, 6]], tsit5: [7, true, [5, 6]],
  };
  for (const T of all) {
    const [s, fsal, stiff] = expect[T.name];
    assert.equal(T.stages, s, T.name);
    assert.equal(T.fsal, fsal, T.name);
    assert.deepEqual(T.stiffnessStages, stiff, T.name);
  }
  assert.deepEqual([tsit5.piGains.beta1, tsit5.piGains.beta2], [0.14, 0.08]);
  assert.deepEqual([dopri5.piGains.beta1, dopri5.piGains.beta2], [0.17, 0.04]);
  assert.ok(Math.abs(bs3.piGains.beta1 - 7 / 30) < 1e-16 && Math.abs(bs3.piGains.beta2 - 2 / 15) < 1e-16);
  assert.equal(rk4.bErr, null);
  assert.equal(rk4.adaptiveByDefault, false);
  assert.equal(midpoint.adaptiveByDefault, false);
  assert.equal(tsit5.adaptiveByDefault, true);
});

test('dopri5: Shampine error weights are exactly 2/3 of Hairer\'s', () => {
  const h = dopri5.bErr as Float64Array, s = dopri5Shampine.bErr as Float64Array;
  for (let i = 0; i < 7; i++) assert.ok(Math.abs(s[i] - (2 / 3) * h[i]) <= 1e-17, `e[${i}]`);
});

/** B_i(θ) and B_i'(θ) of a linear-stage interpolant, read off by packing unit stage vectors (h = 1, y = 0). */
function stageWeights(dense: DenseInterpolant, s: number, theta: number): { B: number[]; dB: number[] } {
  const B: number[] = [], dB: number[] = [];
  for (let i = 0; i < s; i++) {
    const k = Array.from({ length: s }, (_, j) => Float64Array.of(i === j ? 1 : 0));
    const coef = new Float64Array(dense.width);
    dense.pack(coef, 1, Float64Array.of(0), Float64Array.of(0), k, null);
    let v = 0, d = 0;
    for (let r = dense.width - 1; r >= 0; r--) v = v * theta + coef[r];
    for (let r = dense.width - 1; r >= 1; r--) d = d * theta + r * coef[r];
    B.push(v); dB.push(d);
  }
  return { B, dB };
}

test('tsit5 and dopri5 interpolants: B_i(1) = b_i, B_i\'(1) = δ_i7, B_i\'(0) = δ_i1', () => {
  for (const T of [tsit5, dopri5]) {
    const at1 = stageWeights(T.dense, 7, 1), at0 = stageWeights(T.dense, 7, 0);
    for (let i = 0; i < 7; i++) {
      assert.ok(Math.abs(at1.B[i] - T.b[i]) <= 1e-14, `${T.name} B_${i + 1}(1) = ${at1.B[i]} vs ${T.b[i]}`);
      assert.ok(Math.abs(at1.dB[i] - (i === 6 ? 1 : 0)) <= 1e-13, `${T.name} B_${i + 1}'(1) = ${at1.dB[i]}`);
      assert.ok(Math.abs(at0.dB[i] - (i === 0 ? 1 : 0)) <= 1e-15, `${T.name} B_${i + 1}'(0)`);
    }
  }
});

test('tsit5 interpolant: continuous order conditions Σ B_i(θ) c_i^{k−1} = θ^k/k hold for k ≤ 4 and fail at 5', () => {
  for (const theta of [0.25, 0.5, 0.8]) {
    const { B } = stageWeights(tsit5.dense, 7, theta);
    for (let k = 1; k <= 4; k++) {
      const r = dot(B, Array.from(tsit5.c, (c) => c ** (k - 1))) - theta ** k / k;
      assert.ok(Math.abs(r) <= 1e-14, `θ=${theta} k=${k}: ${r}`);
    }
    const r5 = dot(B, Array.from(tsit5.c, (c) => c ** 4)) - theta ** 5 / 5;
    assert.ok(Math.abs(r5) > 1e-6, `θ=${theta} k=5 should fail`);
  }
});

test('dopri5 interpolant at θ = ½ equals torchdiffeq\'s DPS_C_MID weights', () => {
  const cMid = [6025192743 / 30085553152 / 2, 0, 51252292925 / 65400821598 / 2, -2691868925 / 45128329728 / 2,
    187940372067 / 1594534317056 / 2, -1776094331 / 19743644256 / 2, 11237099 / 235043384 / 2];
  const { B } = stageWeights(dopri5.dense, 7, 0.5);
  for (let i = 0; i < 7; i++) assert.ok(Math.abs(B[i] / 0.5 - cMid[i] * 2) <= 1e-15, `weight ${i}: ${B[i] / 0.5} vs ${cMid[i] * 2}`);
});

test('defineTableau rejects tableaus that are half right, naming the identity', () => {
  const ok = { name: 'x', order: 2, c: [0, 1 / 2], a: [[], [1 / 2]], b: [0, 1] };
  assert.doesNotThrow(() => defineTableau(ok));
  const cases: [object, RegExp][] = [
    [{ ...ok, a: [[], [0.4]] }, /row 1 of a sums to 0.4 but c\[1\] = 0.5/],
    [{ ...ok, b: [0.1, 1] }, /b sums to 1.1; the weights b must sum to 1/],
    [{ ...ok, bErr: [1, 0] }, /bErr sums to 1; error weights e = b − b̂ must sum to 0/],
    [{ ...ok, b: [1] }, /b must be an array of 2 numbers/],
    [{ ...ok, a: [[], [0.25, 0.25]] }, /a\[1\] must be an array of 1 numbers/],
    [{ ...ok, a: [[]] }, /a must have one row per stage/],
    [{ ...ok, c: [0.1, 0.5] }, /explicit method starts at c_1 = 0/],
    [{ ...ok, c: [0, NaN] }, /c\[1\] is NaN/],
    [{ ...ok, order: 0 }, /order must be a positive integer/],
    [{ ...ok, name: '' }, /name must be a non-empty string/],
  ];
  for (const [spec, re] of cases) {
    assert.throws(() => defineTableau(spec as never), (e: unknown) => e instanceof TideError && e.code === 'BAD_ARGUMENT' && re.test(e.message), String(re));
  }
});
