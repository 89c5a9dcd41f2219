import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ops, vjp, valueAndGrad, NDArray, Rng, trace, TideError } from '../../../src/index.ts';
import type { Var } from '../../../src/index.ts';
import { centralDiff, maxRelErr, randomArray } from '../../oracles/finite-diff.ts';

/** Checks the pullback of fn (inputs with shapes) against central differences of L = Σ w·fn(x). */
function gradCheck(name: string, fn: (...xs: Var[]) => Var, shapes: number[][], seed = 1, opts: { positive?: boolean; tol?: number } = {}): void {
  const rng = new Rng(seed);
  const xs = shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const a = randomArray(n, rng);
    if (opts.positive) for (let i = 0; i < n; i++) a[i] = Math.abs(a[i]) + 0.5;
    return new NDArray(a, s);
  });
  const r = vjp(fn, ...xs);
  const w = randomArray(r.value.size, rng);
  const grads = r.pullback(w);
  xs.forEach((x, k) => {
    const fd = centralDiff((xk) => {
      const args = xs.map((y, j) => (j === k ? new NDArray(xk, y.shape) : y));
      const v = vjp(fn, ...args).value.data;
      let s = 0;
      for (let i = 0; i < v.length; i++) s += w[i] * v[i];
      return s;
    }, x.data as Float64Array);
    const err = maxRelErr(grads[k], fd);
    assert.ok(err < (opts.tol ?? 1e-6), `${name}: input ${k} rel err ${err.toExponential(2)} (seed ${seed})`);
  });
}

