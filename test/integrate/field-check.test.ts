/** Plain right-hand sides: SciPy's (t, y) => array form is accepted; fields that misuse out or y get a clear error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve, fieldFromFunction } from '../../src/index.ts';
import { throwsTide } from '../oracles/throws.ts';

test('(t, y) => array is taken as returning f (SciPy form), and solves y\' = −y', () => {
  const sol = solve((t: number, y: Readonly<Float64Array>) => [-y[0]], Float64Array.of(1), { t1: 2, rtol: 1e-9, atol: 1e-12 });
  assert.ok(Math.abs(sol.yFinal[0] - Math.exp(-2)) < 1e-8, `${sol.yFinal[0]}`);
});

test('(t, y) => wrong length: a SHAPE error', () => {
  throwsTide(() => solve((_t: number, y: Readonly<Float64Array>) => [y[0], 1], Float64Array.of(1), { t1: 1 }), 'SHAPE', /declared as \(t, y\) must return an array of 1 numbers/);
});

test('a function that returns an array but was declared with three parameters: told how to fix it', () => {
  const threeArgs = ((_t: number, y: Float64Array, _p: Float64Array) => [-y[0]]) as unknown as (out: Float64Array, t: number, y: Float64Array, p: Float64Array) => void;
  throwsTide(() => solve(threeArgs, Float64Array.of(1), { t1: 1 }), 'BAD_ARGUMENT', /returned an array and left out unwritten.*\(out, t, y, params\) => void/);
});

test('a field that writes nothing, or only part of out', () => {
  throwsTide(() => solve(fieldFromFunction(() => {}, 3), Float64Array.of(1, 2, 3), { t1: 1 }), 'BAD_ARGUMENT', /left out\[0\], out\[1\], out\[2\] unwritten.*Did it return its result/);
  throwsTide(() => solve(fieldFromFunction((o, _t, y) => { o[0] = -y[0]; }, 3), Float64Array.of(1, 2, 3), { t1: 1 }), 'BAD_ARGUMENT', /left out\[1\], out\[2\] unwritten.*loop bounds/);
});

test('a field that changes y', () => {
  throwsTide(() => solve(fieldFromFunction((o, _t, y) => { y[0] = 0; o[0] = 1; }, 1), Float64Array.of(5), { t1: 1 }), 'BAD_ARGUMENT', /changed its input y \(y\[0\] was 5, became 0\).*read-only/);
});

test('a field that writes a value equal to the first probe fill is not mistaken for an unwritten one', () => {
  const sol = solve(fieldFromFunction((o) => { o[0] = 0; }, 1), Float64Array.of(1), { t1: 1 });
  assert.equal(sol.yFinal[0], 1);
});
