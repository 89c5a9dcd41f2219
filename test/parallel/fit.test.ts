/**
 * fitParallel has fit's options: with the same minibatches (a payload of indices posted to the shards' batch hooks)
 * it takes fit's steps on the batched problem up to the order of the shard sums; a resumed run is bit-identical to one
 * longer run; early stopping, log, every, onStep behave as fit's; bad options and bad payloads are TideErrors naming
 * the option, the step or the shard. One pool (2 shards on 2 workers) serves most tests; workers load the TypeScript
 * sources through tsx-worker.mjs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  parallelGradient, fitParallel, fit, adam, valueAndGradient, fitLogToCSV, fitLogToJSON, Rng, TideError,
  type ParallelGradient, type FitParallelOptions, type FitState, type FitStep,
} from '../../src/index.ts';
import { setup, draw, fitProblem, fitBatch, type WindowShardData, type WindowPayload } from './window-shards.ts';
import { maxDiffOverMax } from '../oracles/finite-diff.ts';

const module = new URL('./window-shards.ts', import.meta.url);
const workerUrl = new URL('./tsx-worker.mjs', import.meta.url);
const data: WindowShardData = { pool: 16, batch: 8, hidden: 8, stepSize: 0.1, t1: 0.5 };
const fp = fitProblem(data);
let pg: ParallelGradient;

before(async () => { pg = await parallelGradient({ module, workerUrl, shards: 2, workers: 2, data }); });
after(async () => { await pg.close(); });

function isTide(code: string, ...phrases: string[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof TideError, `expected a TideError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of phrases) assert.ok(e.message.includes(p), `'${p}' not in: ${e.message}`);
    return true;
  };
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
/** fit on the whole minibatch (one field), with fitParallel's seed and steps. */
function fitRef(steps: number, extra: Partial<Parameters<typeof fit>[0]> = {}) {
  const params = fp.params.slice();
  const r = fit({ field: fp.field, y0: fp.y0, params, solve: fp.solve, loss: fp.loss, optimizer: adam({ lr: 2e-2 }), steps, batch: fitBatch(data), seed: 7, ...extra });
  return { r, params };
}
function par(steps: number, extra: Partial<FitParallelOptions> = {}) {
  const params = fp.params.slice();
  return fitParallel({ gradient: pg, params, optimizer: adam({ lr: 2e-2 }), steps, batch: draw(data), seed: 7, ...extra }).then((r) => ({ r, params }));
}

test('valueAndGradient(params, payload): each shard takes its slice through its batch hook, bit for bit as a per-shard sum', async () => {
  const payload: WindowPayload = { idx: new Rng(3).choice(data.pool, data.batch) };
  const r = await pg.valueAndGradient(fp.params, payload);
  let loss = 0;
  const dParams = new Float64Array(fp.params.length);
  for (let s = 0; s < 2; s++) {
    const pb = setup({ shard: s, shards: 2, data });
    const b = pb.batch!(payload);
    const o = valueAndGradient((ys, dYs) => pb.loss(ys, dYs, b), pb.field, b.y0!, { ...pb.solve, params: fp.params });
    loss += o.loss;
    for (let i = 0; i < dParams.length; i++) dParams[i] += o.dParams[i];
  }
  assert.equal(r.loss, loss);
  assert.deepEqual(r.dParams, dParams);
  // without a payload the shards keep setup's y0 and target (the pool's first 8 samples) ...
  const plain = await pg.valueAndGradient(fp.params);
  const same = await pg.valueAndGradient(fp.params, { idx: [0, 1, 2, 3, 4, 5, 6, 7] });
  assert.equal(plain.loss, same.loss);
  assert.deepEqual(plain.dParams, same.dParams);
  assert.notEqual(plain.loss, r.loss);
  // ... which is the batched problem up to summation order
  const whole = valueAndGradient(fp.loss, fp.field, fp.y0, { ...fp.solve, params: fp.params });
  assert.ok(rel(plain.loss, whole.loss) < 1e-14, `${plain.loss} vs ${whole.loss}`);
  assert.ok(maxDiffOverMax(plain.dParams, whole.dParams) < 1e-13);
});

