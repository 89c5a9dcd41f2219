/** PartViews: the cached part views the reversible step methods use instead of per-step subarrays. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartViews } from '../../src/core/array.ts';

test('PartViews: parts alias the buffer, the last runs to its end', () => {
  const buf = new Float64Array([1, 2, 3, 4, 5, 6, 7]);
  const [a, b, c] = new PartViews(2, 3).of(buf);
  assert.deepEqual([...a], [1, 2]); assert.deepEqual([...b], [3, 4]); assert.deepEqual([...c], [5, 6, 7]);
  b[0] = 30; assert.equal(buf[2], 30);
});

test('PartViews: two buffers in turn keep their views; a third replaces the older', () => {
  const v = new PartViews(2, 2), p = new Float64Array(4), q = new Float64Array(4), r = new Float64Array(4);
  const p0 = v.of(p)[0], q0 = v.of(q)[0];
  assert.equal(v.of(p)[0], p0); assert.equal(v.of(q)[0], q0); assert.equal(v.of(p)[0], p0);
  assert.equal(v.of(r)[0].buffer, r.buffer); // q was the older: replaced
  assert.equal(v.of(p)[0], p0);
  assert.notEqual(v.of(q)[0], q0); assert.equal(v.of(q)[0].buffer, q.buffer);
});
