/** Helpers shared by the optimizer tests. */
import assert from 'node:assert/strict';
import { TideError, type TideErrorCode } from '../../src/core/errors.ts';

/** Asserts |a − b| ≤ rel·max(|a|, |b|) + abs for numbers or equal-length arrays. */
export function assertClose(
  actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, rel = 1e-12, abs = 1e-15, label = '',
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${label} length`);
  for (let i = 0; i < a.length; i++) {
    const tol = rel * Math.max(Math.abs(a[i]), Math.abs(e[i])) + abs;
    assert.ok(Math.abs(a[i] - e[i]) <= tol, `${label}[${i}]: got ${a[i]}, expected ${e[i]} (tol ${tol})`);
  }
}

/** Asserts fn throws a TideError with this code whose message contains every phrase. Returns the error. */
export function assertTideError(fn: () => unknown, code: TideErrorCode, ...phrases: string[]): TideError {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  assert.ok(caught instanceof TideError, `expected a TideError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const p of phrases) assert.ok(caught.message.includes(p), `message lacks '${p}': ${caught.message}`);
  return caught;
}

export const l2 = (x: ArrayLike<number>): number => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