test('fitParallel with minibatches equals single-thread fit on the whole batch; log rows, every and onStep as fit\'s', async () => {
  const steps = 6;
  const everyPar: number[] = [], everyRef: number[] = [], seen: FitStep[] = [];
  const ref = fitRef(steps, { log: true, every: { n: 2, fn: (i) => everyRef.push(i.step) } });
  const { r, params } = await par(steps, { log: true, every: { n: 2, fn: (i) => everyPar.push(i.step) }, onStep: (i) => seen.push(i) });
  assert.equal(r.stepsRun, steps);
  assert.equal(r.stopped, 'steps');
  for (let k = 0; k < steps; k++) assert.ok(rel(r.losses[k], ref.r.losses[k]) < 1e-14, `step ${k}: ${r.losses[k]} vs ${ref.r.losses[k]}`);
  assert.ok(maxDiffOverMax(params, ref.params) < 1e-12, `params rel diff ${maxDiffOverMax(params, ref.params)}`);
  assert.ok(r.finalLoss < r.losses[0] || r.minLoss < r.losses[0], 'training lowers the loss');
  assert.deepEqual(everyPar, [1, 3, 5]);
  assert.deepEqual(everyPar, everyRef);
  assert.deepEqual(seen.map((i) => i.step), [0, 1, 2, 3, 4, 5]);
  // log rows in fit's shape: nfe from the combined report (two shards: twice one shard's rk4 count)
  assert.equal(r.log.length, steps);
  r.log.forEach((row, k) => {
    assert.deepEqual(Object.keys(row), Object.keys(ref.r.log[k]));
    assert.equal(row.step, k);
    assert.equal(row.loss, r.losses[k]);
    assert.equal(row.nfe_fwd, 2 * ref.r.log[k].nfe_fwd);
    assert.equal(row.nfe_bwd, seen[k].report.nfeBackward);
    assert.ok(row.sec > 0);
  });
  assert.equal(fitLogToCSV(r.log).split('\n')[0], 'step,loss,sec,nfe_fwd,nfe_bwd');
  assert.equal(JSON.parse(fitLogToJSON(r.log)).length, steps);
  assert.equal(r.peakBytes, Math.max(...seen.map((i) => i.report.peakBytes)));
  assert.equal(r.lastReport, seen[steps - 1].report);
  // rng: an Rng passed in (advanced in place) draws what seed 7 draws
  const rng = new Rng(7);
  const withRng = await par(2, { seed: undefined, rng });
  assert.deepEqual(withRng.r.losses, r.losses.subarray(0, 2));
  assert.deepEqual(withRng.r.state.rng, rng.state());
  // a callback that throws stops the run, naming the step
  await assert.rejects(par(3, { every: { n: 2, fn: () => { throw new Error('plot failed'); } } }), isTide('USER_FUNCTION', 'every.fn', 'step 1', 'plot failed'));
});

test('fitParallel: a time grid that changes with the step re-prepares each shard\'s solve, as fit does', async () => {
  const grids = [[0.25, 0.5], [0.2, 0.4, 0.6]];
  const ref = fitRef(4, { batch: fitBatch(data, grids), log: true });
  const { r, params } = await par(4, { batch: draw(data, grids), log: true });
  for (let k = 0; k < 4; k++) assert.ok(rel(r.losses[k], ref.r.losses[k]) < 1e-14, `step ${k}: ${r.losses[k]} vs ${ref.r.losses[k]}`);
  assert.ok(maxDiffOverMax(params, ref.params) < 1e-12);
  // rk4 with h = 0.1 to t1 = 0.5, then 0.6: 5 and 6 steps, in each of the 2 shards (twice fit's count on one field)
  assert.deepEqual(r.log.map((row) => row.nfe_fwd), ref.r.log.map((row) => 2 * row.nfe_fwd));
  assert.ok(r.log[1].nfe_fwd > r.log[0].nfe_fwd);
  // and back on the setup grid without a payload
  const plain = await pg.valueAndGradient(fp.params);
  const whole = valueAndGradient(fp.loss, fp.field, fp.y0, { ...fp.solve, params: fp.params });
  assert.ok(rel(plain.loss, whole.loss) < 1e-14);
});

test('fitParallel: 3 steps, resume from the JSON state, 3 more equals 6 steps bit for bit', async () => {
  const long = await par(6);
  const a = await par(3);
  const state = JSON.parse(JSON.stringify(a.r.state)) as FitState;
  assert.equal(state.step, 3);
  const q = new Float64Array(fp.params.length); // resume overwrites params from the state
  const b = await fitParallel({ gradient: pg, params: q, optimizer: adam({ lr: 2e-2 }), steps: 3, batch: draw(data), resume: state, log: true });
  assert.deepEqual([...a.r.losses, ...b.losses], Array.from(long.r.losses));
  assert.deepEqual(q, long.params);
  assert.deepEqual(b.state, long.r.state);
  assert.deepEqual(b.log.map((row) => row.step), [3, 4, 5]);
});

test('fitParallel: early stopping stops at the same step as fit\'s and says why; the state carries its counters', async () => {
  const es = { patience: 2, minDelta: 0.05 };
  const ref = fitRef(20, { earlyStopping: es });
  const { r } = await par(20, { earlyStopping: es });
  assert.equal(ref.r.stopped, 'earlyStopping');
  assert.equal(r.stopped, 'earlyStopping');
  assert.equal(r.stepsRun, ref.r.stepsRun);
  assert.ok(r.stepsRun < 20);
  assert.equal(r.losses.length, r.stepsRun);
  assert.equal(r.state.wait, es.patience);
  assert.equal(r.state.step, r.stepsRun);
  assert.ok(rel(r.state.best as number, ref.r.state.best as number) < 1e-13);
});

