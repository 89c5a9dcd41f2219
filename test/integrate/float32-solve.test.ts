/**
 * Float32 solves (a float32 model's field in a float64 solve: src/nn/field32.ts) meet their documented accuracy:
 * against the float64 solve of the same network (its weights rounded to float32, so both solve one ODE), the final
 * state agrees to 1e-4 relative at rtol 1e-4 and to 1e-5 at rtol 1e-6, on the JS and the Wasm kernels; gradients of
 * every method agree with the float64 gradients to 1e-4 relative (finite differences are no oracle in float32);
 * tolerances below FLOAT32_MIN_RTOL are refused with a TideError; training with Adam follows the float64 run.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mlp, Rng, fieldFromModel, solve, valueAndGradient, fit, adam, kernels, FLOAT32_MIN_RTOL, TideError } from '../../src/index.ts';
import { maxDiffOverMax } from '../oracles/finite-diff.ts';

after(() => kernels.setBackend('auto'));

/** The same tanh MLP field in float64 and float32, on weights representable in float32. */
function pair(sizes: number[], batch: number, seed: number) {
  const net64 = mlp(sizes, { activation: 'tanh' }), net32 = mlp(sizes, { activation: 'tanh', dtype: 'float32' });
  const p = new Float64Array(net64.paramCount); net64.init(p, new Rng(seed));
  const params = Float64Array.from(Float32Array.from(p));
  const y0 = new Rng(seed + 1).fillNormal(new Float64Array(batch * sizes[0]));
  return { f64: fieldFromModel(net64, batch), f32: fieldFromModel(net32, batch), params, y0 };
}

const sumSquares = (ys: Readonly<Float64Array>, dYs: Float64Array): number => {
  let L = 0;
  for (let i = 0; i < ys.length; i++) { L += ys[i] * ys[i]; dYs[i] = 2 * ys[i]; }
  return L;
};