describe('autodiff ops vs central differences', () => {
  test('add/sub/mul/div, same shape', () => {
    gradCheck('add', (a, b) => ops.add(a, b), [[3, 4], [3, 4]]);
    gradCheck('sub', (a, b) => ops.sub(a, b), [[3, 4], [3, 4]]);
    gradCheck('mul', (a, b) => ops.mul(a, b), [[3, 4], [3, 4]]);
    gradCheck('div', (a, b) => ops.div(a, b), [[3, 4], [3, 4]], 1, { positive: true });
  });
  test('broadcasting: scalar, row, column, both orders', () => {
    for (const [sa, sb] of [[[3, 4], []], [[], [3, 4]], [[3, 4], [4]], [[4], [3, 4]], [[3, 4], [1, 4]], [[3, 4], [3, 1]], [[3, 1], [3, 4]]]) {
      gradCheck(`add ${sa}|${sb}`, (a, b) => ops.add(a, b), [sa, sb]);
      gradCheck(`sub ${sa}|${sb}`, (a, b) => ops.sub(a, b), [sa, sb]);
      gradCheck(`mul ${sa}|${sb}`, (a, b) => ops.mul(a, b), [sa, sb]);
      gradCheck(`div ${sa}|${sb}`, (a, b) => ops.div(a, b), [sa, sb], 2, { positive: true });
    }
  });
  test('numbers as operands', () => {
    gradCheck('x*2+1', (a) => ops.add(ops.mul(a, 2), 1), [[5]]);
    gradCheck('1/x', (a) => ops.div(1, a), [[5]], 3, { positive: true });
  });
  test('unary ops', () => {
    const u: Array<[string, (x: Var) => Var, boolean]> = [
      ['neg', ops.neg, false], ['exp', ops.exp, false], ['log', ops.log, true], ['sin', ops.sin, false], ['cos', ops.cos, false],
      ['sqrt', ops.sqrt, true], ['square', ops.square, false], ['cube', ops.cube, false], ['abs', ops.abs, false],
      ['reciprocal', ops.reciprocal, true], ['pow 2.5', (x) => ops.pow(x, 2.5), true], ['scale', (x) => ops.scale(x, -3), false],
      ['shift', (x) => ops.shift(x, 2), false],
    ];
    for (const [name, f, pos] of u) gradCheck(name, f, [[4, 3]], 5, { positive: pos });
  });
  test('every activation', () => {
    for (const a of ['identity', 'tanh', 'sigmoid', 'softplus', 'relu', 'gelu', 'gelu-tanh', 'swish']) {
      gradCheck(a, (x) => ops.activation(a, x), [[6, 5]], 7);
    }
  });
  test('matmul in all four transpose cases', () => {
    gradCheck('NN', (a, b) => ops.matmul(a, b), [[3, 4], [4, 5]]);
    gradCheck('NT', (a, b) => ops.matmul(a, b, false, true), [[3, 4], [5, 4]]);
    gradCheck('TN', (a, b) => ops.matmul(a, b, true, false), [[4, 3], [4, 5]]);
    gradCheck('TT', (a, b) => ops.matmul(a, b, true, true), [[4, 3], [5, 4]]);
    gradCheck('NT k=2', (a, b) => ops.matmul(a, b, false, true), [[6, 2], [7, 2]]);
    gradCheck('NT k=1', (a, b) => ops.matmul(a, b, false, true), [[6, 1], [7, 1]]);
  });
  test('reductions', () => {
    gradCheck('sum', (a) => ops.sum(a), [[3, 4]]);
    gradCheck('mean', (a) => ops.mean(a), [[3, 4]]);
    gradCheck('sumAxis 0', (a) => ops.sumAxis(a, 0), [[3, 4]]);
    gradCheck('sumAxis 1', (a) => ops.sumAxis(a, 1), [[3, 4]]);
  });
  test('shape ops: reshape, slice, at, cols, concat', () => {
    gradCheck('reshape', (a) => ops.mul(ops.reshape(a, [4, 3]), ops.reshape(a, [4, 3])), [[3, 4]]);
    gradCheck('slice', (a) => ops.mul(ops.slice(a, 2, [2, 3]), ops.slice(a, 5, [2, 3])), [[12]]);
    gradCheck('at', (a) => ops.mul(ops.at(a, 3), a), [[6]]);
    gradCheck('cols', (a) => ops.mul(ops.cols(a, 1, 2), ops.cols(a, 0, 2)), [[4, 3]]);
    gradCheck('concat', (a, b) => ops.concat([ops.square(a), b, a]), [[4, 2], [4, 3]]);
    gradCheck('concat scalars', (a) => ops.concat([ops.at(a, 0), ops.at(a, 2)]), [[3]]);
  });
  test('a Var used many times accumulates', () => {
    gradCheck('reuse', (a) => ops.add(ops.mul(a, ops.tanh(a)), ops.mul(ops.exp(a), a)), [[2, 3]]);
  });
  test('constants are not differentiated', () => {
    const c = new Float64Array([1, 2, 3]);
    const { grads } = valueAndGrad((x) => ops.sum(ops.mul(x, ops.constant(c))), new Float64Array([4, 5, 6]));
    assert.deepEqual(Array.from(grads[0]), [1, 2, 3]);
  });
});

describe('graph reuse', () => {
  test('a traced graph gives the same results on rebinding as fresh vjp calls', () => {
    const rng = new Rng(3);
    const f = ({ x, w }: Record<'x' | 'w', Var>): Var => ops.sum(ops.tanh(ops.matmul(x, w)));
    const g = trace({ x: [4, 3], w: [3, 2] }, f);
    for (let k = 0; k < 3; k++) {
      const x = randomArray(12, rng), w = randomArray(6, rng);
      g.bind('x', x).bind('w', w);
      const v = g.run()[0];
      g.backward(1);
      const ref = valueAndGrad((a, b) => ops.sum(ops.tanh(ops.matmul(a, b))), new NDArray(x, [4, 3]), new NDArray(w, [3, 2]));
      assert.equal(v, ref.value);
      assert.deepEqual(Array.from(g.grad('x')), Array.from(ref.grads[0]));
      assert.deepEqual(Array.from(g.grad('w')), Array.from(ref.grads[1]));
    }
  });
  test('wrt limits which inputs get gradients', () => {
    const g = trace({ x: [3], y: [3] }, ({ x, y }) => ops.sum(ops.mul(x, y)), { wrt: ['x'] });
    g.bind('x', new Float64Array([1, 2, 3])).bind('y', new Float64Array([4, 5, 6])).run();
    g.backward(1);
    assert.deepEqual(Array.from(g.grad('x')), [4, 5, 6]);
    assert.throws(() => g.grad('y'), /not differentiated/);
  });
  test('bindGrad accumulates into an external buffer', () => {
    const g = trace({ x: [2] }, ({ x }) => ops.sum(ops.square(x)));
    const buf = new Float64Array([10, 10]);
    g.bind('x', new Float64Array([1, 2])).run();
    g.bindGrad('x', buf);
    g.backward(1);
    assert.deepEqual(Array.from(buf), [12, 14]);
  });
});

