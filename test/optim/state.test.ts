/** state() / loadState(): JSON round trip continues bit for bit; reset(); lazy binding to a parameter count. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizer, type Optimizer, type OptimizerName } from '../../src/optim/optimizer.ts';
import { cosine } from '../../src/optim/schedules.ts';

const CASES: [OptimizerName, object][] = [
  ['sgd', { lr: 0.1 }],
  ['sgd', { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
  ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true }],
  ['adam', { lr: 0.01 }],
  ['adam', { lr: 0.01, amsgrad: true, weightDecay: 0.1 }],
  ['adamw', { lr: cosine({ lr: 0.01, steps: 8, warmupSteps: 2 }) }],
  ['adamax', { clipNorm: 0.5 }],
  ['rmsprop', { lr: 0.01 }],
  ['rmsprop', { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.1 }],
  ['rmsprop', { lr: 0.01, centered: true }],
];

/** A deterministic gradient that depends on the parameters and the step, like a real loss would. */
function gradAt(g: Float64Array, p: Float64Array, k: number): void {
  for (let i = 0; i < p.length; i++) g[i] = Math.sin(1.3 * i + 0.7 * k) * (1 + p[i]) + 0.1 * p[i] * p[i];
}

function advance(opt: Optimizer, p: Float64Array, from: number, to: number): void {
  const g = new Float64Array(p.length);
  for (let k = from; k < to; k++) {
    gradAt(g, p, k);
    opt.step(p, g);
  }
}

const label = (o: object): string => JSON.stringify(o, (_k, v: unknown) => (typeof v === 'function' ? 'schedule' : v));

for (const [name, opts] of CASES) {
  test(`state: ${name} ${label(opts)} saved after 3 steps and loaded into a new optimizer continues identically`, () => {
    const a = optimizer(name, opts);
    const pa = Float64Array.from([0.5, -1, 2, 0.25, -0.75]);
    advance(a, pa, 0, 3);
    const saved = JSON.parse(JSON.stringify(a.state()));
    assert.equal(saved.stepCount, 3);
    assert.equal(saved.paramCount, 5);
    const b = optimizer(name, opts);
    b.loadState(saved);
    assert.equal(b.stepCount, 3);
    assert.equal(b.learningRate(), a.learningRate());
    const pb = Float64Array.from(pa);
    advance(a, pa, 3, 8);
    advance(b, pb, 3, 8);
    assert.deepEqual(pb, pa);
    assert.deepEqual(b.state(), a.state());
  });
}

test('state: buffers are named after the papers and allocated only on the first step', () => {
  const a = optimizer('adam', { amsgrad: true });
  assert.deepEqual(a.state(), { name: 'adam', stepCount: 0, paramCount: null, buffers: {} });
  a.step(new Float64Array(2), new Float64Array([1, 2]));
  assert.deepEqual(Object.keys(a.state().buffers), ['m', 'v', 'vMax']);
  assert.deepEqual(Object.keys(optimizer('adamax').state().buffers), []);
  const x = optimizer('adamax');
  x.step(new Float64Array(1), new Float64Array(1));
  assert.deepEqual(Object.keys(x.state().buffers), ['m', 'u']);
  const s = optimizer('sgd', { momentum: 0.9 });
  s.step(new Float64Array(1), new Float64Array([1]));
  assert.deepEqual(s.state().buffers, { b: [1] });
  const plain = optimizer('sgd');
  plain.step(new Float64Array(3), new Float64Array(3));
  assert.deepEqual(plain.state(), { name: 'sgd', stepCount: 1, paramCount: 3, buffers: {} });
});

test('state: the state is a snapshot, not a view of the moments', () => {
  const a = optimizer('adam');
  const p = new Float64Array([1]);
  a.step(p, new Float64Array([1]));
  const s = a.state();
  a.step(p, new Float64Array([1]));
  assert.equal(s.stepCount, 1);
  assert.notDeepEqual(a.state().buffers.m, s.buffers.m);
});

test('reset: forgets moments and step count, and accepts a new parameter count', () => {
  const a = optimizer('adam', { lr: 0.1 });
  const p = new Float64Array([1, 2]);
  a.step(p, new Float64Array([1, 1]));
  a.reset();
  assert.equal(a.stepCount, 0);
  assert.deepEqual(a.state(), { name: 'adam', stepCount: 0, paramCount: null, buffers: {} });
  const q = new Float64Array([1, 2, 3]);
  a.step(q, new Float64Array([1, -1, 1]));
  assert.deepEqual(Array.from(q, (v) => Math.round(v * 1e6) / 1e6), [0.9, 2.1, 2.9]); // first Adam step again: lr·sign(g)
});

test('loadState: an empty (before-first-step) state makes the optimizer as new', () => {
  const a = optimizer('sgd', { momentum: 0.9 });
  a.step(new Float64Array(4), new Float64Array(4));
  a.loadState(optimizer('sgd', { momentum: 0.9 }).state());
  assert.equal(a.stepCount, 0);
  a.step(new Float64Array(2), new Float64Array(2)); // may bind to another length again
  assert.equal(a.state().paramCount, 2);
});
