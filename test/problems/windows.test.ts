/**
 * problems.fillWindows against the definition (ode_demo.py's get_batch): y0 row b = ys row s_b; target row k,
 * window b = ys row s_b + first + k; windows that run past the data and wrong output lengths are TideErrors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { problems, Rng, TideError } from '../../src/index.ts';

test('fillWindows: y0 and targets are the rows of ys the definition names, for first = 0 and 1', () => {
  const rows = 40, dim = 3, ys = new Rng(2).fillNormal(new Float64Array(rows * dim));
  const starts = Int32Array.of(0, 7, 29, 3);
  for (const first of [0, 1]) {
    const points = 10 - first, B = starts.length;
    const y0 = new Float64Array(B * dim), target = new Float64Array(points * B * dim).fill(NaN);
    problems.fillWindows(ys, dim, starts, points, y0, target, first);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < dim; j++) {
        assert.equal(y0[b * dim + j], ys[starts[b] * dim + j]);
        for (let k = 0; k < points; k++) assert.equal(target[(k * B + b) * dim + j], ys[(starts[b] + first + k) * dim + j], `first ${first} b ${b} k ${k} j ${j}`);
      }
    }
  }
});

test('fillWindows: a window past the last row, a bad start or wrong output lengths are SHAPE errors naming the fix', () => {
  const ys = new Float64Array(20 * 2), y0 = new Float64Array(2 * 2), target = new Float64Array(5 * 2 * 2);
  const isShape = (phrase: string) => (e: unknown) => e instanceof TideError && e.code === 'SHAPE' && e.message.includes(phrase);
  assert.throws(() => problems.fillWindows(ys, 2, [0, 16], 5, y0, target), isShape('draw starts from [0, 16)'));
  assert.throws(() => problems.fillWindows(ys, 2, [0, 15], 5, y0, target, 1), isShape('draw starts from [0, 15)'));
  assert.throws(() => problems.fillWindows(ys, 2, [0, 1.5], 5, y0, target), isShape('starts at row 1.5'));
  assert.throws(() => problems.fillWindows(ys, 2, [0, 1], 4, y0, target), isShape('must be 4 and 16'));
  assert.doesNotThrow(() => problems.fillWindows(ys, 2, [0, 15], 5, y0, target));
});