describe('property tests on random shapes', () => {
  test('matmul pullback matches finite differences', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
      fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }), (m, n, k, ta, tb, seed) => {
        gradCheck(`matmul ${m}x${k}x${n} ${ta}${tb}`, (a, b) => ops.matmul(a, b, ta, tb), [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n]], seed);
      }), { numRuns: 40, seed: 42 });
  });
  test('broadcast mul pullback matches finite differences', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom('same', 'row', 'col', 'scalar'),
      fc.integer({ min: 0, max: 1000 }), (m, n, kind, seed) => {
        const sb = kind === 'same' ? [m, n] : kind === 'row' ? [n] : kind === 'col' ? [m, 1] : [];
        gradCheck(`mul [${m},${n}] ${kind}`, (a, b) => ops.mul(ops.tanh(a), b), [[m, n], sb], seed);
      }), { numRuns: 40, seed: 7 });
  });
});

describe('bad input', () => {
  test('shape mismatch in add names both shapes', () => {
    assert.throws(() => vjp((a, b) => ops.add(a, b), new NDArray(new Float64Array(6), [2, 3]), new NDArray(new Float64Array(4), [2, 2])),
      (e: unknown) => e instanceof TideError && e.code === 'SHAPE' && /cannot broadcast \[2, 3\] with \[2, 2\]/.test(e.message));
  });
  test('matmul inner dimension mismatch', () => {
    assert.throws(() => vjp((a, b) => ops.matmul(a, b), new NDArray(new Float64Array(6), [2, 3]), new NDArray(new Float64Array(4), [2, 2])),
      /inner dimensions differ/);
  });
  test('unknown activation suggests the closest name', () => {
    assert.throws(() => vjp((a) => ops.activation('tahn', a), new Float64Array(2)), /unknown activation 'tahn'.*Did you mean 'tanh'/);
  });
  test('ops outside a trace', () => {
    assert.throws(() => ops.sum(undefined as unknown as Var), /can only be called inside trace/);
  });
  test('binding the wrong dtype or length', () => {
    const g = trace({ x: [3] }, ({ x }) => ops.sum(x));
    assert.throws(() => g.bind('x', new Float32Array(3)), (e: unknown) => e instanceof TideError && e.code === 'DTYPE' && /Float64Array/.test(e.message));
    assert.throws(() => g.bind('x', new Float64Array(4)), /traced for shape \[3\]/);
    assert.throws(() => g.bind('y', new Float64Array(3)), /no input called 'y'/);
  });
  test('slice out of range', () => {
    assert.throws(() => vjp((a) => ops.slice(a, 2, [3]), new Float64Array(4)), /outside a Var of 4 elements/);
  });
});

describe('float32 graphs', () => {
  test('run in float32 with float32 buffers', () => {
    const x = new Float32Array([0.5, -1, 2]);
    const r = valueAndGrad((a) => ops.sum(ops.tanh(a)), x);
    assert.ok(r.grads[0] instanceof Float32Array);
    assert.ok(Math.abs(r.grads[0][0] - (1 - Math.tanh(0.5) ** 2)) < 1e-6);
  });
});
