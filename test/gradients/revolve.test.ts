/**
 * Offline Revolve schedule (Griewank & Walther 2000, "Algorithm 799: Revolve", ACM TOMS 26(1)): closed forms against
 * the dynamic programme, reference values of the closed form computed independently, and the schedule run on simulated states (every taped step once, in reverse order, on the right state; at most
 * s slots; exactly t(N, s) advances, t(N, s) − (N − 1) after a fused forward pass).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TideError } from '../../src/core/errors.ts';
import { CountingOps } from '../../src/gradients/checkpoint-ops.ts';
import {
  beta, optimalSplit, revolveBackward, revolveCost, revolveForward, revolveRepetition,
} from '../../src/gradients/revolve.ts';
import { throwsTide } from '../oracles/throws.ts';

/**
 * T[s][m] by the dynamic programme of binomial checkpointing (Griewank & Walther 2000): T(m,1) = m(m−1)/2, T(1,s) = 0,
 * T(m,s) = min_{1≤j<m} [j + T(m−j, s−1) + T(j, s)].
 */
function dpTable(maxS: number, maxM: number): number[][] {
  const T: number[][] = [];
  for (let s = 1; s <= maxS; s++) {
    T[s] = [NaN, 0];
    for (let m = 2; m <= maxM; m++) {
      if (s === 1) { T[s][m] = (m * (m - 1)) / 2; continue; }
      let best = Infinity;
      for (let j = 1; j < m; j++) best = Math.min(best, j + T[s - 1][m - j] + T[s][j]);
      T[s][m] = best;
    }
  }
  return T;
}

/** Runs the full schedule on simulated states and returns the counts (throws on any schedule error). */
function runRevolve(N: number, s: number): CountingOps {
  const ops = new CountingOps({ steps: N, slotCount: s });
  revolveBackward(N, s, ops);
  assert.equal(ops.tapedSteps, N, `N = ${N}, s = ${s}: taped steps`);
  assert.equal(ops.nextTaped, -1);
  return ops;
}

const throwsBadArgument = (fn: () => unknown, phrase: RegExp): void => throwsTide(fn, 'BAD_ARGUMENT', phrase);

test('beta: binomials, beta(s, −1) = 0', () => {
  assert.equal(beta(3, 2), 10);
  assert.equal(beta(2, 3), 10);
  assert.equal(beta(0, 5), 1);
  assert.equal(beta(7, 0), 1);
  assert.equal(beta(4, -1), 0);
  assert.equal(beta(44, 2), 1035);
  assert.equal(beta(10, 20), 30045015);
});

test('t(m, s): independently computed values of the closed form r·m − β(s + 1, r − 1)', () => {
  const t1000 = [2, 4, 8, 16, 32, 44].map((s) => revolveCost(1000, s));
  assert.deepEqual(t1000, [28820, 7998, 4285, 2860, 2405, 1954]);
  assert.equal(revolveCost(499, 31), 965);
  assert.equal(revolveCost(10, 3), 15);
  assert.equal(revolveCost(100, 5), 316);
  assert.equal(revolveCost(1, 1), 0);
  assert.equal(revolveCost(1, 7), 0);
  assert.equal(revolveCost(50, 1), (50 * 49) / 2);
  assert.equal(revolveCost(50, 80), 49); // more slots than steps: just the sweep
});

test('r(m, s) is the unique r with β(s, r − 1) < m ≤ β(s, r)', () => {
  for (let s = 1; s <= 8; s++) {
    for (let m = 1; m <= 300; m++) {
      const r = revolveRepetition(m, s);
      assert.ok(beta(s, r - 1) < m && m <= beta(s, r), `m = ${m}, s = ${s}, r = ${r}`);
    }
  }
});

test('closed form t(m, s) equals the dynamic programme for s ≤ 6, m < 120', () => {
  const T = dpTable(6, 119);
  for (let s = 1; s <= 6; s++) {
    for (let m = 1; m < 120; m++) assert.equal(revolveCost(m, s), T[s][m], `m = ${m}, s = ${s}`);
  }
});

test('optimal split: known first splits and the interval = the DP argmin set (2 ≤ s ≤ 6, 2 ≤ m < 120)', () => {
  assert.equal(optimalSplit(10, 3), 4);
  assert.equal(optimalSplit(6, 2), 3);
  assert.equal(optimalSplit(30, 3), 15);
  assert.equal(optimalSplit(100, 5), 30);
  const T = dpTable(6, 119);
  for (let s = 2; s <= 6; s++) {
    for (let m = 2; m < 120; m++) {
      const best = T[s][m];
      const argmin: number[] = [];
      for (let j = 1; j < m; j++) if (j + T[s - 1][m - j] + T[s][j] === best) argmin.push(j);
      // Upper end of the optimal-split interval (Griewank & Walther 2000): min(β(s, r−1), m − β(s−1, r−1)).
      const r = revolveRepetition(m, s);
      const hi = Math.min(beta(s, r - 1), m - beta(s - 1, r - 1), m - 1);
      const lo = optimalSplit(m, s);
      const interval: number[] = [];
      for (let j = lo; j <= hi; j++) interval.push(j);
      assert.deepEqual(interval, argmin, `m = ${m}, s = ${s}`);
      if (m === 30 && s === 3) assert.equal(hi, 20);
      if (m === 100 && s === 5) assert.equal(hi, 56);
    }
  }
  // (100, 5) lies beyond the DP table above; check its interval ends directly.
  const r = revolveRepetition(100, 5);
  assert.equal(Math.min(beta(5, r - 1), 100 - beta(4, r - 1)), 56);
});

