/** Asserts that fn throws a TideError with the given code whose message matches phrase. */
import assert from 'node:assert/strict';
import { TideError } from '../../src/core/errors.ts';
import type { TideErrorCode } from '../../src/core/errors.ts';

export function throwsTide(fn: () => unknown, code: TideErrorCode, phrase: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TideError, `expected a TideError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, phrase);
    return true;
  });
}
