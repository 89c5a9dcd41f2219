/** One case per error message of src/optim, matched on its key phrase (each says what was wrong, what was expected and how to fix it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizer, optimizerNames, type OptimizerName } from '../../src/optim/optimizer.ts';
import { sgd } from '../../src/optim/sgd.ts';
import { adam } from '../../src/optim/adam.ts';
import { adamax } from '../../src/optim/adamax.ts';
import { constant, cosine, exponential, inverseTime } from '../../src/optim/schedules.ts';
import { clipGradNorm, clipGradValue } from '../../src/optim/clip.ts';
import { assertTideError } from './util.ts';

// Options deliberately wrong at runtime: cast through never so the compiler lets them reach the checks.
const bad = (o: object): never => o as never;

test('optimizer: unknown name lists the valid ones and suggests the closest', () => {
  const e = assertTideError(() => optimizer('adan' as OptimizerName), 'UNKNOWN_NAME',
    "optimizer: unknown optimizer 'adan'", 'Valid: sgd, adam, adamw, adamax', "Did you mean 'adam'?");
  assert.deepEqual(e.details.valid, [...optimizerNames]);
});

test('options: a typo in a key is an error with a suggestion (lr0, betas1, momentm)', () => {
  assertTideError(() => optimizer('adam', bad({ lr0: 0.1 })), 'BAD_OPTION', "adam: unknown option 'lr0'", "Did you mean 'lr'?");
  assertTideError(() => optimizer('adamw', bad({ betas1: 0.9 })), 'BAD_OPTION', "adamw: unknown option 'betas1'", "Did you mean 'beta1'?");
  assertTideError(() => sgd(bad({ momentm: 0.9 })), 'BAD_OPTION', "sgd: unknown option 'momentm'", "Did you mean 'momentum'?");
  assertTideError(() => adamax(bad({ amsgrad: true })), 'BAD_OPTION', "adamax: unknown option 'amsgrad'");
});

test('options: must be an object', () => {
  assertTideError(() => adam(bad(0.01 as unknown as object)), 'BAD_OPTION', 'adam: options must be an object such as { lr: 0.001 }, got 0.01');
  assertTideError(() => sgd(bad([0.1])), 'BAD_OPTION', 'options must be an object', 'got an array');
});

test('options: lr must be a finite number > 0 or a Schedule', () => {
  for (const name of optimizerNames) {
    for (const lr of [0, -1e-3, NaN, Infinity]) {
      assertTideError(() => optimizer(name, { lr }), 'BAD_OPTION', `${name}: lr must be a finite number > 0 or a Schedule, got ${lr}`);
    }
  }
  assertTideError(() => adam(bad({ lr: '1e-3' })), 'BAD_OPTION', "lr must be a finite number > 0 or a Schedule, got '1e-3'");
});

test('options: clipNorm must be a finite number > 0', () => {
  assertTideError(() => optimizer('adamax', { clipNorm: 0 }), 'BAD_OPTION', 'adamax: clipNorm must be a finite number > 0, got 0');
});

test('options: betas must lie in [0, 1)', () => {
  assertTideError(() => adam({ beta1: 1 }), 'BAD_OPTION', 'adam: beta1 must be a number in [0, 1), got 1', 'The default is 0.9');
  assertTideError(() => optimizer('adamax', { beta2: -0.1 }), 'BAD_OPTION', 'adamax: beta2 must be a number in [0, 1), got -0.1');
});

test('options: eps must be a finite number > 0', () => {
  assertTideError(() => adam({ eps: 0 }), 'BAD_OPTION', 'adam: eps must be a finite number > 0, got 0');
});

test('options: weightDecay must be a finite number ≥ 0', () => {
  assertTideError(() => optimizer('adamw', { weightDecay: -0.01 }), 'BAD_OPTION', 'adamw: weightDecay must be a finite number ≥ 0, got -0.01');
});

test('options: booleans must be true or false', () => {
  assertTideError(() => adam(bad({ amsgrad: 'yes' })), 'BAD_OPTION', "adam: amsgrad must be true or false, got 'yes'");
});

test('options: sgd momentum in [0, 1) and dampening in [0, 1]', () => {
  assertTideError(() => sgd({ momentum: 1 }), 'BAD_OPTION', 'sgd: momentum must be a number in [0, 1), got 1');
  assertTideError(() => sgd({ momentum: 0.9, dampening: 2 }), 'BAD_OPTION', 'sgd: dampening must be a number in [0, 1], got 2');
});

test('options: nesterov needs momentum > 0 and dampening 0', () => {
  assertTideError(() => sgd({ nesterov: true }), 'BAD_OPTION',
    'sgd: nesterov must be used with momentum > 0 and dampening = 0', 'Got momentum 0 and dampening 0');
  assertTideError(() => sgd({ nesterov: true, momentum: 0.9, dampening: 0.1 }), 'BAD_OPTION', 'nesterov must be used with');
});

test('schedules: lr must be a finite number > 0', () => {
  assertTideError(() => constant(0), 'BAD_OPTION', 'constant: lr must be a finite number > 0, got 0');
  assertTideError(() => cosine({ lr: NaN, steps: 10 }), 'BAD_OPTION', 'cosine: lr must be a finite number > 0, got NaN');
  assertTideError(() => exponential({ lr: -1, decayRate: 0.5 }), 'BAD_OPTION', 'exponential: lr must be a finite number > 0');
  assertTideError(() => inverseTime(bad({ decayRate: 0.5 })), 'BAD_OPTION', 'inverseTime: lr must be a finite number > 0, got undefined');
});

test('schedules: cosine steps must be an integer ≥ 1', () => {
  assertTideError(() => cosine({ lr: 1, steps: 0 }), 'BAD_OPTION', 'cosine: steps must be an integer ≥ 1', 'got 0');
  assertTideError(() => cosine({ lr: 1, steps: 2.5 }), 'BAD_OPTION', 'steps must be an integer ≥ 1, got 2.5');
});

test('schedules: cosine minLr must be in [0, lr]', () => {
  assertTideError(() => cosine({ lr: 1e-3, steps: 10, minLr: 1e-2 }), 'BAD_OPTION', 'cosine: minLr must be a finite number in [0, lr] = [0, 0.001], got 0.01');
});

test('schedules: cosine warmupSteps must be in [0, steps)', () => {
  assertTideError(() => cosine({ lr: 1, steps: 10, warmupSteps: 10 }), 'BAD_OPTION',
    'cosine: warmupSteps must be an integer in [0, steps) = [0, 10), got 10', 'warmup included');
});

test('schedules: exponential decayRate must be in (0, 1]', () => {
  for (const decayRate of [0, 1.5, -0.5, NaN]) {
    assertTideError(() => exponential({ lr: 1, decayRate }), 'BAD_OPTION', `exponential: decayRate must be a number in (0, 1], got ${decayRate}`);
  }
});

test('schedules: inverseTime decayRate must be a finite number ≥ 0', () => {
  assertTideError(() => inverseTime({ lr: 1, decayRate: -1 }), 'BAD_OPTION', 'inverseTime: decayRate must be a finite number ≥ 0, got -1');
});

test('schedules: decaySteps must be a finite number > 0; staircase a boolean', () => {
  assertTideError(() => exponential({ lr: 1, decayRate: 0.5, decaySteps: 0 }), 'BAD_OPTION', 'exponential: decaySteps must be a finite number > 0, got 0');
  assertTideError(() => inverseTime(bad({ lr: 1, decayRate: 0.5, staircase: 1 })), 'BAD_OPTION', 'inverseTime: staircase must be true or false, got 1');
});

test('schedules: unknown option keys are errors', () => {
  assertTideError(() => cosine(bad({ lr: 1, step: 10 })), 'BAD_OPTION', "cosine: unknown option 'step'", "Did you mean 'steps'?");
  assertTideError(() => exponential(bad({ lr: 1, decay_rate: 0.5 })), 'BAD_OPTION', "exponential: unknown option 'decay_rate'");
});

test('step: grads must have the length of params', () => {
  const e = assertTideError(() => adam().step(new Float64Array(3), new Float64Array(2)), 'SHAPE',
    'adam: grads has length 2 for params of length 3; they must match');
  assert.deepEqual(e.details, { params: 3, grads: 2 });
});

test('step: a later call with another length names the bound count and suggests a new optimizer or reset()', () => {
  const opt = sgd({ momentum: 0.9 });
  opt.step(new Float64Array(3), new Float64Array(3));
  assertTideError(() => opt.step(new Float64Array(4), new Float64Array(4)), 'SHAPE',
    'sgd: this optimizer was set up for 3 parameters on its first step, got params of length 4',
    'Create a new optimizer', 'reset()');
});

test('step: non-finite grads name the index and the step, suggest clipNorm or a smaller lr, and change nothing', () => {
  const opt = adam({ lr: 0.1 });
  const p = new Float64Array([1, 2, 3]);
  opt.step(p, new Float64Array([1, 1, 1]));
  opt.step(p, new Float64Array([1, 1, 1]));
  const before = opt.state();
  const pBefore = Float64Array.from(p);
  const e = assertTideError(() => opt.step(p, new Float64Array([0, NaN, Infinity])), 'NONFINITE',
    'adam: grads[1] is NaN in update 3 (stepCount = 2); params were left unchanged',
    'params are finite, so the gradient computation produced it', 'clipNorm', 'smaller lr');
  assert.equal(e.details.index, 1);
  assert.equal(e.details.stepCount, 2);
  assert.deepEqual(p, pBefore);
  assert.deepEqual(opt.state(), before);
  // With clipNorm set, the check still comes first (clipping cannot repair a NaN).
  assertTideError(() => sgd({ clipNorm: 1 }).step(new Float64Array(2), new Float64Array([Infinity, 0])), 'NONFINITE',
    'sgd: grads[0] is Infinity in update 1 (stepCount = 0)');
});

test('step: non-finite grads with non-finite params blame the earlier divergence', () => {
  assertTideError(() => adamax().step(new Float64Array([0, NaN]), new Float64Array([NaN, 0])), 'NONFINITE',
    'adamax: grads[0] is NaN', 'params[1] is already NaN, so an earlier update diverged');
});

test('step: a schedule returning a negative or non-finite lr is an error at that step', () => {
  const opt = sgd({ lr: (k: number) => (k < 1 ? 0.1 : -0.1) });
  const p = new Float64Array(1);
  opt.step(p, new Float64Array([1]));
  assertTideError(() => opt.step(p, new Float64Array([1])), 'BAD_OPTION',
    'sgd: the lr schedule returned -0.1 at step 1; a schedule must return a finite learning rate ≥ 0');
  assertTideError(() => adam({ lr: () => NaN }).step(p, new Float64Array([1])), 'BAD_OPTION', 'the lr schedule returned NaN at step 0');
  assert.equal(opt.stepCount, 1);
});

test('clipGradNorm / clipGradValue: non-finite grads name the first bad index and are left untouched', () => {
  const g = new Float64Array([1, 2, NaN, Infinity]);
  const e = assertTideError(() => clipGradNorm(g, 1), 'NONFINITE', 'clipGradNorm: grads[2] is NaN', 'clipping needs finite gradients');
  assert.equal(e.details.index, 2);
  assert.equal(g[0], 1);
  assertTideError(() => clipGradNorm(new Float64Array([-Infinity]), 1), 'NONFINITE', 'grads[0] is -Infinity');
  assertTideError(() => clipGradValue(new Float64Array([5, NaN]), 1), 'NONFINITE', 'clipGradValue: grads[1] is NaN');
});

test('clipGradNorm / clipGradValue: the bound must be a finite number > 0', () => {
  assertTideError(() => clipGradNorm(new Float64Array(1), 0), 'BAD_ARGUMENT', 'clipGradNorm: maxNorm must be a finite number > 0, got 0');
  assertTideError(() => clipGradNorm(new Float64Array(1), NaN), 'BAD_ARGUMENT', 'maxNorm must be a finite number > 0, got NaN');
  assertTideError(() => clipGradValue(new Float64Array(1), -1), 'BAD_ARGUMENT', 'clipGradValue: maxValue must be a finite number > 0, got -1');
});

test('loadState: state of another optimizer', () => {
  const s = sgd().state();
  assertTideError(() => adam().loadState(s), 'BAD_ARGUMENT', "adam.loadState: the state was saved by 'sgd'; load it into optimizer('sgd')");
});

test('loadState: buffers of another layout (amsgrad, momentum)', () => {
  const a = adam();
  a.step(new Float64Array(2), new Float64Array([1, 1]));
  assertTideError(() => adam({ amsgrad: true }).loadState(a.state()), 'BAD_ARGUMENT',
    'the state has buffers [m, v] but this adam expects [m, v, vMax]', 'saved with other options');
});

test('loadState: buffers of the wrong length or with non-finite entries', () => {
  const a = adam();
  a.step(new Float64Array(2), new Float64Array([1, 1]));
  const s = a.state();
  assertTideError(() => adam().loadState({ ...s, buffers: { m: [0], v: [0, 0] } }), 'BAD_ARGUMENT',
    "adam.loadState: buffer 'm' must be an array of 2 numbers, got length 1");
  const viaJson = JSON.parse(JSON.stringify({ ...s, buffers: { m: [0, 0], v: [NaN, 1] } }));
  assertTideError(() => adam().loadState(viaJson), 'BAD_ARGUMENT', "buffer 'v'[0] is null; buffers must hold finite numbers");
});

test('loadState: malformed stepCount, paramCount or state', () => {
  const s = sgd().state();
  assertTideError(() => sgd().loadState({ ...s, stepCount: -1 }), 'BAD_ARGUMENT', 'sgd.loadState: stepCount must be an integer ≥ 0, got -1');
  assertTideError(() => sgd().loadState({ ...s, paramCount: 1.5 }), 'BAD_ARGUMENT', 'paramCount must be null or an integer ≥ 0, got 1.5');
  assertTideError(() => sgd().loadState(null as never), 'BAD_ARGUMENT', 'sgd.loadState: expected an object from state(), got null');
});
