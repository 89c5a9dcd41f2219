/**
 * Bad input and failed solves: one case per message, matched on its key phrase and code (each says what was wrong, what was expected and how to fix it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { TideError, type TideErrorCode } from '../../src/core/errors.ts';
import { fieldFromFunction } from '../../src/core/field.ts';
import type { SolveOptions } from '../../src/integrate/options.ts';

const rot = fieldFromFunction((o, _t, y) => { o[0] = -y[1]; o[1] = y[0]; }, 2, 0, 'rotation');
const withParams = fieldFromFunction((o, _t, y, p) => { o[0] = p[0] * y[0]; }, 1, 1, 'scaled');
const y0 = Float64Array.of(1, 0);

function throwsTide(fn: () => unknown, code: TideErrorCode, phrase: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TideError, `expected a TideError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, phrase);
    return true;
  });
}
const opts = (o: Partial<SolveOptions>): SolveOptions => ({ t0: 0, t1: 1, ...o });

test('NaN/Inf in y0', () => {
  throwsTide(() => solve(rot, Float64Array.of(1, NaN), opts({})), 'NONFINITE', /solve \(tsit5\): y0\[1\] is NaN; y0 must be finite/);
  throwsTide(() => solve(rot, Float64Array.of(Infinity, 0), opts({})), 'NONFINITE', /y0\[0\] is Infinity/);
});

test('NaN in params', () => {
  throwsTide(() => solve(withParams, Float64Array.of(1), opts({ params: Float64Array.of(NaN) })), 'NONFINITE', /params\[0\] is NaN; params must be finite/);
});

test('NaN in f\'s output at t0', () => {
  const bad = fieldFromFunction((o) => { o[0] = 0; o[1] = NaN; }, 2);
  throwsTide(() => solve(bad, y0, opts({})), 'NONFINITE', /f returned NaN in y\[1\] at t0 = 0; y0 and params are finite, so f made it here/);
});

test('NaN in f\'s output during a fixed-step solve: names step, t, h, stage and component (with shape)', () => {
  const bad = fieldFromFunction((o, t, y) => { o[0] = -y[0]; o[1] = t > 1 ? NaN : y[0]; }, 2);
  throwsTide(() => solve(bad, Float64Array.of(1, 1), opts({ t1: 2, method: 'rk4', stepSize: 0.3, shape: [1, 2] })), 'NONFINITE',
    /non-finite value at step 4 \(t = 0\.9, h = 0\.3\): f returned NaN at stage 2 of 4 in y\[1\] \(row 0, component 1\)/);
});

test('overflow of the state in a fixed-step solve', () => {
  const blowup = fieldFromFunction((o, _t, y) => { o[0] = y[0] * y[0]; }, 1);
  throwsTide(() => solve(blowup, Float64Array.of(1), opts({ t1: 4, method: 'euler', stepSize: 0.25 })), 'NONFINITE', /non-finite value at step \d+ .*f returned Infinity|the new state has Infinity/);
});

test('NaN in f during an adaptive solve: rejected until underflow, then reported with t and the stage', () => {
  const bad = fieldFromFunction((o, t, y) => { o[0] = -y[0]; o[1] = t > 1 ? Math.log(-1) : y[0]; }, 2);
  throwsTide(() => solve(bad, Float64Array.of(1, 1), opts({ t1: 2 })), 'STEP_UNDERFLOW',
    /step size underflow at t = 1 of \[0, 2\].*The last attempt gave non-finite values: f returned NaN at stage \d of 7 in y\[1\]/);
});

test('step-size underflow at a singularity reports the t reached', () => {
  const blowup = fieldFromFunction((o, _t, y) => { o[0] = y[0] * y[0]; }, 1);
  throwsTide(() => solve(blowup, Float64Array.of(1), opts({ t1: 2 })), 'STEP_UNDERFLOW', /step size underflow at t = 0\.9999\d+ of \[0, 2\]: h = .* is at the floor/);
});

test('minStep: a rejection at minStep is an underflow', () => {
  const blowup = fieldFromFunction((o, _t, y) => { o[0] = y[0] * y[0]; }, 1);
  throwsTide(() => solve(blowup, Float64Array.of(1), opts({ t1: 2, minStep: 1e-3 })), 'STEP_UNDERFLOW', /h = 0\.001 is at the floor 0\.001 \(max\(minStep/);
});

test('max steps exceeded: says how many and where', () => {
  const stiff = fieldFromFunction((o, _t, y) => { o[0] = -1e6 * y[0]; }, 1);
  throwsTide(() => solve(stiff, Float64Array.of(1), opts({ maxSteps: 1000 })), 'MAX_STEPS',
    /reached maxSteps = 1000 at t = 0\.00\d+ of \[0, 1\] \(1000 accepted, 0 rejected\)\. Raise maxSteps, loosen rtol\/atol, or check stiffness/);
});

test('throwOnFailure: false returns the status, the stats, the error and the saves so far', () => {
  const stiff = fieldFromFunction((o, _t, y) => { o[0] = -1e6 * y[0]; }, 1);
  const sol = solve(stiff, Float64Array.of(1), opts({ maxSteps: 50, throwOnFailure: false }));
  assert.equal(sol.status, 'max-steps');
  assert.equal(sol.ok, false);
  assert.equal(sol.error?.code, 'MAX_STEPS');
  assert.equal(sol.stats.nSteps, 50);
  assert.equal(sol.ts[sol.count - 1], sol.tFinal);
  assert.ok(sol.tFinal > 0 && sol.tFinal < 1);
  const blowup = fieldFromFunction((o, _t, y) => { o[0] = y[0] * y[0]; }, 1);
  assert.equal(solve(blowup, Float64Array.of(1), opts({ t1: 2, throwOnFailure: false })).status, 'step-underflow');
  const nan0 = fieldFromFunction((o) => { o[0] = NaN; }, 1);
  assert.equal(solve(nan0, Float64Array.of(1), opts({ throwOnFailure: false })).status, 'nonfinite');
});

test('non-monotone save times', () => {
  throwsTide(() => solve(rot, y0, opts({ saveAt: { ts: [0.1, 0.7, 0.5] } })), 'BAD_OPTION',
    /non-monotone save times: saveAt\.ts\[2\] = 0\.5 follows ts\[1\] = 0\.7; save times must be strictly increasing/);
  throwsTide(() => solve(rot, y0, opts({ saveAt: { ts: [0.5, 0.5] } })), 'BAD_OPTION', /non-monotone save times/);
});

test('save times outside the interval, NaN save times, bad saveAt', () => {
  throwsTide(() => solve(rot, y0, opts({ saveAt: { ts: [0.5, 2] } })), 'BAD_OPTION', /saveAt\.ts\[1\] = 2 is outside the solved interval \[0, 1\]/);
  throwsTide(() => solve(rot, y0, opts({ saveAt: { ts: [NaN] } })), 'BAD_OPTION', /saveAt\.ts\[0\] is NaN; save times must be numbers/);
  throwsTide(() => solve(rot, y0, opts({ saveAt: { every: true } as never })), 'BAD_OPTION', /saveAt: unknown option 'every'/);
  throwsTide(() => solve(rot, y0, opts({ saveAt: { dense: 1 } as never })), 'BAD_OPTION', /saveAt\.dense must be true or false/);
});

test('non-positive tolerances', () => {
  throwsTide(() => solve(rot, y0, opts({ rtol: 0 })), 'BAD_OPTION', /rtol must be a finite number > 0 \(non-positive tolerances cannot be met\), got 0/);
  throwsTide(() => solve(rot, y0, opts({ atol: -1e-6 })), 'BAD_OPTION', /atol must be a finite number > 0/);
  throwsTide(() => solve(rot, y0, opts({ atol: Float64Array.of(1e-6, 0) })), 'BAD_OPTION', /atol\[1\] = 0; every tolerance must be a finite number > 0/);
  throwsTide(() => solve(rot, y0, opts({ rtol: NaN })), 'BAD_OPTION', /rtol must be a finite number > 0/);
});

test('mismatched shapes: y0 vs field, params vs field, per-component tolerances, shape', () => {
  throwsTide(() => solve(rot, Float64Array.of(1, 0, 0), opts({})), 'SHAPE', /y0 has length 3 but the field 'rotation' has dim 2/);
  throwsTide(() => solve(withParams, Float64Array.of(1), opts({ params: Float64Array.of(1, 2) })), 'SHAPE', /params has length 2; the field 'scaled' expects 1/);
  throwsTide(() => solve(withParams, Float64Array.of(1), opts({})), 'SHAPE', /params has length 0; the field 'scaled' expects 1/);
  throwsTide(() => solve(rot, y0, opts({ rtol: Float64Array.of(1e-3) })), 'SHAPE', /rtol has length 1; a per-component tolerance needs one entry per state component \(2\)/);
  throwsTide(() => solve(rot, y0, opts({ shape: [3, 2] })), 'SHAPE', /shape \[3, 2\] has 6 elements but y0 has 2/);
  throwsTide(() => solve(rot, new Float64Array(0), opts({})), 'SHAPE', /y0 is empty/);
});

test('wrong types: plain-array y0, non-function field', () => {
  throwsTide(() => solve(rot, [1, 0] as never, opts({})), 'DTYPE', /y0 must be a Float64Array, got a plain array of length 2\. Use Float64Array\.from\(y0\)/);
  throwsTide(() => solve(42 as never, y0, opts({})), 'BAD_ARGUMENT', /the first argument must be a Term, a VectorField or a function/);
});

test('unknown options and methods get a suggestion', () => {
  throwsTide(() => solve(rot, y0, { t0: 0, t1: 1, rtoll: 1e-6 } as never), 'BAD_OPTION', /solve: unknown option 'rtoll'\. Valid: .*Did you mean 'rtol'\?/);
  throwsTide(() => solve(rot, y0, opts({ method: 'dopri' })), 'UNKNOWN_NAME', /solve: unknown method 'dopri'\. .*Did you mean 'dopri5'\?/);
  throwsTide(() => solve(rot, y0, opts({ controller: 'pid' as never })), 'BAD_OPTION', /controller must be 'pi', 'i', 'scipy' or an object/);
});

test('stepping mode: fixed-step methods need stepSize, and cannot step adaptively', () => {
  throwsTide(() => solve(rot, y0, opts({ method: 'rk4' })), 'BAD_OPTION', /fixed-step solves need stepSize \(e\.g\. stepSize: 0\.01\)/);
  throwsTide(() => solve(rot, y0, opts({ method: 'rk4', adaptive: true, stepSize: 0.1 })), 'BAD_OPTION', /'rk4' has no error estimate, so it cannot step adaptively/);
  throwsTide(() => solve(rot, y0, opts({ adaptive: false })), 'BAD_OPTION', /fixed-step solves need stepSize/);
  throwsTide(() => solve(rot, y0, opts({ stepSize: 0 })), 'BAD_OPTION', /stepSize must be a finite non-zero number/);
  throwsTide(() => solve(rot, y0, opts({ method: 'tsit5', dp5ErrorWeights: 'shampine' })), 'BAD_OPTION', /dp5ErrorWeights applies to method 'dopri5' only/);
});

test('time span and limits', () => {
  throwsTide(() => solve(rot, y0, { t0: 0, t1: NaN }), 'BAD_OPTION', /t1 must be a finite number, got number NaN/);
  throwsTide(() => solve(rot, y0, { t0: 'zero', t1: 1 } as never), 'BAD_OPTION', /t0 must be a finite number, got string zero/);
  throwsTide(() => solve(rot, y0, {} as never), 'BAD_OPTION', /t1 must be a finite number, got undefined/);
  throwsTide(() => solve(rot, y0, opts({ maxSteps: 0 })), 'BAD_OPTION', /maxSteps must be a positive integer/);
  throwsTide(() => solve(rot, y0, opts({ minStep: 1, maxStep: 0.1 })), 'BAD_OPTION', /minStep = 1 exceeds maxStep = 0\.1/);
  throwsTide(() => solve(rot, y0, opts({ tstops: [0.5, NaN] })), 'BAD_OPTION', /tstops\[1\] is number NaN; stop times must be finite numbers/);
  throwsTide(() => solve(rot, y0, undefined as never), 'BAD_ARGUMENT', /options must be an object with at least t1/);
});

test('events and callbacks must be well formed', () => {
  throwsTide(() => solve(rot, y0, opts({ events: { when: () => 0 } as never })), 'BAD_OPTION', /events\[0\] must be \{ condition: \(t, y\) => number/);
  throwsTide(() => solve(rot, y0, opts({ events: { condition: () => 1, direction: 'up' as never } })), 'BAD_OPTION', /direction must be 'rising', 'falling' or 'either'/);
  throwsTide(() => solve(rot, y0, opts({ onStep: 3 as never })), 'BAD_OPTION', /onStep must be a function/);
  throwsTide(() => solve(rot, y0, opts({ steadyState: { threshold: -1 } })), 'BAD_OPTION', /steadyState\.threshold must be a finite number > 0/);
});