test('revolveBackward: exact schedule for N = 4, s = 2', () => {
  const ops = new CountingOps({ steps: 4, slotCount: 2, trace: true });
  revolveBackward(4, 2, ops);
  // r(4, 2) = 2, j = max(β(2,0), 4 − β(1,2)) = 1: advance to y_1, store, reverse [1, 4) with one slot, then [0, 1).
  assert.deepEqual(ops.trace, ['r0', 'a0', 's1', 'a1', 'a2', 't3', 'r1', 'a1', 't2', 'r1', 't1', 'r0', 't0']);
  assert.equal(ops.advances, revolveCost(4, 2));
});

test('revolveBackward: advances = t(N, s) (initial sweep included), taped steps in order, ≤ s slots', () => {
  for (const s of [1, 2, 3, 4, 5, 8]) {
    for (let N = 1; N <= 60; N++) {
      const ops = runRevolve(N, s);
      assert.equal(ops.advances, revolveCost(N, s), `N = ${N}, s = ${s}`);
      assert.ok(ops.slotsUsed <= s);
    }
  }
  for (const s of [2, 4, 8, 16, 32, 44]) {
    const ops = runRevolve(1000, s);
    assert.equal(ops.advances, revolveCost(1000, s));
    assert.ok(ops.slotsUsed <= s);
  }
});

test('revolveForward + revolveBackward(afterForward): re-advances = t(N, s) − (N − 1)', () => {
  const cases: [number, number][] = [[1000, 2], [1000, 4], [1000, 8], [1000, 16], [1000, 32], [1000, 44], [499, 31], [10, 3],
    [100, 5], [1, 1], [1, 3], [2, 1], [7, 1], [5, 9]];
  for (const [N, s] of cases) {
    const ops = new CountingOps({ steps: N, slotCount: s });
    revolveForward(N, s, ops);
    assert.equal(ops.advances, N - 1, `forward sweep N = ${N}, s = ${s}`);
    assert.equal(ops.cur, N - 1); // the forward pass stops on y_{N−1}
    ops.resetCounts();
    revolveBackward(N, s, ops, { afterForward: true });
    assert.equal(ops.advances, revolveCost(N, s) - (N - 1), `re-advances N = ${N}, s = ${s}`);
    assert.equal(ops.tapedSteps, N);
    assert.ok(ops.slotsUsed <= s);
  }
});

test('property: random (N, s): every taped step once, in reverse order, on the right state; optimal advances', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (N, s, fused) => {
    const ops = new CountingOps({ steps: N, slotCount: s });
    if (fused) { revolveForward(N, s, ops); revolveBackward(N, s, ops, { afterForward: true }); }
    else revolveBackward(N, s, ops);
    assert.equal(ops.tapedSteps, N);
    assert.equal(ops.nextTaped, -1);
    assert.equal(ops.advances, revolveCost(N, s));
  }), { numRuns: 200, seed: 20240 });
});

test('revolveBackward is iterative: N = 1e5 with s = 10; s = 1 loops (N = 2000)', () => {
  const big = runRevolve(100000, 10);
  assert.equal(big.advances, revolveCost(100000, 10));
  const one = runRevolve(2000, 1);
  assert.equal(one.advances, (2000 * 1999) / 2);
  assert.equal(one.slotsUsed, 1);
});

test('huge slot counts are capped at N', () => {
  const ops = runRevolve(5, 1e9);
  assert.equal(ops.advances, 4);
  assert.equal(ops.slotsUsed, 5);
});

test('bad arguments: BAD_ARGUMENT with the argument named', () => {
  const ops = new CountingOps();
  throwsBadArgument(() => revolveBackward(0, 2, ops), /revolveBackward: N = 0; N must be an integer ≥ 1/);
  throwsBadArgument(() => revolveBackward(10.5, 2, ops), /revolveBackward: N = 10.5; N must be an integer/);
  throwsBadArgument(() => revolveBackward(10, 0, ops), /revolveBackward: s = 0; s must be an integer ≥ 1\. Slot 0 holds y_0/);
  throwsBadArgument(() => revolveBackward(10, 2.5, ops), /s = 2.5/);
  throwsBadArgument(() => revolveForward(10, 0, ops), /revolveForward: s = 0/);
  throwsBadArgument(() => revolveCost(0, 3), /revolveCost: m = 0; m must be an integer ≥ 1/);
  throwsBadArgument(() => revolveCost(10, NaN), /revolveCost: s = NaN/);
  throwsBadArgument(() => revolveRepetition(5, 0), /revolveRepetition: s = 0/);
  throwsBadArgument(() => optimalSplit(1, 3), /optimalSplit: m = 1; m must be an integer ≥ 2\. A single step/);
  throwsBadArgument(() => optimalSplit(10, 1), /optimalSplit: s = 1; s must be an integer ≥ 2\. With one slot/);
  throwsBadArgument(() => beta(-1, 2), /beta: s = -1; s must be an integer ≥ 0/);
  throwsBadArgument(() => beta(2, -2), /beta: r = -2; r must be an integer ≥ -1/);
});
