/** fit's minibatch hook, callbacks, early stopping, log, and bit-identical resume. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, fitLogToCSV, fitLogToJSON, type FitBatch } from '../../src/train/fit.ts';
import { mse, l1 } from '../../src/train/losses.ts';
import { rmsprop } from '../../src/optim/rmsprop.ts';
import { sgd } from '../../src/optim/sgd.ts';
import { fieldFromTrace, ops } from '../../src/index.ts';
import { Rng } from '../../src/core/random.ts';
import { assertTideError } from '../optim/util.ts';

/** dy/dt = −p ⊙ y on R²: the true trajectory has p = (0.5, 1.5). */
const decay = fieldFromTrace((_t, y, p) => ops.mul(ops.neg(y), p), { shape: 2, paramCount: 2, name: 'decay2' });
const TS = Float64Array.from([0, 0.25, 0.5, 0.75, 1]);
const truth = (y0: ArrayLike<number>, ts: ArrayLike<number>): Float64Array => {
  const out = new Float64Array(ts.length * 2);
  for (let q = 0; q < ts.length; q++) { out[2 * q] = y0[0] * Math.exp(-0.5 * ts[q]); out[2 * q + 1] = y0[1] * Math.exp(-1.5 * ts[q]); }
  return out;
};
const solve = { t1: 1, method: 'rk4', stepSize: 0.05, saveAt: { ts: TS } } as const;

/** ode_demo.py's get_batch: a random initial state on the true trajectory, and the target from there. */
const batch = (_step: number, rng: Rng): FitBatch => {
  const s = rng.choice(20, 1)[0] / 10;
  const y0 = Float64Array.from([2 * Math.exp(-0.5 * s) + 0.1 * rng.normal(), Math.exp(-1.5 * s)]);
  return { y0, target: truth(y0, TS) };
};

const base = () => ({
  field: decay, y0: Float64Array.from([2, 1]), solve, loss: l1(), optimizer: rmsprop({ lr: 0.05, momentum: 0.5 }), batch, seed: 3,
});

test('fit: 10 steps + resume + 10 steps equals 20 steps bit for bit (batch hook, rng, rmsprop, JSON state)', () => {
  const full = fit({ ...base(), params: Float64Array.from([1, 1]), steps: 20 });
  const p = Float64Array.from([1, 1]);
  const a = fit({ ...base(), params: p, steps: 10 });
  const state = JSON.parse(JSON.stringify(a.state));
  const q = new Float64Array(2); // resume overwrites params from the state
  const b = fit({ ...base(), params: q, steps: 10, resume: state });
  assert.deepEqual(Array.from(q), Array.from(full.state.params));
  assert.deepEqual([...a.losses, ...b.losses], Array.from(full.losses));
  assert.deepEqual(b.state, full.state);
  assert.equal(b.state.step, 20);
  assert.ok(full.finalLoss < full.losses[0], `${full.losses[0]} → ${full.finalLoss}`);
});

test('fit: the batch target reaches mse(); a changing time grid re-prepares and gives the same losses as separate fits', () => {
  const y0 = Float64Array.from([2, 1]);
  const grids = [{ t1: 1, saveAt: { ts: TS } }, { t1: 2, saveAt: { ts: Float64Array.from([0, 1, 2]) } }];
  const seen: number[] = [];
  const r = fit({
    field: decay, y0, params: Float64Array.from([0.5, 1.5]), solve, optimizer: sgd({ lr: () => 0 }), steps: 4,
    loss: mse(), batch: (k) => { const g = grids[k % 2]; return { ...g, target: truth(y0, g.saveAt.ts).map((v) => v + 0.1) }; },
    onStep: (i) => seen.push(i.step),
  });
  assert.deepEqual(seen, [0, 1, 2, 3]);
  // rk4 at h = 0.05 is accurate to ~1e-8 here, so each loss is the mean of 0.1².
  for (const L of r.losses) assert.ok(Math.abs(L - 0.01) < 1e-6, String(L));
  assert.equal(r.losses[0], r.losses[2]);
  assert.equal(r.losses[1], r.losses[3]);
});