describe('float32 fields in float64 solves', () => {
  test('fieldFromModel of a float32 model reports dtype float32; a float64 model none', () => {
    const { f64, f32 } = pair([2, 8, 2], 3, 0);
    assert.equal(f32.dtype, 'float32');
    assert.equal(f64.dtype, undefined);
  });

  for (const backend of ['js', 'wasm'] as const) {
    test(`solutions meet the documented tolerances (${backend} kernels): 1e-4 at rtol 1e-4, 1e-5 at rtol 1e-6`, () => {
      kernels.setBackend(backend);
      for (const [sizes, batch] of [[[2, 50, 2], 16], [[16, 96, 16], 32]] as const) {
        const { f64, f32, params, y0 } = pair([...sizes], batch, 3);
        for (const [rtol, bound] of [[1e-4, 1e-4], [1e-6, 1e-5]]) {
          const o = { t1: 3, params, method: 'dopri5', rtol, atol: rtol * 1e-2, saveAt: { ts: [1, 2, 3] } } as const;
          const a = solve(f64, y0, o), b = solve(f32, y0, o);
          assert.equal(b.status, 'success');
          const err = maxDiffOverMax(b.ys, a.ys);
          assert.ok(err < bound, `${sizes.join('→')} batch ${batch}, rtol ${rtol}: float32 differs from float64 by ${err} (bound ${bound})`);
        }
      }
    });
  }

  test('an rtol below FLOAT32_MIN_RTOL is refused with a BAD_OPTION TideError (scalar and per component); fixed steps run', () => {
    kernels.setBackend('auto');
    const { f32, params, y0 } = pair([2, 8, 2], 4, 5);
    assert.equal(FLOAT32_MIN_RTOL, 1e-6);
    for (const rtol of [1e-7, new Float64Array(8).fill(1e-5).fill(1e-8, 3, 4)]) {
      assert.throws(() => solve(f32, y0, { t1: 1, params, rtol }), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION'
        && /below what the float32 field .* can meet/.test(e.message) && /rtol ≥ 0\.000001|rtol ≥ 1e-6/.test(e.message));
    }
    assert.equal(solve(f32, y0, { t1: 1, params, rtol: FLOAT32_MIN_RTOL }).status, 'success');
    assert.equal(solve(f32, y0, { t1: 1, params, method: 'rk4', stepSize: 0.1, rtol: 1e-9 }).status, 'success');
  });

  test('gradients of every method agree with the float64 gradients to 1e-4 relative', () => {
    for (const backend of ['js', 'wasm'] as const) {
      kernels.setBackend(backend);
      const { f64, f32, params, y0 } = pair([2, 24, 2], 8, 7);
      const methods: Array<[string, string, Record<string, unknown>]> = [
        ['direct', 'dopri5', { rtol: 1e-5, atol: 1e-7 }],
        ['checkpoint', 'dopri5', { rtol: 1e-5, atol: 1e-7 }],
        ['backsolve', 'dopri5', { rtol: 1e-5, atol: 1e-7 }],
        ['interpolated', 'dopri5', { rtol: 1e-5, atol: 1e-7 }],
        ['quadrature', 'dopri5', { rtol: 1e-5, atol: 1e-7 }],
        ['reversible', 'midpoint', { stepSize: 0.02 }],
      ];
      for (const [gradient, method, extra] of methods) {
        const o = { t1: 2, saveAt: { ts: [1, 2] }, params, method, gradient, ...extra };
        const g64 = valueAndGradient(sumSquares, f64, y0, o), g32 = valueAndGradient(sumSquares, f32, y0, o);
        assert.ok(Math.abs(g32.loss - g64.loss) < 1e-5 * g64.loss, `${gradient} (${backend}): loss ${g32.loss} vs ${g64.loss}`);
        assert.ok(maxDiffOverMax(g32.dParams, g64.dParams) < 1e-4, `${gradient} (${backend}): dParams differ by ${maxDiffOverMax(g32.dParams, g64.dParams)}`);
        assert.ok(maxDiffOverMax(g32.dY0, g64.dY0) < 1e-4, `${gradient} (${backend}): dY0 differ by ${maxDiffOverMax(g32.dY0, g64.dY0)}`);
      }
    }
  });

  test('training with Adam: the float32 field follows the float64 run and its loss falls', () => {
    kernels.setBackend('auto');
    const { f64, f32, params, y0 } = pair([2, 16, 2], 8, 9);
    const target = new Rng(10).fillNormal(new Float64Array(y0.length)).map((v) => 0.5 * v);
    const loss = (ys: Readonly<Float64Array>, dYs: Float64Array): number => {
      let L = 0;
      for (let i = 0; i < ys.length; i++) { const r = ys[i] - target[i]; L += r * r; dYs[i] = 2 * r; }
      return L;
    };
    const runs = [f64, f32].map((field) => fit({ field, y0, params: params.slice(), loss, optimizer: adam({ lr: 1e-2 }), steps: 15,
      solve: { t1: 1, saveAt: { ts: [1] }, method: 'dopri5', rtol: 1e-5, atol: 1e-7, gradient: 'direct' } }));
    assert.ok(runs[1].finalLoss < runs[1].losses[0], 'float32 loss falls');
    assert.ok(maxDiffOverMax(runs[1].losses, runs[0].losses) < 1e-4, `float32 losses follow float64: ${maxDiffOverMax(runs[1].losses, runs[0].losses)}`);
  });

  test('y, params and cotangents of a float32 field are Float64Arrays: a Float32Array is a DTYPE TideError', () => {
    const { f32, params, y0 } = pair([2, 8, 2], 2, 11);
    const out = new Float64Array(4);
    assert.throws(() => f32.eval(out, 0, Float32Array.from(y0) as unknown as Float64Array, params), (e: unknown) => e instanceof TideError && e.code === 'DTYPE');
    assert.throws(() => f32.eval(out, 0, y0, Float32Array.from(params) as unknown as Float64Array), (e: unknown) => e instanceof TideError && e.code === 'DTYPE');
  });
});

