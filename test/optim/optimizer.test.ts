/** The factory, the shared interface, and the public re-exports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as optim from '../../src/optim/index.ts';
import { optimizer, optimizerNames } from '../../src/optim/optimizer.ts';

test('optimizer: every name makes an optimizer of that name with a fresh state', () => {
  for (const name of optimizerNames) {
    const opt = optimizer(name);
    assert.equal(opt.name, name);
    assert.equal(opt.stepCount, 0);
    assert.deepEqual(opt.state(), { name, stepCount: 0, paramCount: null, buffers: {} });
  }
});

test('optimizer: defaults follow PyTorch (lr 1e-3 for sgd, adam, adamw; 2e-3 for adamax; 1e-2 for rmsprop)', () => {
  assert.deepEqual(optimizerNames.map((n) => optimizer(n).learningRate()), [1e-3, 1e-3, 1e-3, 2e-3, 1e-2]);
});

test('optimizer: the factory and the named constructors give the same updates', () => {
  const pairs = [
    [optimizer('adamw', { lr: 0.1, weightDecay: 0.3 }), optim.adamw({ lr: 0.1, weightDecay: 0.3 })],
    [optimizer('sgd', { lr: 0.1, momentum: 0.5 }), optim.sgd({ lr: 0.1, momentum: 0.5 })],
  ] as const;
  for (const [a, b] of pairs) {
    const pa = new Float64Array([1, -1]), pb = new Float64Array([1, -1]);
    for (let k = 0; k < 3; k++) {
      a.step(pa, new Float64Array([0.5, k]));
      b.step(pb, new Float64Array([0.5, k]));
    }
    assert.deepEqual(pa, pb);
  }
});

test('index: re-exports the public pieces', () => {
  for (const name of ['optimizer', 'optimizerNames', 'sgd', 'adam', 'adamw', 'adamax', 'rmsprop', 'constant', 'cosine',
    'exponential', 'inverseTime', 'clipGradNorm', 'clipGradValue', 'gradNorm']) {
    assert.ok(name in optim, `missing export ${name}`);
  }
  assert.ok(!('OptimizerBase' in optim) && !('AdamOptimizer' in optim), 'internal classes stay internal');
});

test('step: empty parameter vectors are a valid no-op', () => {
  const opt = optimizer('adam');
  assert.equal(opt.step(new Float64Array(0), new Float64Array(0)), 1e-3);
  assert.equal(opt.stepCount, 1);
});