test('fit: every.n calls fn at steps n−1, 2n−1, …; log rows serialize to JSON and CSV', () => {
  const at: number[] = [];
  const r = fit({ ...base(), params: Float64Array.from([1, 1]), steps: 7, every: { n: 3, fn: (i) => at.push(i.step) }, log: true });
  assert.deepEqual(at, [2, 5]);
  assert.equal(r.log.length, 7);
  assert.deepEqual(r.log.map((x) => x.step), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(r.log.map((x) => x.loss), Array.from(r.losses));
  assert.ok(r.log.every((x) => x.nfe_fwd > 0 && x.nfe_bwd >= 0 && x.sec >= 0));
  const rows = JSON.parse(fitLogToJSON(r.log));
  assert.deepEqual(Object.keys(rows[0]), ['step', 'loss', 'sec', 'nfe_fwd', 'nfe_bwd']);
  assert.equal(rows[3].loss, r.losses[3]);
  const csv = fitLogToCSV(r.log).trim().split('\n');
  assert.equal(csv[0], 'step,loss,sec,nfe_fwd,nfe_bwd');
  assert.equal(csv.length, 8);
  assert.equal(Number(csv[2].split(',')[1]), r.losses[1]);
  assert.equal(fit({ ...base(), params: Float64Array.from([1, 1]), steps: 2 }).log.length, 0);
});

test('fit: earlyStopping stops after patience steps without improvement by minDelta', () => {
  const r = fit({
    field: decay, y0: Float64Array.from([2, 1]), params: Float64Array.from([1, 1]), solve, optimizer: sgd({ lr: 0.1 }), steps: 50,
    loss: () => 1, earlyStopping: { patience: 3 },
  });
  assert.equal(r.stopped, 'earlyStopping');
  assert.equal(r.stepsRun, 4); // step 0 sets best; steps 1, 2, 3 do not improve
  assert.equal(r.losses.length, 4);
  const s = fit({ ...base(), params: Float64Array.from([1, 1]), steps: 5, earlyStopping: { patience: 100, minDelta: 0 } });
  assert.equal(s.stopped, 'steps');
  assert.equal(s.stepsRun, 5);
});

test('fit: bad new options are TideErrors with clear messages', () => {
  const ok = () => ({ ...base(), params: Float64Array.from([1, 1]), steps: 1 });
  const bad = (patch: Record<string, unknown>) => () => fit({ ...ok(), ...patch } as never);
  assertTideError(bad({ earlyStoping: { patience: 2 } }), 'BAD_OPTION', "Did you mean 'earlyStopping'");
  assertTideError(bad({ every: { n: 0, fn: () => {} } }), 'BAD_OPTION', 'every.n must be an integer ≥ 1');
  assertTideError(bad({ every: { n: 2, f: () => {} } }), 'BAD_OPTION', "unknown option 'f'");
  assertTideError(bad({ every: { n: 2 } }), 'BAD_ARGUMENT', 'every.fn must be a function');
  assertTideError(bad({ earlyStopping: { patience: 0 } }), 'BAD_OPTION', 'earlyStopping.patience must be an integer ≥ 1');
  assertTideError(bad({ earlyStopping: { patience: 2, minDelta: -1 } }), 'BAD_OPTION', 'minDelta must be a finite number ≥ 0');
  assertTideError(bad({ earlyStopping: 5 }), 'BAD_OPTION', 'earlyStopping must be an object');
  assertTideError(bad({ log: 'yes' }), 'BAD_OPTION', 'log must be true or false');
  assertTideError(bad({ rng: new Rng(1) }), 'BAD_OPTION', 'seed or rng, not both');
  assertTideError(bad({ seed: undefined, rng: 7 }), 'BAD_OPTION', 'rng must be an Rng');
  assertTideError(bad({ batch: 'windows' }), 'BAD_ARGUMENT', 'batch must be a function');
  assertTideError(bad({ batch: () => 3 }), 'BAD_ARGUMENT', 'the batch hook must return an object');
  assertTideError(bad({ batch: () => ({ y: new Float64Array(2) }) }), 'BAD_OPTION', "Did you mean 'y0'");
  assertTideError(bad({ batch: () => ({ y0: [1, 2] }) }), 'DTYPE', "the batch's y0 must be a Float64Array");
  assertTideError(bad({ batch: () => ({ t1: NaN }) }), 'BAD_ARGUMENT', "the batch's t1 must be a finite number");
  const st = fit(ok()).state;
  assertTideError(bad({ resume: { ...st, params: [1] } }), 'SHAPE', 'resume.params must hold 2 numbers');
  assertTideError(bad({ resume: { ...st, stpe: 1 } }), 'BAD_OPTION', "Did you mean 'step'");
  assertTideError(bad({ resume: { ...st, step: -1 } }), 'BAD_OPTION', 'resume.step must be an integer ≥ 0');
  assertTideError(bad({ batch: () => { throw new Error('boom'); } }), 'USER_FUNCTION', 'the batch hook threw');
});

test('index: fit, losses, log helpers and rmsprop are public', async () => {
  const tide = await import('../../src/index.ts');
  for (const name of ['fit', 'fitLogToJSON', 'fitLogToCSV', 'mse', 'l1', 'crossEntropy', 'rmsprop']) assert.ok(name in tide, name);
});

test('fit: a saveAt.ts edited in place by the batch hook is seen as a new grid', () => {
  const ts = Float64Array.from([0, 0.5, 1]);
  const run = (hook: (k: number) => FitBatch, steps: number) => fit({
    field: decay, y0: Float64Array.from([2, 1]), params: Float64Array.from([0.5, 1.5]), solve: { ...solve, t1: 2 },
    optimizer: sgd({ lr: () => 0 }), steps, loss: mse(new Float64Array(6)), batch: hook,
  }).losses;
  const both = run((k) => { ts[1] = k % 2 === 0 ? 0.5 : 1; ts[2] = k % 2 === 0 ? 1 : 2; return { saveAt: { ts } }; }, 2);
  const second = run(() => ({ saveAt: { ts: Float64Array.from([0, 1, 2]) } }), 1);
  assert.equal(both[1], second[0]);
  assert.notEqual(both[0], both[1]);
});

test('fitLogToJSON / fitLogToCSV: not a log is a TideError', () => {
  assertTideError(() => fitLogToCSV(null as never), 'BAD_ARGUMENT', 'fitLogToCSV: expected the rows of result.log');
  assertTideError(() => fitLogToJSON([3] as never), 'BAD_ARGUMENT', 'fitLogToJSON: rows[0] must be a log row');
  assert.equal(fitLogToCSV([]), 'step,loss,sec,nfe_fwd,nfe_bwd\n');
});
