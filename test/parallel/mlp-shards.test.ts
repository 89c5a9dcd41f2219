/**
 * The MLP shard module of bench/scaling (test/parallel/mlp-shards.ts): its shards, summed, give the gradient of the
 * batched single-thread apply + loss + vjp to ~1e-15 relative, in process and on workers (1 and 2, bit-identical to
 * each other), with one forward per shard (its memoised field never evaluates twice); and the gradient is right
 * (central finite differences in float64 on a few parameters).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parallelGradient, valueAndGradient } from '../../src/index.ts';
import { setup, batchGradient, batchX, memoField, mlpModel, type MlpShardData } from './mlp-shards.ts';
import { maxDiffOverMax } from '../oracles/finite-diff.ts';

const module = new URL('./mlp-shards.ts', import.meta.url);
const workerUrl = new URL('./tsx-worker.mjs', import.meta.url);

const data: MlpShardData = { batch: 12, hidden: 9 };

test('MLP shards summed in process equal the batched apply + vjp gradient, one forward per shard', () => {
  const ref = batchGradient(data);
  const want = ref.run(ref.params);
  const wantP = Float64Array.from(want.dParams);
  for (const shards of [1, 2, 3]) {
    let loss = 0;
    const dParams = new Float64Array(wantP.length);
    for (let s = 0; s < shards; s++) {
      const pb = setup({ shard: s, shards, data });
      const r = valueAndGradient(pb.loss, pb.field, pb.y0, { ...pb.solve, params: ref.params });
      assert.equal((pb.field as ReturnType<typeof memoField>).recomputes, 0, 'the VJP re-evaluated the model');
      assert.equal(r.report.steps, 1);
      loss += r.loss;
      for (let i = 0; i < dParams.length; i++) dParams[i] += r.dParams[i];
    }
    assert.ok(Math.abs(loss - want.loss) <= 1e-14 * want.loss, `${shards} shards: loss ${loss} vs ${want.loss}`);
    const rd = maxDiffOverMax(dParams, wantP);
    assert.ok(rd < 1e-14, `${shards} shards: dParams rel diff ${rd}`);
    if (shards === 1) assert.deepEqual(dParams, wantP); // one shard: the same operations in the same order
  }
});

test('MLP batched gradient agrees with central finite differences', () => {
  const ref = batchGradient(data);
  const g = Float64Array.from(ref.run(ref.params).dParams);
  const p = Float64Array.from(ref.params), eps = 1e-6;
  for (const i of [0, 5, 40, 81, 85, 100, g.length - 1]) {
    const keep = p[i];
    p[i] = keep + eps; const lp = ref.run(p).loss;
    p[i] = keep - eps; const lm = ref.run(p).loss;
    p[i] = keep;
    const fd = (lp - lm) / (2 * eps);
    assert.ok(Math.abs(fd - g[i]) <= 1e-7 * Math.max(1, Math.abs(g[i])), `param ${i}: fd ${fd} vs ${g[i]}`);
  }
});

test('the memoised field re-evaluates when asked at another point', () => {
  const f = memoField(mlpModel(data), data.batch);
  const ref = batchGradient(data);
  const y = batchX(data), v = new Float64Array(f.dim).fill(0.5), out = new Float64Array(f.dim);
  const memo = new Float64Array(f.paramCount), fresh = new Float64Array(f.paramCount), dY = new Float64Array(f.dim);
  f.eval(out, 0, y, ref.params);
  f.vjp!(dY, memo, v, 0, y, ref.params);
  assert.equal(f.recomputes, 0);
  f.eval(out, 0, y.map((a) => a + 0.1), ref.params);
  f.vjp!(dY, fresh, v, 0, y, ref.params); // not the last eval's point: must evaluate at y again
  assert.equal(f.recomputes, 1);
  assert.deepEqual(fresh, memo);
  f.vjp!(dY, fresh.fill(0), v, 0, y, ref.params); // a second VJP at the same point: the first may have used the activations up
  assert.equal(f.recomputes, 2);
  assert.deepEqual(fresh, memo);
});

test('MLP shards on 1 and 2 workers: same bits, equal to the batched gradient to ~1e-15, for new params each call', async () => {
  const d: MlpShardData = { ...data, backend: 'js' };
  const ref = batchGradient(data);
  const ps = [ref.params, ref.params.map((v, i) => v + 0.05 * Math.sin(i))];
  const want = ps.map((p) => Float64Array.from(ref.run(p).dParams));
  const got: Float64Array[][] = [];
  for (const workers of [1, 2]) {
    const pg = await parallelGradient({ module, workerUrl, shards: 2, workers, data: d });
    try {
      const g: Float64Array[] = [];
      for (const p of ps) g.push((await pg.valueAndGradient(p)).dParams);
      got.push(g);
    } finally { await pg.close(); }
  }
  for (let k = 0; k < ps.length; k++) {
    assert.deepEqual(got[0][k], got[1][k]);
    assert.ok(maxDiffOverMax(got[1][k], want[k]) < 1e-14, `params ${k}: rel diff ${maxDiffOverMax(got[1][k], want[k])}`);
  }
  assert.ok(maxDiffOverMax(want[0], want[1]) > 1e-3); // the second call saw the new params
});