test('fitParallel: bad options are TideErrors naming the option, as fit\'s', () => {
  const ok: FitParallelOptions = { gradient: pg, params: fp.params.slice(), optimizer: adam(), steps: 2 };
  const bad = (extra: Record<string, unknown>) => () => fitParallel({ ...ok, ...extra } as FitParallelOptions);
  assert.throws(bad({ earlyStoping: { patience: 2 } }), isTide('BAD_OPTION', "fitParallel: unknown option 'earlyStoping'", "Did you mean 'earlyStopping'"));
  assert.throws(bad({ every: { n: 0, fn: () => {} } }), isTide('BAD_OPTION', 'fitParallel: every.n must be an integer ≥ 1'));
  assert.throws(bad({ every: { n: 2 } }), isTide('BAD_ARGUMENT', 'every.fn must be a function'));
  assert.throws(bad({ earlyStopping: { patience: 0 } }), isTide('BAD_OPTION', 'earlyStopping.patience must be an integer ≥ 1'));
  assert.throws(bad({ earlyStopping: { patience: 2, minDelta: -1 } }), isTide('BAD_OPTION', 'minDelta must be a finite number ≥ 0'));
  assert.throws(bad({ log: 'yes' }), isTide('BAD_OPTION', 'fitParallel: log must be true or false'));
  assert.throws(bad({ seed: 1, rng: new Rng(1) }), isTide('BAD_OPTION', 'pass seed or rng, not both'));
  assert.throws(bad({ rng: 42 }), isTide('BAD_OPTION', 'rng must be an Rng'));
  assert.throws(bad({ batch: [1, 2] }), isTide('BAD_ARGUMENT', 'fitParallel: batch must be a function'));
  assert.throws(bad({ steps: undefined }), isTide('BAD_OPTION', 'fitParallel: steps is required'));
  const st = { params: [1], optimizerState: {}, step: 0, rng: new Rng(0).state(), best: null, wait: 0 };
  assert.throws(bad({ resume: st }), isTide('SHAPE', `resume.params must hold ${fp.params.length} numbers`));
  assert.throws(bad({ resume: { ...st, params: Array.from(fp.params), stpe: 1 } }), isTide('BAD_OPTION', "Did you mean 'step'"));
});

test('fitParallel: payloads that cannot be posted, hooks that throw or return bad batches are named by step or shard', async () => {
  const run = (batch: (step: number, rng: Rng) => unknown) => fitParallel({ gradient: pg, params: fp.params.slice(), optimizer: adam(), steps: 2, batch });
  await assert.rejects(run(() => ({ idx: [0, 1], pick: () => 1 })), isTide('BAD_ARGUMENT', "fitParallel: the batch hook's payload at step 0 cannot be sent to the workers", 'structured-cloneable'));
  await assert.rejects(run(() => undefined), isTide('BAD_ARGUMENT', 'the batch hook returned undefined at step 0'));
  await assert.rejects(run((step) => { if (step === 1) throw new Error('no more data'); return { idx: [0, 1, 2, 3, 4, 5, 6, 7] }; }), isTide('USER_FUNCTION', 'step 1', 'no more data'));
  assert.throws(() => pg.valueAndGradient(fp.params, { f: () => 1 }), isTide('BAD_ARGUMENT', 'parallelGradient.valueAndGradient: the payload cannot be sent'));
  const idx = [0, 1, 2, 3, 4, 5, 6, 7];
  await assert.rejects(pg.valueAndGradient(fp.params, { idx, bad: 'throw' }), isTide('USER_FUNCTION', 'shard 0 of 2', 'the batch hook', 'no sample 0'));
  await assert.rejects(pg.valueAndGradient(fp.params, { idx, bad: 'key' }), isTide('BAD_ARGUMENT', 'shard 0 of 2', "unknown key 'ts'", 'y0, target, t0, t1, saveAt'));
  await assert.rejects(pg.valueAndGradient(fp.params, { idx, bad: 'length' }), isTide('SHAPE', 'shard 0 of 2', 'y0 of length 7', 'length 8'));
  // the pool still works after those
  const r = await pg.valueAndGradient(fp.params, { idx });
  assert.ok(Number.isFinite(r.loss));
});

test('a payload sent to a shard without a batch hook is an error naming that shard', async () => {
  const p1 = await parallelGradient({ module, workerUrl, shards: 2, workers: 1, data: { ...data, noHook: 2 } });
  try {
    await assert.rejects(p1.valueAndGradient(fp.params, { idx: [0, 1, 2, 3, 4, 5, 6, 7] }), isTide('BAD_ARGUMENT', 'shard 1 of 2', 'no batch hook', 'leave the payload out'));
    const r = await p1.valueAndGradient(fp.params); // without a payload it runs as before
    assert.ok(Number.isFinite(r.loss));
  } finally {
    await p1.close();
  }
});