describe('float32 fields hold their parameters during a solve (VectorField.hold)', () => {
  test('a held field gives the values of an unheld one, and other params arrays in between do not leak', () => {
    const { f32, params, y0 } = pair([2, 16, 2], 4, 11);
    const other = Float64Array.from(params, (v) => Math.fround(0.5 * v));
    const fresh = (p: Float64Array): Float64Array => { const out = new Float64Array(y0.length); f32.eval(out, 0, y0, p); return out; };
    const want = fresh(params), wantOther = fresh(other);
    f32.hold?.(params);
    const got = fresh(params);
    // Another array while held: its own values, and afterwards the held one is still right (it was dropped, not reused).
    const gotOther = fresh(other);
    const gotAgain = fresh(params);
    f32.hold?.(null);
    for (const [g, w, what] of [[got, want, 'held'], [gotOther, wantOther, 'other array while held'], [gotAgain, want, 'held array after another']] as const) {
      assert.ok(g.every((v, i) => Object.is(v, w[i])), `${what}: differs from an unheld evaluation`);
    }
    // Released: an in-place change of params is seen again.
    params[0] += 0.25;
    const changed = fresh(params);
    assert.notEqual(changed[0], want[0], 'after hold(null) the field must reread params');
    params[0] -= 0.25;
  });

  test('solves hold and release: the same result as evaluations that round params every time, and params edited between solves are used', () => {
    const { f32, params, y0 } = pair([2, 16, 2], 4, 12);
    const o = { t1: 1, params, method: 'dopri5', rtol: 1e-5, atol: 1e-7 } as const;
    let holds = 0, releases = 0;
    const counting = { ...f32, hold(p: Float64Array | null) { if (p === null) releases++; else holds++; f32.hold?.(p); } };
    const plain = { dim: f32.dim, paramCount: f32.paramCount, dtype: 'float32' as const, eval: f32.eval, vjp: f32.vjp };
    const a = solve(counting, y0, o).yFinal, b = solve(plain, y0, o).yFinal;
    assert.equal(holds, 1); assert.equal(releases, 1);
    assert.ok(a.every((v, i) => Object.is(v, b[i])), 'held solve differs from the unheld one');
    params[3] += 0.5;
    const c = solve(counting, y0, o).yFinal, d = solve(plain, y0, o).yFinal;
    assert.ok(c.every((v, i) => Object.is(v, d[i])) && c.some((v, i) => v !== a[i]), 'an edit of params between solves was not seen');
    assert.equal(releases, 2);
    // A field that throws mid-solve is still released.
    const throwing = { ...counting, eval(out: Float64Array, t: number, y: Float64Array, p: Float64Array) { if (t > 0.5) throw new Error('boom'); f32.eval(out, t, y, p); } };
    assert.throws(() => solve(throwing, y0, o), /boom/);
    assert.equal(releases, 3);
  });

  test('gradients hold the params for the forward and the backward pass: the same gradients as an unheld field', () => {
    const { f32, params, y0 } = pair([2, 16, 2], 4, 13);
    let holds = 0, releases = 0;
    const counting = { ...f32, hold(p: Float64Array | null) { if (p === null) releases++; else holds++; f32.hold?.(p); } };
    const plain = { dim: f32.dim, paramCount: f32.paramCount, dtype: 'float32' as const, eval: f32.eval, vjp: f32.vjp, tape: f32.tape };
    for (const gradient of ['direct', 'backsolve'] as const) {
      holds = 0; releases = 0;
      const o = { t1: 1, params, method: 'dopri5', rtol: 1e-5, atol: 1e-7, gradient } as const;
      const a = valueAndGradient(sumSquares, counting, y0, o), b = valueAndGradient(sumSquares, plain, y0, o);
      assert.ok(holds >= 2 && holds === releases, `${gradient}: ${holds} holds, ${releases} releases`);
      assert.ok(a.dParams.every((v, i) => Object.is(v, b.dParams[i])), `${gradient}: held gradients differ`);
      assert.ok(a.dY0.every((v, i) => Object.is(v, b.dY0[i])), `${gradient}: held dY0 differs`);
    }
  });
});
