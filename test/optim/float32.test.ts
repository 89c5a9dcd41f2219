/**
 * Optimizers on Float32Array parameters (a float32 model trained directly): each update equals the float64 update
 * of the same values rounded once to float32 (the update runs in float64 with float64 moments), and a float32 MLP
 * trained with Adam follows the float64 training of the same network.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { adam, adamw, sgd, rmsprop, adamax, mlp, Rng, TideError } from '../../src/index.ts';

describe('optimizers on Float32Array params', () => {
  test('every optimizer: a float32 step is the float64 step rounded to float32, moments kept in float64', () => {
    const rng = new Rng(1), n = 37;
    for (const make of [() => adam({ lr: 1e-2 }), () => adamw({ lr: 1e-2 }), () => sgd({ lr: 0.1, momentum: 0.9 }), () => rmsprop({ lr: 1e-2 }), () => adamax({ lr: 1e-2 })]) {
      const o32 = make(), o64 = make();
      const p32 = Float32Array.from(rng.fillNormal(new Float64Array(n))), p64 = Float64Array.from(p32);
      for (let step = 0; step < 5; step++) {
        const g = Float32Array.from(rng.fillNormal(new Float64Array(n)));
        // The float64 twin starts each step from the float32 values (what the float32 run holds).
        p64.set(p32);
        o32.step(p32, g); o64.step(p64, Float64Array.from(g));
        assert.deepEqual(p32, Float32Array.from(p64), `${o32.name} step ${step}`);
      }
      assert.deepEqual(o32.state().buffers, o64.state().buffers, `${o32.name}: moments are the float64 ones`);
    }
  });

  test('a float32 mlp trained with Adam follows the float64 training (loss to 1e-3 relative) and the loss falls', () => {
    const sizes = [3, 16, 2], batch = 32;
    const rng = new Rng(2);
    const x = rng.fillNormal(new Float64Array(batch * 3)), target = rng.fillNormal(new Float64Array(batch * 2));
    const m64 = mlp(sizes, { activation: 'tanh' }), m32 = mlp(sizes, { activation: 'tanh', dtype: 'float32' });
    const p64 = new Float64Array(m64.paramCount); m64.init(p64, new Rng(3));
    const p32 = Float32Array.from(p64); p64.set(p32);
    const run = <A extends Float64Array | Float32Array>(m: typeof m64, p: A, make: (n: number) => A): number[] => {
      const ws = m.workspace(batch), xx = make(x.length), y = make(batch * 2), dY = make(batch * 2), dP = make(p.length);
      xx.set(x);
      const opt = adam({ lr: 1e-2 }), losses: number[] = [];
      for (let step = 0; step < 40; step++) {
        m.apply(y, p, xx, ws);
        let L = 0;
        for (let i = 0; i < y.length; i++) { const r = y[i] - target[i]; L += r * r / y.length; dY[i] = 2 * r / y.length; }
        losses.push(L);
        dP.fill(0); m.vjp(dP, null, dY, p, xx, ws); opt.step(p, dP);
      }
      return losses;
    };
    const l64 = run(m64, p64, (n) => new Float64Array(n)), l32 = run(m32, p32, (n) => new Float32Array(n));
    assert.ok(l32[39] < 0.8 * l32[0], `loss falls: ${l32[0]} → ${l32[39]}`);
    for (let i = 0; i < 40; i++) assert.ok(Math.abs(l32[i] - l64[i]) <= 1e-3 * l64[i], `step ${i}: ${l32[i]} vs ${l64[i]}`);
  });

  test('mixed dtypes are a DTYPE TideError that says both must match', () => {
    assert.throws(() => adam().step(new Float64Array(2), new Float32Array(2)), (e: unknown) => e instanceof TideError && e.code === 'DTYPE' && /both Float32Arrays/.test(e.message));
  });
});
